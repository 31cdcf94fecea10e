import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ModelError,
  buildModel,
  consumersOf,
  forwardOrder,
  inputsOf,
  nodeById,
  outputNode,
} from "../js/core/model.js";
import { seedTrace } from "./helpers.mjs";

const names = (nodes) => nodes.map((n) => n.name ?? n.op);

test("buildModel indexes every node of the seed trace by id", () => {
  const model = buildModel(seedTrace());
  assert.equal(model.byId.size, 9);
  assert.equal(nodeById(model, "n6").name, "w");
  assert.equal(outputNode(model).op, "SumBackward0");
  assert.equal(model.stdout, "dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n");
});

test("in-edges come in input order, whatever order the server sent", () => {
  const trace = seedTrace();
  trace.edges.reverse();
  const model = buildModel(trace);
  assert.deepEqual(names(inputsOf(model, "n2")), ["y", "z"]); // y - z
  assert.deepEqual(names(inputsOf(model, "n4")), ["w", "x"]); // torch.mul(w, x)
  assert.deepEqual(names(inputsOf(model, "n3")), ["MulBackward0", "b"]);
});

test("out-edges lead to the ops that consume a tensor", () => {
  const model = buildModel(seedTrace());
  assert.deepEqual(names(consumersOf(model, "n6")), ["MulBackward0"]);
  assert.deepEqual(names(consumersOf(model, "n0")), []);
});

test("edges get ids e0, e1, ... in server order, so repeated pairs stay distinct", () => {
  const trace = seedTrace();
  // x * x: the same tensor is both inputs of one op.
  trace.edges.push({ source: "n8", target: "n4", input: 2, grad: null });
  const model = buildModel(trace);
  assert.deepEqual(
    model.edges.map((e) => e.id),
    ["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"],
  );
  assert.equal(model.outEdges.get("n8").length, 2);
});

test("forwardOrder puts every node after its inputs and breaks ties in source order", () => {
  const model = buildModel(seedTrace());
  // w, b, x, y as the program makes them; then mul, add, sub, pow, sum.
  assert.deepEqual(forwardOrder(model), ["n6", "n5", "n8", "n7", "n4", "n3", "n2", "n1", "n0"]);
});

test("forwardOrder falls back to server order for nodes without a span", () => {
  const trace = seedTrace();
  for (const node of trace.nodes) node.span = null;
  assert.deepEqual(forwardOrder(buildModel(trace)), [
    "n5",
    "n6",
    "n7",
    "n8",
    "n4",
    "n3",
    "n2",
    "n1",
    "n0",
  ]);
});

test("forwardOrder handles a 20000-long chain without recursion", () => {
  const n = 20000;
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    kind: "op",
    op: "ExpBackward0",
    label: "exp",
    name: null,
    value: null,
    grad: null,
    span: null,
  }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({
    source: `n${i + 1}`,
    target: `n${i}`,
    input: 0,
    grad: null,
  }));
  const order = forwardOrder(buildModel({ nodes, edges, output: "n0", variables: {}, stdout: "" }));
  assert.equal(order[0], `n${n - 1}`);
  assert.equal(order[n - 1], "n0");
});

test("buildModel refuses repeated ids, dangling edges and an unknown output", () => {
  const repeated = seedTrace();
  repeated.nodes.push({ ...repeated.nodes[0] });
  assert.throws(() => buildModel(repeated), {
    name: "ModelError",
    message: "node id n0 appears twice",
  });

  const dangling = seedTrace();
  dangling.edges.push({ source: "n99", target: "n0", input: 1, grad: null });
  assert.throws(() => buildModel(dangling), {
    name: "ModelError",
    message: "edge 8 refers to unknown node n99",
  });

  const output = seedTrace();
  output.output = "n42";
  assert.throws(() => buildModel(output), {
    name: "ModelError",
    message: "output n42 is not a node",
  });
});

test("forwardOrder refuses a cycle", () => {
  const trace = seedTrace();
  trace.edges.push({ source: "n0", target: "n6", input: 0, grad: null });
  assert.throws(() => forwardOrder(buildModel(trace)), ModelError);
});

test("nodeById refuses an unknown id", () => {
  assert.throws(() => nodeById(buildModel(seedTrace()), "n9"), { message: "no node n9" });
});
