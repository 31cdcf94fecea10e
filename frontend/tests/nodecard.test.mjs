import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import { modelCards, nodeCard } from "../js/core/nodecard.js";
import { gradLabel, outputSymbol } from "../js/core/symbols.js";
import { seedTrace } from "./helpers.mjs";

test("cards of the seed graph show names, ops, values and gradients", () => {
  const cards = modelCards(buildModel(seedTrace()));
  const summary = (id) => {
    const c = cards.get(id);
    return [c.title, c.subtitle, ...c.rows.map((r) => `${r.label}=${r.text}`)];
  };
  assert.deepEqual(summary("n6"), ["w", "AccumulateGrad", "value=1.0", "∂loss/∂w=-0.56"]);
  assert.deepEqual(summary("n5"), ["b", "AccumulateGrad", "value=0.5", "∂loss/∂b=-0.4"]);
  assert.deepEqual(summary("n8"), ["x", "constant", "value=1.4"]);
  // An unnamed op is titled by the expression it came from, its label beside its grad_fn.
  assert.deepEqual(summary("n4"), ["w*x", "× · MulBackward0", "value=1.4", "∂loss/∂(w*x)=-0.4"]);
  assert.deepEqual(summary("n1"), [
    "(y-z)**2",
    "x² · PowBackward0",
    "value=0.04",
    "∂loss/∂((y-z)**2)=1.0",
  ]);
  assert.deepEqual(summary("n0"), ["loss", "Σ · SumBackward0", "value=0.04", "∂loss/∂loss=1.0"]);
});

test("an op that received no gradient still shows its gradient row, as a dash", () => {
  const node = {
    id: "n1",
    kind: "op",
    op: "MulBackward0",
    label: "×",
    name: "h",
    value: null,
    grad: null,
    span: null,
  };
  assert.deepEqual(
    nodeCard(node, "L").rows.map((r) => r.text),
    ["—", "—"],
  );
});

test("the output is called L when it has no short name", () => {
  const trace = seedTrace();
  trace.nodes[0].name = null;
  assert.equal(outputSymbol(buildModel(trace)), "L");
  trace.nodes[0].name = "a_very_long_loss_name";
  assert.equal(outputSymbol(buildModel(trace)), "L");
  assert.equal(gradLabel({ name: "w" }, "L"), "∂L/∂w");
  assert.equal(gradLabel({ name: null }, "L"), "grad");
});
