import { test } from "node:test";
import assert from "node:assert/strict";
import { modelCards } from "../js/labels.js";
import { CARD, clip, fromElkResult, measureCard, monoWidth, toElkGraph } from "../js/layout.js";
import { buildModel, forwardOrder } from "../js/model.js";
import { loadElk, seedTrace } from "./helpers.mjs";

function seedElkGraph() {
  const model = buildModel(seedTrace());
  const cards = modelCards(model);
  const sizes = new Map([...cards].map(([id, c]) => [id, measureCard(c)]));
  return { model, cards, sizes, graph: toElkGraph(model, sizes, forwardOrder(model)) };
}

test("monoWidth counts code points at 0.6 em", () => {
  assert.equal(monoWidth("abcd", 10), 24);
  assert.equal(monoWidth("∂L/∂w", 10), 30);
});

test("clip cuts long text with an ellipsis", () => {
  assert.equal(clip("abcdef", 4), "abc…");
  assert.equal(clip("abcd", 4), "abcd");
});

test("measureCard grows with the widest text and the number of rows", () => {
  const card = {
    title: "w",
    subtitle: "AccumulateGrad",
    rows: [
      { key: "value", label: "value", text: "1.0" },
      { key: "grad", label: "∂loss/∂w", text: "-0.56" },
    ],
  };
  // Widest: label (8 chars at 10.5) + gap + value (5 chars at 12) = 50.4 + 14 + 36.
  assert.deepEqual(measureCard(card), {
    width: Math.ceil(50.4 + CARD.labelGap + 36 + 2 * CARD.padX),
    height: 100,
  });
  const constant = { title: "x", subtitle: "constant", rows: [card.rows[0]] };
  assert.deepEqual(measureCard(constant), { width: CARD.minWidth, height: 82 });
});

test("toElkGraph asks for a layered left-to-right layout with one port per input", () => {
  const { graph } = seedElkGraph();
  assert.equal(graph.layoutOptions["elk.algorithm"], "layered");
  assert.equal(graph.layoutOptions["elk.direction"], "RIGHT");
  assert.deepEqual(
    graph.children.map((c) => c.id),
    ["n6", "n5", "n8", "n7", "n4", "n3", "n2", "n1", "n0"],
  );
  const sub = graph.children.find((c) => c.id === "n2");
  assert.deepEqual(
    sub.ports.map((p) => [
      p.id,
      p.layoutOptions["elk.port.side"],
      p.layoutOptions["elk.port.index"],
    ]),
    [
      ["e2:in", "WEST", "1"],
      ["e3:in", "WEST", "0"],
      ["n2:out", "EAST", undefined],
    ],
  );
  const output = graph.children.find((c) => c.id === "n0");
  assert.deepEqual(
    output.ports.map((p) => p.id),
    ["e0:in"],
  ); // nothing consumes the output
  assert.deepEqual(graph.edges[3], { id: "e3", sources: ["n3:out"], targets: ["e3:in"] });
});

test("ELK lays the seed graph out with data flowing left to right", async () => {
  const ELK = loadElk();
  const { model, graph } = seedElkGraph();
  const layout = fromElkResult(await new ELK().layout(graph), model);
  const right = (id) => layout.nodes[id].x + layout.nodes[id].w;
  for (const edge of model.edges) {
    assert.ok(
      right(edge.source) <= layout.nodes[edge.target].x,
      `${edge.source} left of ${edge.target}`,
    );
  }
  // Every edge leaves its source's right side and ends on its target's left side.
  for (const edge of layout.edges) {
    const first = edge.points[0];
    const last = edge.points[edge.points.length - 1];
    assert.equal(first.x, right(edge.source));
    assert.equal(last.x, layout.nodes[edge.target].x);
  }
  // Input 0 of y - z (y) enters above input 1 (z).
  const into = (id) => layout.edges.find((e) => e.id === id).points.at(-1).y;
  assert.ok(into("e2") < into("e3"));
  assert.ok(layout.width >= right("n0"));
});

test("fromElkResult joins sections and drops repeated points", () => {
  const model = { edges: [{ id: "e0", source: "a", target: "b" }] };
  const result = {
    width: 100,
    height: 50,
    children: [{ id: "a", x: 0, y: 0, width: 10, height: 10 }],
    edges: [
      {
        id: "e0",
        sections: [
          { startPoint: { x: 0, y: 0 }, bendPoints: [{ x: 5, y: 0 }], endPoint: { x: 5, y: 5 } },
          { startPoint: { x: 5, y: 5 }, endPoint: { x: 9, y: 5 } },
        ],
      },
    ],
  };
  assert.deepEqual(fromElkResult(result, model), {
    width: 100,
    height: 50,
    nodes: { a: { x: 0, y: 0, w: 10, h: 10 } },
    edges: [
      {
        id: "e0",
        source: "a",
        target: "b",
        points: [
          { x: 0, y: 0 },
          { x: 5, y: 0 },
          { x: 5, y: 5 },
          { x: 9, y: 5 },
        ],
      },
    ],
  });
});
