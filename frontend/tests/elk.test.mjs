import assert from "node:assert/strict";
import { test } from "node:test";
import { buildView } from "../js/core/collapse.js";
import { buildModel, forwardOrder } from "../js/core/model.js";
import { modelCards } from "../js/core/nodecard.js";
import { fromElkResult, toElkGraph } from "../js/layout/elk.js";
import { clusterFrames } from "../js/layout/layered.js";
import {
  CARD,
  CLUSTER_PADDING,
  clip,
  measureCard,
  monoWidth,
  rowHeight,
} from "../js/layout/measure.js";
import { fixture, loadElk, seedTrace } from "./helpers.mjs";

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

test("a tensor row's heatmap makes the card taller and at least as wide as the grid", () => {
  const grid = { rows: 3, cols: 2, cell: 12, width: 24, height: 36, folded: false };
  const row = { key: "value", label: "value", text: "[3×2] μ=3.5", heatmap: grid };
  assert.equal(rowHeight(row), CARD.rowLine + 36 + 1.5 * CARD.heatmapGap);
  const plain = measureCard({
    title: "X",
    subtitle: "constant",
    rows: [{ ...row, heatmap: null }],
  });
  const heat = measureCard({ title: "X", subtitle: "constant", rows: [row] });
  assert.equal(heat.height - plain.height, 36 + 1.5 * CARD.heatmapGap);
  const wide = { ...grid, cols: 40, width: 160 };
  assert.equal(
    measureCard({ title: "X", subtitle: "constant", rows: [{ ...row, heatmap: wide }] }).width,
    160 + 2 * CARD.padX,
  );
});

/** The MLP's view with model.0 expanded and model.2 collapsed, ready for ELK. */
function mlpView() {
  const model = buildModel(fixture("mlp_trace.json"));
  const view = buildView(model, ["model.2"]);
  const cards = modelCards(model, view);
  const sizes = new Map([...cards].map(([id, c]) => [id, measureCard(c)]));
  return { model, view, sizes, graph: toElkGraph(view, sizes, forwardOrder(view)) };
}

test("toElkGraph nests each cluster's nodes in a compound node with room for its title", () => {
  const { graph } = mlpView();
  assert.equal(graph.layoutOptions["elk.hierarchyHandling"], "INCLUDE_CHILDREN");
  assert.equal(graph.layoutOptions["elk.json.shapeCoords"], "ROOT");
  const ids = (list) => list.map((c) => c.id).sort();
  assert.deepEqual(ids(graph.children), ["c:model", "n0", "n11", "n12"]);
  const outer = graph.children.find((c) => c.id === "c:model");
  assert.deepEqual(ids(outer.children), ["c:model.0", "c:model.1", "c:model.3", "m:model.2"]);
  const inner = outer.children.find((c) => c.id === "c:model.0");
  assert.deepEqual(ids(inner.children), ["n10", "n6", "n8", "n9"]);
  assert.equal(inner.layoutOptions["elk.padding"], "[top=34,left=14,bottom=14,right=14]");
  // Edges stay at the root, crossing cluster frames; model.2's three inner edges are gone.
  assert.equal(graph.edges.length, 12 - 3);
});

test("ELK lays clusters out around their nodes, in absolute coordinates", async () => {
  const ELK = loadElk();
  const { model, view, graph } = mlpView();
  const layout = fromElkResult(await new ELK().layout(graph), view);
  assert.deepEqual(Object.keys(layout.nodes).sort(), view.nodes.map((n) => n.id).sort());
  assert.deepEqual(Object.keys(layout.clusters).sort(), [
    "c:model",
    "c:model.0",
    "c:model.1",
    "c:model.3",
  ]);
  const inside = (box, frame) =>
    box.x >= frame.x &&
    box.y >= frame.y + CLUSTER_PADDING.top - 1 &&
    box.x + box.w <= frame.x + frame.w &&
    box.y + box.h <= frame.y + frame.h;
  for (const cluster of view.clusters) {
    for (const child of cluster.children) {
      const box = layout.nodes[child] ?? layout.clusters[child];
      assert.ok(inside(box, layout.clusters[cluster.id]), `${child} inside ${cluster.id}`);
    }
  }
  // Data flows left to right across frames: x (outside) is left of the first Linear's matmul.
  assert.ok(layout.nodes.n12.x + layout.nodes.n12.w <= layout.nodes.n6.x);
  assert.equal(layout.edges.length, view.edges.length);
  assert.ok(layout.edges.every((e) => e.points.length >= 2));
  assert.equal(model.nodes.length, 13);
});

test("the quick layout frames each cluster around its contents", () => {
  const nodes = { a: { x: 100, y: 100, w: 50, h: 40 }, b: { x: 200, y: 80, w: 50, h: 40 } };
  const frames = clusterFrames(
    [
      { id: "c:outer", children: ["c:inner", "b"] },
      { id: "c:inner", children: ["a"] },
    ],
    nodes,
  );
  const p = CLUSTER_PADDING;
  assert.deepEqual(frames["c:inner"], {
    x: 100 - p.left,
    y: 100 - p.top,
    w: 50 + p.left + p.right,
    h: 40 + p.top + p.bottom,
  });
  // The outer frame holds the inner frame (its top) and b (its right end).
  assert.deepEqual(frames["c:outer"], {
    x: 100 - 2 * p.left,
    y: 100 - 2 * p.top,
    w: 250 + p.right - (100 - 2 * p.left),
    h: 140 + 2 * p.bottom - (100 - 2 * p.top),
  });
});
