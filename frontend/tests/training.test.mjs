import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CHART,
  LAYER_COLOURS,
  callX,
  diagnosisNodes,
  gradientChart,
  lossChart,
  pathOf,
  yTicks,
} from "../js/core/training.js";

const series = (name, module, grad_norm) => ({
  name,
  module,
  grad_norm,
  grad_mean: grad_norm,
  grad_max: grad_norm,
  zero_fraction: grad_norm.map(() => 0),
  norm: grad_norm,
  update: grad_norm,
  dead_units: 0,
  units: 1,
});

/** Three calls of backward() on a two-layer model. */
const training = {
  calls: 3,
  iterations: [0, 1, 2],
  loss: [4, null, 1],
  series: [
    series("model.0.weight", "model.0", [1e-6, 1e-5, 1e-4]),
    series("model.0.bias", "model.0", [1, 1, 1]),
    series("model.2.weight", "model.2", [1, 10, 100]),
  ],
  diagnoses: [{ kind: "vanishing", message: "…", leaves: ["model.0.weight", "model.2.weight"], call: null }],
  shown_call: 2,
};

test("the loss chart spans the plotting box and leaves out a value that was not finite", () => {
  const c = lossChart(training);
  assert.equal(c.lines.length, 1);
  assert.deepEqual(
    c.lines[0].points.map((p) => [p.call, p.x, p.y]),
    [
      [0, CHART.left, CHART.top],
      [2, CHART.width - CHART.right, CHART.height - CHART.bottom],
    ],
  );
  assert.equal(pathOf(c.lines[0]), "M44.0,8.0L312.0,102.0");
});

test("the gradient chart has one line per weight, on a log scale, coloured per module", () => {
  const c = gradientChart(training);
  assert.deepEqual(c.lines.map((l) => [l.name, l.colour]), [
    ["model.0.weight", LAYER_COLOURS[0]],
    ["model.2.weight", LAYER_COLOURS[1]],
  ]);
  assert.equal(c.log, true);
  assert.deepEqual([c.yMin, c.yMax], [-6, 2]);
  assert.deepEqual(yTicks(c).map((t) => t.text), ["1e-6", "1e2"]);
});

test("the marker of the call shown sits on its x", () => {
  assert.equal(callX(training, 2), CHART.width - CHART.right);
  assert.equal(callX(training, 1), (CHART.left + CHART.width - CHART.right) / 2);
});

test("a diagnosis points at the nodes of the leaves it names", () => {
  const trace = { nodes: [{ id: "n0", name: "loss" }, { id: "n5", name: "model.0.weight" }, { id: "n9", name: "model.2.weight" }] };
  assert.deepEqual(diagnosisNodes(training.diagnoses[0], trace), ["n5", "n9"]);
});

test("a diagnosis's nodes come in the order it names its leaves, its first leaf first", () => {
  // The server walks the graph from the loss: the last layer's weight comes first there.
  const trace = { nodes: [{ id: "n1", name: "model.2.weight" }, { id: "n7", name: "model.0.weight" }] };
  assert.deepEqual(diagnosisNodes(training.diagnoses[0], trace), ["n7", "n1"]);
});
