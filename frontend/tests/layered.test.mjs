import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel, forwardOrder } from "../js/core/model.js";
import {
  ELK_MAX_WORK,
  assignLayers,
  layoutWork,
  pickLayout,
  quickLayout,
  widestLayer,
} from "../js/layout/layered.js";
import { seedTrace } from "./helpers.mjs";

/** A loop `y = y * c + x` run `n` times: x feeds every addition, across the whole chain. */
function loopTrace(n) {
  const node = (id, kind) => ({
    id,
    kind,
    op: null,
    label: id,
    name: id,
    value: null,
    grad: null,
    span: null,
  });
  const nodes = [node("x", "leaf")];
  const edges = [];
  let previous = "x";
  for (let i = 0; i < n; i++) {
    nodes.push(node(`mul${i}`, "op"), node(`add${i}`, "op"));
    edges.push({ source: previous, target: `mul${i}`, input: 0, grad: null });
    edges.push({ source: `mul${i}`, target: `add${i}`, input: 0, grad: null });
    edges.push({ source: "x", target: `add${i}`, input: 1, grad: null });
    previous = `add${i}`;
  }
  return { nodes, edges, output: previous, variables: {}, stdout: "" };
}

test("assignLayers puts each op one past its latest input and inputs next to their first use", () => {
  const model = buildModel(seedTrace());
  const layers = assignLayers(model, forwardOrder(model));
  const byName = (id) => layers.get(id);
  // w, x -> mul (1) ; b -> add (2) ; y -> sub (3) ; pow (4) ; sum (5)
  assert.deepEqual(
    ["n6", "n8", "n4", "n5", "n3", "n7", "n2", "n1", "n0"].map(byName),
    [0, 0, 1, 1, 2, 2, 3, 4, 5],
  );
});

test("layoutWork counts the dummy nodes of edges that skip layers", () => {
  const seed = buildModel(seedTrace());
  assert.equal(layoutWork(seed, assignLayers(seed, forwardOrder(seed))), 9);
  // x sits in layer 0; add i is in layer 2i+2, so its edge from x skips 2i+1 layers.
  const loop = buildModel(loopTrace(10));
  assert.equal(layoutWork(loop, assignLayers(loop, forwardOrder(loop))), 21 + 100);
});

test("quickLayout places layers left to right and keeps nodes of a layer apart", () => {
  const model = buildModel(loopTrace(300));
  const order = forwardOrder(model);
  const sizes = new Map(model.nodes.map((n) => [n.id, { width: 100, height: 80 }]));
  const layout = quickLayout(model, sizes, order, assignLayers(model, order));
  for (const edge of model.edges) {
    const s = layout.nodes[edge.source];
    assert.ok(s.x + s.w < layout.nodes[edge.target].x, `${edge.source} left of ${edge.target}`);
  }
  assert.equal(layout.nodes.x.x, 24);
  assert.equal(layout.width, 24 + 601 * 100 + 600 * 56 + 24);
  assert.equal(layout.edges.length, 900);
});

test("quickLayout runs edges that skip layers along a lane under every node", () => {
  const model = buildModel(loopTrace(3));
  const order = forwardOrder(model);
  const sizes = new Map(model.nodes.map((n) => [n.id, { width: 100, height: 80 }]));
  const layout = quickLayout(model, sizes, order, assignLayers(model, order));
  const bottom = Math.max(...Object.values(layout.nodes).map((b) => b.y + b.h));
  const long = layout.edges.filter(
    (e) => e.source === "x" && e.target !== "add0" && e.target !== "mul0",
  );
  assert.equal(long.length, 2);
  for (const edge of long) {
    const lowest = Math.max(...edge.points.map((p) => p.y));
    assert.equal(lowest, bottom + 28);
  }
  assert.equal(layout.height, bottom + 28 + 24);
});

test("quickLayout routes each edge from its source's right side to its input slot", () => {
  const model = buildModel(seedTrace());
  const order = forwardOrder(model);
  const sizes = new Map(model.nodes.map((n) => [n.id, { width: 100, height: 80 }]));
  const layout = quickLayout(model, sizes, order, assignLayers(model, order));
  const sub = layout.nodes.n2;
  const into = (id) => layout.edges.find((e) => e.id === id).points.at(-1);
  assert.deepEqual(into("e2"), { x: sub.x, y: sub.y + 80 / 3 }); // y - z: y is input 0
  assert.deepEqual(into("e3"), { x: sub.x, y: sub.y + (2 * 80) / 3 });
  const w = layout.nodes.n6;
  assert.deepEqual(layout.edges.find((e) => e.id === "e6").points[0], {
    x: w.x + 100,
    y: w.y + 40,
  });
});

test("widestLayer counts the nodes of the fullest layer", () => {
  const seed = buildModel(seedTrace());
  assert.equal(widestLayer(assignLayers(seed, forwardOrder(seed))), 2);
  const loop = buildModel(loopTrace(10));
  assert.equal(widestLayer(assignLayers(loop, forwardOrder(loop))), 1);
  assert.equal(widestLayer(new Map()), 0);
});

test("pickLayout gives ELK small graphs with something to order, the quick layout the rest", () => {
  const seed = buildModel(seedTrace());
  const seedLayers = assignLayers(seed, forwardOrder(seed));
  assert.deepEqual(pickLayout(seed, seedLayers), { kind: "elk", work: 9 });
  assert.deepEqual(pickLayout(seed, seedLayers, { maxWork: 8 }), { kind: "quick", work: 9 });
  // One node a layer: nothing for ELK to order, however small the work.
  const loop = buildModel(loopTrace(10));
  const loopLayers = assignLayers(loop, forwardOrder(loop));
  assert.ok(121 <= ELK_MAX_WORK);
  assert.deepEqual(pickLayout(loop, loopLayers), { kind: "quick", work: 121 });
});
