import assert from "node:assert/strict";
import { test } from "node:test";
import {
  RATIO_DECADES,
  RECORDED,
  UNLISTED,
  differenceRows,
  differences,
  gradientDifference,
  matchNodes,
  norm,
  ratioStrength,
} from "../js/core/compare.js";
import {
  callOfB,
  callsShown,
  compareStatus,
  graphsShowText,
  recordedNorm,
} from "../js/core/comparestatus.js";
import { RUNS, runsCallX, runsGradientChart, runsLossChart } from "../js/core/comparechart.js";
import { CHART } from "../js/core/training.js";
import { formatNumber } from "../js/core/format.js";
import { buildModel } from "../js/core/model.js";
import { alignedLayout } from "../js/layout/aligned.js";
import { buildView } from "../js/core/collapse.js";
import { fixture } from "./helpers.mjs";

/** The same network trained three steps, with a sigmoid (run A) and a ReLU (run B). */
const sigmoid = () => buildModel(fixture("compare_sigmoid_trace.json"));
const relu = () => buildModel(fixture("compare_relu_trace.json"));

/** A graph of ops in a chain, each {id, op, module, inputs}; leaves have op null. */
function chain(nodes) {
  return buildModel({
    nodes: nodes.map(({ id, op, module = null, name = null }) => ({
      id,
      kind: op === null ? "leaf" : "op",
      op: op ?? "AccumulateGrad",
      name,
      module,
      span: null,
      value: null,
      grad: null,
      outputs: [],
    })),
    edges: nodes.flatMap(({ id, inputs = [] }) =>
      inputs.map((source, input) => ({ source, target: id, input, output: 0, grad: null })),
    ),
    output: nodes.at(-1).id,
    steps: { forward: [], backward: [] },
    modules: [],
    phases: [],
    variables: {},
  });
}

test("every node of two runs that differ in one activation pairs, the activation as changed", () => {
  const matching = matchNodes(sigmoid(), relu());
  const ids = ["n11", "n10", "n2", "n6", "n4", "n7", "n9", "n8", "n5", "n1", "n0", "n3"];
  assert.deepEqual([...matching.toA], ids.map((id) => [id, id]));
  assert.deepEqual([...matching.changed], ["n3"]);
  assert.equal(sigmoid().byId.get("n3").op, "SigmoidBackward0");
  assert.equal(relu().byId.get("n3").op, "ReluBackward0");
  assert.deepEqual(matching.onlyA, []);
  assert.deepEqual(matching.onlyB, []);
});

test("a leaf's gradient norm in each run is torch's own, to float32 rounding", () => {
  const a = sigmoid();
  const b = relu();
  const d = differences(a, b, matchNodes(a, b));
  const torchNorm = (name, run) =>
    fixture(`compare_${run}_trace.json`).training.series.find((s) => s.name === name).grad_norm.at(-1);
  const weight = a.nodes.find((n) => n.name === "model.0.weight").id;
  const got = d.get(b.nodes.find((n) => n.name === "model.0.weight").id);
  assert.equal(got.measure, "norm");
  const close = (x, y) => assert.ok(Math.abs(x - y) <= 1e-6 * Math.abs(y), `${x} vs ${y}`);
  close(got.a, torchNorm("model.0.weight", "sigmoid"));
  close(got.b, torchNorm("model.0.weight", "relu"));
  assert.equal(got.diff, got.b - got.a);
  assert.equal(got.ratio, got.b / got.a);
  assert.equal(got.a, norm(a.byId.get(weight).grad));
});

test("gradients of one element compare as numbers, with their sign", () => {
  const one = (x) => ({ shape: [1], dtype: "float32", data: [x] });
  const d = gradientDifference({ grad: one(-0.5) }, { grad: one(2) });
  assert.deepEqual(d, { measure: "value", a: -0.5, b: 2, diff: 2.5, ratio: 4, note: null });
  const none = gradientDifference({ grad: null }, { grad: one(2) });
  assert.deepEqual(none, { measure: "norm", a: null, b: 2, diff: null, ratio: null, note: null });
});

test("a norm reads non-finite elements as they arrive and a tensor not listed as null", () => {
  assert.equal(norm({ shape: [2, 2], data: [[3, 0], [0, 4]] }), 5);
  assert.equal(norm({ shape: [2], data: [1, "inf"] }), Infinity);
  assert.equal(norm({ shape: [9999], data: null }), null);
});

test("an op that changed pairs by its paired inputs; an op added or taken away pairs with none", () => {
  const a = chain([
    { id: "w", op: null, name: "w" },
    { id: "lin", op: "AddmmBackward0", module: "model.0", inputs: ["w"] },
    { id: "loss", op: "MseLossBackward0", inputs: ["lin"] },
  ]);
  const b = chain([
    { id: "w", op: null, name: "w" },
    { id: "lin", op: "AddmmBackward0", module: "model.0", inputs: ["w"] },
    { id: "soft", op: "LogSoftmaxBackward0", inputs: ["lin"] },
    { id: "nll", op: "NllLossBackward0", inputs: ["soft"] },
  ]);
  const matching = matchNodes(a, b);
  assert.deepEqual([...matching.toA], [
    ["w", "w"],
    ["lin", "lin"],
    ["soft", "loss"],
  ]);
  assert.deepEqual([...matching.changed], ["soft"]);
  assert.deepEqual(matching.onlyB, ["nll"]);
  assert.deepEqual(matching.onlyA, []);
});

test("nodes of one op pair in order of occurrence, module by module", () => {
  const layers = (ops) =>
    chain([
      { id: "x", op: null, name: "x" },
      ...ops.map(([op, module], k) => ({ id: `o${k}`, op, module, inputs: [k ? `o${k - 1}` : "x"] })),
    ]);
  const a = layers([["MulBackward0", "m.0"], ["MulBackward0", "m.1"], ["MulBackward0", "m.1"]]);
  const b = layers([["MulBackward0", "m.0"], ["MulBackward0", "m.1"], ["ExpBackward0", "m.1"]]);
  const matching = matchNodes(a, b);
  assert.deepEqual([...matching.toA], [
    ["x", "x"],
    ["o0", "o0"],
    ["o1", "o1"],
    ["o2", "o2"],
  ]);
  assert.deepEqual([...matching.changed], ["o2"]);
});

test("a ratio marks a node at full strength from RATIO_DECADES orders of magnitude on", () => {
  const d = (ratio) => ({ measure: "norm", a: 1, b: ratio, diff: ratio - 1, ratio });
  assert.equal(ratioStrength(d(10 ** RATIO_DECADES)), 1);
  assert.equal(ratioStrength(d(1e-9)), -1);
  assert.equal(ratioStrength(d(10)), 1 / 3);
  assert.equal(ratioStrength(d(1)), 0);
  assert.equal(ratioStrength(d(0)), -1);
  assert.equal(ratioStrength({ measure: "norm", a: null, b: 1, diff: null, ratio: null }), null);
});

test("the difference of norms reads as each run's norm, ‖B‖ − ‖A‖ and their ratio", () => {
  const d = { measure: "norm", a: 2e-9, b: 0.4, diff: 0.4 - 2e-9, ratio: 2e8, note: null };
  assert.deepEqual(differenceRows(d, formatNumber), [
    { key: "a", label: "A ‖∂L/∂‖", text: "2e-9", title: null },
    { key: "b", label: "B ‖∂L/∂‖", text: "0.4", title: null },
    { key: "diff", label: "‖B‖ − ‖A‖", text: "0.4", title: null },
    { key: "ratio", label: "‖B‖ / ‖A‖", text: "×2e8", title: null },
  ]);
});

test("the difference of two numbers reads as B − A and |B| / |A|", () => {
  const d = gradientDifference(
    { grad: { shape: [], data: -0.5 } },
    { grad: { shape: [], data: 2 } },
  );
  assert.deepEqual(
    differenceRows(d, formatNumber).map((r) => [r.label, r.text]),
    [
      ["A ∂L/∂", "-0.5"],
      ["B ∂L/∂", "2.0"],
      ["B − A", "2.5"],
      ["|B| / |A|", "×4.0"],
    ],
  );
});

test("a leaf's gradient too large to list takes its norm from the training records at the call shown", () => {
  const a = sigmoid();
  const b = relu();
  const trainA = fixture("compare_sigmoid_trace.json").training;
  const trainB = fixture("compare_relu_trace.json").training;
  // The weights' gradients as a trace too large to list would send them: the shape only.
  const unlist = (model) => {
    const node = model.nodes.find((n) => n.name === "model.0.weight");
    node.grad = { ...node.grad, data: null };
    return node.id;
  };
  const idA = unlist(a);
  const idB = unlist(b);
  const matching = matchNodes(a, b);
  const recorded = (t) => t.series.find((s) => s.name === "model.0.weight").grad_norm[t.iterations.indexOf(t.shown_call)];
  const got = differences(a, b, matching, { a: trainA, b: trainB }).get(idB);
  assert.equal(matching.toA.get(idB), idA);
  assert.equal(got.a, recorded(trainA));
  assert.equal(got.b, recorded(trainB));
  assert.equal(got.ratio, recorded(trainB) / recorded(trainA));
  assert.equal(got.note, RECORDED);
  assert.equal(differenceRows(got, formatNumber)[0].title, RECORDED);
  // Without records: no number, "—", and the title says why.
  const none = differences(a, b, matching).get(idB);
  assert.deepEqual([none.a, none.b, none.diff, none.ratio, none.note], [null, null, null, null, UNLISTED]);
  assert.deepEqual(
    differenceRows(none, formatNumber).map((r) => [r.text, r.title]),
    [["—", UNLISTED], ["—", UNLISTED], ["—", UNLISTED], ["—", UNLISTED]],
  );
});

test("both runs' losses share one scale: the longer run spans the chart", () => {
  const run = (loss) => ({ calls: loss.length, iterations: loss.map((_, i) => i), loss, series: [] });
  const c = runsLossChart([run([4, 2, 1]), run([3, 1, 0.5, 0.25, 2])]);
  assert.deepEqual(c.lines.map((l) => [l.name, l.run, l.colour, l.dash, l.points.length]), [
    ["loss A", "A", RUNS[0].colour, "", 3],
    ["loss B", "B", RUNS[1].colour, "5 3", 5],
  ]);
  assert.equal(c.yMin, 0.25);
  assert.equal(c.yMax, 4);
  assert.equal(c.calls, 5);
  assert.equal(c.lines[0].points[0].y, CHART.top);
  assert.equal(c.lines[1].points[3].y, CHART.height - CHART.bottom);
  assert.equal(c.lines[1].points[4].x, CHART.width - CHART.right);
  assert.equal(c.lines[0].points[2].x, CHART.left + (CHART.width - CHART.right - CHART.left) / 2);
  // Run A's last call, shown in its graph, is half way along: B ran twice as many.
  assert.equal(runsCallX([run([4, 2, 1]), run([3, 1, 0.5, 0.25, 2])], 2), c.lines[0].points[2].x);
});

test("both runs' layer gradients are drawn in the layers' colours, B's dashed", () => {
  const runs = [fixture("compare_sigmoid_trace.json").training, fixture("compare_relu_trace.json").training];
  const c = runsGradientChart(runs);
  assert.deepEqual(c.lines.map((l) => [l.name, l.dash]), [
    ["model.0.weight A", ""],
    ["model.2.weight A", ""],
    ["model.0.weight B", "5 3"],
    ["model.2.weight B", "5 3"],
  ]);
  assert.equal(c.lines[0].colour, c.lines[2].colour);
  assert.notEqual(c.lines[0].colour, c.lines[1].colour);
  assert.equal(c.log, true);
  assert.equal(c.yMax, Math.log10(runs[0].series.find((s) => s.name === "model.2.weight").grad_norm[0]));
});

test("run B's paired nodes are laid out where A's are, its edges along A's", () => {
  const a = sigmoid();
  const b = relu();
  const viewA = buildView(a);
  const viewB = buildView(b);
  const nodes = Object.fromEntries(a.nodes.map((n, k) => [n.id, { x: 10 * k, y: 5 * k, w: 50, h: 20 }]));
  const edges = viewA.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }));
  const layoutA = { width: 200, height: 100, nodes, edges, clusters: {} };
  const sizes = new Map(b.nodes.map((n) => [n.id, { width: 60, height: 30 }]));
  const laid = alignedLayout(layoutA, viewA, viewB, matchNodes(a, b).toA, sizes);
  for (const n of b.nodes) {
    assert.deepEqual(laid.nodes[n.id], { x: nodes[n.id].x, y: nodes[n.id].y, w: 60, h: 30 });
  }
  assert.deepEqual(laid.edges.map((e) => e.points), edges.map((e) => e.points));
  assert.equal(laid.height, 100);
});

test("run B's own nodes go in a row under A's drawing", () => {
  const a = chain([{ id: "w", op: null, name: "w" }, { id: "loss", op: "MseLossBackward0", inputs: ["w"] }]);
  const b = chain([
    { id: "w", op: null, name: "w" },
    { id: "loss", op: "MseLossBackward0", inputs: ["w"] },
    { id: "twice", op: "MulBackward0", inputs: ["loss"] },
  ]);
  const layoutA = {
    width: 300,
    height: 80,
    nodes: { w: { x: 0, y: 0, w: 50, h: 20 }, loss: { x: 200, y: 0, w: 50, h: 20 } },
    edges: [{ id: "e0", source: "w", target: "loss", points: [{ x: 50, y: 10 }, { x: 200, y: 10 }] }],
    clusters: {},
  };
  const sizes = new Map(["w", "loss", "twice"].map((id) => [id, { width: 50, height: 20 }]));
  const laid = alignedLayout(layoutA, buildView(a), buildView(b), matchNodes(a, b).toA, sizes);
  assert.deepEqual(laid.nodes.twice, { x: 0, y: 120, w: 50, h: 20 });
  assert.equal(laid.height, 140);
  // loss (200..250, 0..20) to twice (0..50, 120..140): down more than across, bottom to top
  assert.deepEqual(laid.edges[1].points, [{ x: 225, y: 20 }, { x: 25, y: 120 }]);
});

/** Run B as the store holds it once traced: 12 nodes, three calls, the last one shown. */
function comparedDone(training = fixture("compare_relu_trace.json").training) {
  return { status: "done", source: "", trace: { training }, model: { nodes: new Array(12) }, error: null };
}

test("run B's status names its nodes, the call its graph shows and the nodes paired, each once known", () => {
  const t = fixture("compare_relu_trace.json").training;
  assert.equal(t.calls, 3);
  assert.equal(compareStatus(comparedDone(), 12), "12 nodes · backward() call 3 of 3 · 12 paired with A");
  // Not drawn yet (or concealed): no count, and no separator left dangling.
  assert.equal(compareStatus(comparedDone(), null), "12 nodes · backward() call 3 of 3");
  assert.equal(compareStatus(comparedDone(null), null), "12 nodes");
  assert.equal(compareStatus(comparedDone({ ...t, shown_call: 0 }), 0), "12 nodes · backward() call 1 of 3 · 0 paired with A");
  assert.equal(compareStatus(null, null), "Run B to trace it");
  assert.equal(compareStatus({ status: "running" }, 12), "Running B…");
  assert.equal(compareStatus({ status: "error", error: { code: "syntax_error" } }, 12), "B failed (syntax_error)");
});

test("each run's graph says which call of backward() it shows", () => {
  const a = fixture("compare_sigmoid_trace.json").training;
  const b = fixture("compare_relu_trace.json").training;
  assert.equal(callsShown(a, b), "A: call 3 of 3 · B: call 3 of 3");
  assert.equal(callsShown({ ...a, shown_call: 1 }, { ...b, shown_call: 1 }), "A: call 2 of 3 · B: call 2 of 3");
  assert.equal(callsShown(null, b), "A: its only call · B: call 3 of 3");
  assert.equal(callsShown(null, null), null);
  assert.equal(graphsShowText(a, null), "The graph shows call 3.");
  assert.equal(graphsShowText({ ...a, shown_call: 0 }, b), "Run A's graph shows call 1; run B's, call 3 of 3.");
});

test("run B shows the call run A shows, or its last when it ran fewer", () => {
  const b = fixture("compare_relu_trace.json").training;
  assert.equal(callOfB(1, b), 1);
  assert.equal(callOfB(40, b), 2);
  assert.equal(callOfB(0, null), null);
  assert.equal(recordedNorm(b, "model.0.weight"), b.series.find((s) => s.name === "model.0.weight").grad_norm.at(-1));
  assert.equal(recordedNorm(b, "nothing"), null);
});
