import assert from "node:assert/strict";
import { test } from "node:test";
import { buildView, initialCollapsed, moduleChains, occupiedModules } from "../js/core/collapse.js";
import { buildModel, forwardOrder } from "../js/core/model.js";
import { fixture, seedTrace } from "./helpers.mjs";

// The MLP: model (Sequential) holds model.0 Linear, model.1 ReLU, model.2 Linear,
// model.3 ReLU. model.0 holds n6 Addmm, n8 bias, n9 T, n10 weight; x (n12) is outside.
const mlp = () => buildModel(fixture("mlp_trace.json"));

test("module chains run from the outermost module in", () => {
  const chains = moduleChains(mlp().modules);
  assert.deepEqual(chains.get("model.2"), ["model", "model.2"]);
  assert.deepEqual(chains.get("model"), ["model"]);
});

test("with nothing collapsed, every module holding nodes becomes a cluster around them", () => {
  const model = mlp();
  const view = buildView(model);
  assert.equal(view.nodes.length, model.nodes.length);
  assert.equal(view.edges.length, model.edges.length);
  assert.deepEqual(
    view.clusters.map((c) => [c.id, c.parent, c.children.sort()]),
    [
      ["c:model", null, ["c:model.0", "c:model.1", "c:model.2", "c:model.3"]],
      ["c:model.0", "c:model", ["n10", "n6", "n8", "n9"]],
      ["c:model.1", "c:model", ["n4"]],
      ["c:model.2", "c:model", ["n2", "n3", "n5", "n7"]],
      ["c:model.3", "c:model", ["n1"]],
    ],
  );
  assert.equal(view.owner.get("n6"), "n6");
});

test("a collapsed module is one box: its nodes and inner edges go, edges across it are merged", () => {
  const model = mlp();
  const view = buildView(model, ["model.0"]);
  const box = view.byId.get("m:model.0");
  assert.equal(box.kind, "module");
  assert.equal(box.type, "Linear");
  assert.deepEqual(box.members.sort(), ["n10", "n6", "n8", "n9"]);
  assert.equal(view.nodes.length, model.nodes.length - 4 + 1);
  for (const id of ["n6", "n8", "n9", "n10"]) assert.equal(view.owner.get(id), "m:model.0");
  // Inner edges (bias -> addmm, T -> addmm, weight -> T) are hidden; x -> addmm enters the box.
  assert.equal(view.edgeOwner.get("e8"), null);
  assert.equal(view.edgeOwner.get("e11"), null);
  const into = view.edges.find((e) => e.target === "m:model.0");
  assert.deepEqual([into.source, into.members], ["n12", ["e9"]]);
  const out = view.edges.find((e) => e.source === "m:model.0");
  assert.deepEqual([out.target, out.members], ["n4", ["e6"]]);
  // The box sits in its parent's cluster; the collapsed module is no cluster itself.
  const parent = view.clusters.find((c) => c.id === "c:model");
  assert.ok(parent.children.includes("m:model.0"));
  assert.ok(!view.clusters.some((c) => c.id === "c:model.0"));
  // The view is still a graph the layout code can order.
  assert.equal(forwardOrder(view).length, view.nodes.length);
});

test("collapsing the outer module hides the inner ones in one box", () => {
  const model = mlp();
  const view = buildView(model, ["model", "model.2"]);
  const box = view.byId.get("m:model");
  assert.equal(box.members.length, 10);
  assert.deepEqual(view.clusters, []);
  assert.deepEqual(
    view.nodes.map((n) => n.id),
    ["n0", "m:model", "n11", "n12"],
  );
  assert.equal(view.output, "n0");
});

test("graphs over the threshold open with a Sequential's layers collapsed", () => {
  const model = mlp();
  assert.deepEqual(occupiedModules(model), ["model", "model.0", "model.1", "model.2", "model.3"]);
  assert.deepEqual(initialCollapsed(model), []);
  // One outer module would hide everything in one box: its layers are collapsed instead.
  assert.deepEqual(initialCollapsed(model, 5), ["model.0", "model.1", "model.2", "model.3"]);
  assert.deepEqual(initialCollapsed(buildModel(seedTrace()), 0), []);
});
