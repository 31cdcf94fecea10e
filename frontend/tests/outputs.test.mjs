// Ops that produce several tensors (unbind, split, the min/max builtins, torch.max with
// dim): each listed output is its own tensor on cards, edges, timeline frames and the
// chain-rule cards. Fixtures from the real backend: frontend/scripts/make-fixtures.py.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pausePosition, questionAnswer } from "../js/core/lessons.js";
import { buildModel, edgeTensor, forwardOrder, resultOf, resultsOf } from "../js/core/model.js";
import { narration } from "../js/core/narration.js";
import { modelCards, nodeCard } from "../js/core/nodecard.js";
import { edgeTex, nodeTex } from "../js/core/readouttex.js";
import { stepCard } from "../js/core/stepcard.js";
import { edgeOutputLabel, outputSymbol } from "../js/core/symbols.js";
import { plainName, plainWho, who } from "../js/core/tex.js";
import { buildTimeline, frameAt, outputGrads, partsBetween } from "../js/core/timeline.js";
import { edgeTitle, nodeTitle } from "../js/core/tooltips.js";
import { outputLabelPlace } from "../js/draw/edges.js";
import { toElkGraph } from "../js/layout/elk.js";
import { assignLayers, quickLayout } from "../js/layout/layered.js";
import { measureCard, rowHeight } from "../js/layout/measure.js";
import { fixture } from "./helpers.mjs";

const timeline = (name) => buildTimeline(buildModel(fixture(name)));
const texts = (card) => card.lines.map((l) => `${l.kind}: ${l.text}`);
const rows = (card) => card.rows.map((r) => `${r.label}=${r.text}`);

// top = max(m); top.backward(): n0 UnbindBackward0 (only output 1, top, used), n1 m.
// a, b = v.unbind(); loss = a * 3 + a * b + b * 5: n5 Unbind with a (output 0) read by
// e5 (a*3) and e6 (a*b), b (output 1) read by e4 (b*5) and e7 (a*b); n6 v.

test("an unbind whose output 0 is unused is titled by its op and shows top's own rows", () => {
  const model = buildModel(fixture("max_builtin_trace.json"));
  assert.equal(outputSymbol(model), "top"); // the tensor backward() started from
  const card = modelCards(model).get("n0");
  assert.equal(card.title, "m.unbind()"); // the op written from its input, never "max(m)"
  assert.equal(card.subtitle, "Unbind · UnbindBackward0");
  assert.deepEqual(rows(card), ["top=5.0", "∂top/∂top=1.0"]);
  assert.deepEqual(
    card.rows.map((r) => [r.key, r.output]),
    [
      ["value", 1],
      ["grad", 1],
    ],
  );
});

test("each listed output has a value row and, when differentiable, a gradient row", () => {
  const split = modelCards(buildModel(fixture("split_trace.json"))).get("n5");
  assert.equal(split.title, "t1"); // not "p", output 0's name; (c * 1).split() is too long
  assert.deepEqual(rows(split), ["p=1.0", "∂loss/∂p=—", "q=[2.0, 3.0]", "∂loss/∂q=[6.0, 8.0]"]);
  // The indices of torch.max can carry no gradient: no row pretends they could.
  const max = modelCards(buildModel(fixture("max_dim_trace.json"))).get("n1");
  assert.deepEqual(rows(max), ["values=[3.0, 6.0]", "∂loss/∂values=[1.0, 1.0]", "indices=[1, 2]"]);
});

test("an unnamed output is out[k] on its card and [k] on the edges reading it", () => {
  const trace = fixture("unbind_pair_trace.json");
  trace.nodes.find((n) => n.id === "n5").outputs[1].name = null;
  const model = buildModel(trace);
  assert.deepEqual(rows(nodeCard(model.byId.get("n5"), "loss")).slice(2), [
    "out[1]=2.0",
    "∂loss/∂out[1]=6.0",
  ]);
  const labels = model.edges.map((e) => edgeOutputLabel(model, e));
  assert.deepEqual(labels, [null, null, null, null, "[1]", "a", "a", "[1]", null]);
  const unnamed = resultOf(model.byId.get("n5"), 1);
  assert.equal(plainWho(unnamed), "v.unbind()[1]");
  assert.equal(plainName(unnamed), "v.unbind()[1]");
  assert.equal(who(unnamed), "\\text{v.unbind()[1]}");
});

test("edges from an op with several outputs are labelled with the output they carry", () => {
  const model = buildModel(fixture("unbind_pair_trace.json"));
  const labelled = model.edges
    .map((e) => [e.id, edgeOutputLabel(model, e)])
    .filter(([, label]) => label !== null);
  assert.deepEqual(labelled, [
    ["e4", "b"],
    ["e5", "a"],
    ["e6", "a"],
    ["e7", "b"],
  ]);
  // The tensor an edge carries is the output's, with its own value.
  assert.equal(edgeTensor(model, model.edges[4]).value.data, 2.0);
  assert.equal(edgeTensor(model, model.edges[0]), model.byId.get("n1"));
});

test("an op's name and value are never mistaken for its output 0's", () => {
  const node = buildModel(fixture("split_trace.json")).byId.get("n5");
  assert.equal(node.name, "p"); // the API's output-0 fields...
  assert.equal(plainWho(node), "t1"); // ...are not the op's name
  assert.deepEqual(
    resultsOf(node).map((r) => [r.output, r.name, r.value.data]),
    [
      [0, "p", [1.0]],
      [1, "q", [2.0, 3.0]],
    ],
  );
});

test("layout measures every row of every output, so drawing matches measuring", () => {
  const card = modelCards(buildModel(fixture("split_trace.json"))).get("n5");
  assert.equal(card.rows.length, 4);
  const firstTwo = measureCard({ ...card, rows: card.rows.slice(0, 2) });
  assert.equal(
    measureCard(card).height,
    Math.ceil(firstTwo.height + rowHeight(card.rows[2]) + rowHeight(card.rows[3])),
  );
});

test("each output's edges leave the card beside its row, in ELK and in the quick layout", () => {
  const model = buildModel(fixture("unbind_pair_trace.json"));
  const sizes = new Map([...modelCards(model)].map(([id, c]) => [id, measureCard(c)]));
  // Title, op name and divider take 55 px; a's value row is the first, b's two rows below.
  assert.deepEqual(sizes.get("n5").outputs, [
    { output: 0, y: 64 },
    { output: 1, y: 100 },
  ]);
  assert.equal(sizes.get("n4").outputs, undefined);
  const order = forwardOrder(model);
  const graph = toElkGraph(model, sizes, order);
  const unbind = graph.children.find((c) => c.id === "n5");
  assert.equal(unbind.layoutOptions["elk.portConstraints"], "FIXED_POS");
  assert.deepEqual(
    unbind.ports
      .filter((p) => p.layoutOptions["elk.port.side"] === "EAST")
      .map((p) => [p.id, p.x, p.y]),
    [
      ["n5:out:0", sizes.get("n5").width, 64],
      ["n5:out:1", sizes.get("n5").width, 100],
    ],
  );
  assert.deepEqual(
    graph.edges.filter((e) => e.sources[0].startsWith("n5:")).map((e) => [e.id, e.sources[0]]),
    [
      ["e4", "n5:out:1"],
      ["e5", "n5:out:0"],
      ["e6", "n5:out:0"],
      ["e7", "n5:out:1"],
    ],
  );
  const quick = quickLayout(model, sizes, order, assignLayers(model, order));
  const box = quick.nodes.n5;
  const start = (id) => quick.edges.find((e) => e.id === id).points[0];
  assert.deepEqual(start("e4"), { x: box.x + box.w, y: box.y + 100 });
  assert.deepEqual(start("e5"), { x: box.x + box.w, y: box.y + 64 });
});

test("an output label sits by the arrowhead on a long last stretch, else where it leaves", () => {
  const long = [
    { x: 0, y: 10 },
    { x: 20, y: 10 },
    { x: 20, y: 40 },
    { x: 100, y: 40 },
  ];
  assert.deepEqual(outputLabelPlace(long, "right"), { x: 88, y: 53, anchor: "end" });
  const short = [long[0], long[1], { x: 20, y: 40 }, { x: 40, y: 40 }];
  assert.deepEqual(outputLabelPlace(short, "right"), { x: 6, y: 23, anchor: "start" });
});

test("running sums at an op's outputs are kept per output, never added together", () => {
  const tl = timeline("unbind_pair_trace.json");
  const unbind = tl.nodeIndex.get("n5");
  assert.equal(tl.F, 7);
  // Parts of a: e6 (a*b) then e5 (a*3); parts of b: e4 (b*5) then e7 (a*b).
  const parts = (output) =>
    partsBetween(tl, "n5", -1, Infinity, output).map((p) => [p.edge, p.grad.data]);
  assert.deepEqual(parts(0), [
    [6, 2.0],
    [5, 3.0],
  ]);
  assert.deepEqual(parts(1), [
    [4, 5.0],
    [7, 1.0],
  ]);
  const first = frameAt(tl, 8).base; // b*5 sent 5.0 to b
  assert.equal(first.nodeState[unbind], "partial");
  assert.deepEqual(first.outputText[unbind], { 0: "…", 1: "5.0" });
  assert.deepEqual(first.partial.get("n5"), { delivered: 1, expected: 4, sum: "5.0" });
  const third = frameAt(tl, 10).base; // a*b sent 2.0 to a and 1.0 to b
  assert.deepEqual(third.outputText[unbind], { 0: "2.0", 1: "6.0" });
  assert.equal(third.partial.get("n5").sum, null); // 5 + 2 + 1 would mix a and b
  assert.equal(third.gradText[unbind], null);
  assert.deepEqual(frameAt(tl, 12).base.outputText[unbind], { 0: "5.0", 1: "6.0" });
  assert.deepEqual(
    outputGrads(tl.backward[5], tl.model.byId.get("n5")).map((g) => [g.output, g.grad.data]),
    [
      [0, 5.0],
      [1, 6.0],
    ],
  );
});

test("the card's running sums name the output and add only that output's parts", () => {
  const tl = timeline("unbind_pair_trace.json");
  assert.deepEqual(texts(stepCard(tl, 10)).slice(-2), [
    "sum: running sum at a: 2.0 (1 of 2 paths)",
    "sum: running sum at b: 5.0 + 1.0 = 6.0 (2 of 2 paths)",
  ]);
  assert.equal(
    texts(stepCard(tl, 10))[1],
    "send: ∂loss/∂a (via a*b) = ∂loss/∂(a*b) · ∂(a*b)/∂a = (1.0)(2.0) = 2.0",
  );
});

test("the backward card of an op with several outputs shows the gradient at each", () => {
  const tl = timeline("unbind_pair_trace.json");
  const card = stepCard(tl, 12);
  assert.equal(
    card.heading,
    "v.unbind() (UnbindBackward0) sends the gradients of its outputs back to its inputs",
  );
  assert.deepEqual(texts(card), [
    "arrive: ∂loss/∂a = 2.0 + 3.0 = 5.0",
    "arrive: ∂loss/∂b = 5.0 + 1.0 = 6.0",
    "send: ∂loss/∂v = ∂loss/∂a · ∂a/∂v + ∂loss/∂b · ∂b/∂v = [5.0, 6.0]",
  ]);
  assert.equal(
    narration(tl, 12),
    "Backward step 6 of 7: v.unbind() received ∂loss/∂a = 5.0 and ∂loss/∂b = 6.0 and sends [5.0, 6.0] to v.",
  );
  // An output no gradient reaches says so, from step.outputs, not from step.grad.
  const split = timeline("split_trace.json");
  assert.deepEqual(texts(stepCard(split, split.F + 5)).slice(0, 2), [
    "nograd: p receives no gradient",
    "arrive: ∂loss/∂q = [2.0, 3.0] + [2.0, 3.0] + [2.0, 2.0] = [6.0, 8.0]",
  ]);
  const max = timeline("max_dim_trace.json");
  assert.equal(
    texts(stepCard(max, max.F + 1))[1],
    "nograd: indices is not differentiable: no gradient flows to it",
  );
});

test("backward() that starts at an op's output starts from that output", () => {
  const tl = timeline("max_builtin_trace.json");
  const card = stepCard(tl, tl.F);
  assert.deepEqual(texts(card), [
    "start: ∂top/∂top = 1 (the seed)",
    // unbind has no formula in the op table: the local derivative is said as such.
    "send: ∂top/∂m = seed · local = [0.0, 1.0, 0.0]",
  ]);
  assert.equal(card.lines[0].note, "backward() starts here with 1");
  assert.deepEqual(frameAt(tl, tl.F).base.outputText[tl.nodeIndex.get("n0")], { 1: "1.0" });
  assert.equal(
    narration(tl, tl.F),
    "Backward step 1 of 2: backward() starts at top with ∂top/∂top = 1.0 and sends [0.0, 1.0, 0.0] to m.",
  );
  assert.deepEqual(texts(stepCard(tl, tl.F + 1)), [
    "arrive: ∂top/∂m = seed · local = [0.0, 1.0, 0.0]",
    "acc: m.grad = [0.0, 1.0, 0.0]",
  ]);
});

test("forward cards show each used output's value, and consumers read that output", () => {
  const tl = timeline("max_min_rows_trace.json");
  const unbind = stepCard(tl, tl.forward.findIndex((s) => s.node === "n1"));
  // max(m) and min(m) each unbind m: the first is m.unbind(), the second t1.
  assert.equal(unbind.heading, "t1: UnbindBackward0 of m");
  assert.deepEqual(texts(unbind).slice(1), ["value: top = 5.0"]);
  assert.equal(unbind.lines[1].note, "output 1");
  const loss = stepCard(tl, tl.F - 1);
  assert.deepEqual(texts(loss), [
    "formula: loss = top - low = 5.0 - (-1.0)",
    "value: loss = 6.0",
  ]);
  assert.equal(narration(tl, tl.F - 1), "Forward step 4 of 4: loss = subtraction of top and low = 6.0.");
  const pair = timeline("unbind_pair_trace.json");
  assert.equal(
    narration(pair, 1),
    "Forward step 2 of 7: v.unbind() = UnbindBackward0 of v gives a = 1.0 and b = 2.0.",
  );
  const max = stepCard(timeline("max_dim_trace.json"), 1);
  assert.deepEqual(
    max.lines.filter((l) => l.kind === "value").map((l) => [l.text, l.note]),
    [
      ["values = [3.0, 6.0]", "output 0 · shape 2"],
      ["indices = [1, 2]", "output 1 · shape 2 · no gradient"],
    ],
  );
});

test("a lesson can name an op's output: its value, gradient and step", () => {
  const tl = timeline("split_trace.json");
  const question = (field) => ({ kind: "number", name: "q", field, phase: null });
  assert.equal(questionAnswer(tl.model, question("value")), 2.0);
  assert.equal(questionAnswer(tl.model, question("grad")), 6.0);
  assert.equal(questionAnswer(tl.model, { ...question("value"), name: "p" }), 1.0);
  assert.equal(pausePosition(tl, { phase: "backward", node: "q" }), tl.F + 5);
});

test("tooltips and the hover readout give each output's numbers and name the edge's output", () => {
  const model = buildModel(fixture("unbind_pair_trace.json"));
  const unbind = model.byId.get("n5");
  assert.equal(
    edgeTitle(model, model, model.edges[4]),
    "b (output 1 of v.unbind()) → b * 5 (input 0)\ngradient flowing back: scalar float32\n5.0",
  );
  assert.match(
    nodeTitle(unbind, modelCards(model).get("n5")),
    /^v\.unbind\(\) · UnbindBackward0\n\na \(output 0\): scalar float32\n1\.0\n∂loss\/∂a: scalar float32\n5\.0\nb \(output 1\)/,
  );
  assert.equal(
    nodeTex(unbind, model),
    [
      "\\text{a} = \\text{1.0}",
      "\\frac{\\partial \\text{loss}}{\\partial \\text{a}} = \\text{5.0}",
      "\\text{b} = \\text{2.0}",
      "\\frac{\\partial \\text{loss}}{\\partial \\text{b}} = \\text{6.0}",
    ].join("\\qquad "),
  );
  // The edge reads b: the local derivative is taken by b, not by the op.
  // ...in the program's names: the number it wrote (5) stands where the formula has a letter.
  assert.equal(
    edgeTex(model.edges[4], model).split("\\qquad ")[0],
    "\\frac{\\partial (\\text{b * 5})}{\\partial \\text{b}} = 5 = \\text{5.0}",
  );
});
