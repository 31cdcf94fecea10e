import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import {
  TRIES,
  firstOwed,
  isClose,
  markPrediction,
  owedAt,
  predictScore,
  questionAt,
} from "../js/core/predict.js";
import { buildTimeline } from "../js/core/timeline.js";
import { fixture, seedTrace } from "./helpers.mjs";

const seed = () => buildTimeline(buildModel(seedTrace()));
// The seed program: 9 forward steps (x, y, w, b enter; then w*x, z, y-z, its square, loss),
// then autograd's 7 backward steps (loss, square, y-z, z, b, w*x, w).
const F = 9;

test("a forward step asks for the op's value, from its inputs", () => {
  const tl = seed();
  const z = questionAt(tl, 5);
  assert.equal(z.order, "forward");
  assert.equal(z.node, "n3");
  assert.equal(z.kind, "number");
  assert.equal(z.expected, 1.9);
  assert.equal(z.key, "p5");
  // The node card's formula, in the program's names, with the inputs' numbers put in.
  assert.equal(z.hint, "z = (w*x) + b = 1.4 + 0.5");
  assert.equal(questionAt(tl, 4).expected, 1.4); // w*x
  assert.equal(questionAt(tl, 4).hint, "w*x = w · x = 1.0 · 1.4");
  assert.equal(questionAt(tl, 7).hint, "(y-z)**2 = (y-z)² = 0.2²"); // the exponent filled in
  // A sum over elements: the formula, and the input's number listed.
  assert.equal(questionAt(tl, 8).hint, "loss = Σᵢ ((y-z)**2)ᵢ, with ((y-z)**2) = 0.04");
});

test("a tensor step's hint lists its inputs; a gradient's formula uses the program's names", () => {
  const tl = buildTimeline(buildModel(fixture("mlp_trace.json")));
  const hints = new Map();
  for (let p = 0; p < tl.end; p++) {
    const q = questionAt(tl, p);
    if (q) hints.set(q.label, q.hint);
  }
  assert.equal(hints.get("relu(t3)[0]"), "relu(t3) = max(0, t3), with t3 = [8×16] μ=0.106");
  // What flows on, when the op table writes it with the upstream gradient: said whole.
  assert.equal(hints.get("∂loss/∂t2[0]"), "∂loss/∂t2 = relu(t3)ᵀ ∂loss/∂t4");
  // A local derivative that is not one number: named, never generic letters.
  assert.equal(
    hints.get("∂loss/∂t4[0]"),
    "∂loss/∂t4 = ∂loss/∂relu(t4) · ∂relu(t4)/∂t4 (∂relu(t4)/∂t4 = [t4 > 0])",
  );
});

test("leaves and constants entering the graph ask nothing: they are the inputs", () => {
  const tl = seed();
  assert.deepEqual(
    [0, 1, 2, 3].map((p) => questionAt(tl, p)),
    [null, null, null, null],
  );
});

test("a backward step asks for the gradient arriving: upstream times local", () => {
  const tl = seed();
  assert.equal(questionAt(tl, F), null); // the seed: backward() starts with 1
  const w = questionAt(tl, F + 6);
  assert.equal(w.node, "n6");
  assert.equal(w.label, "∂loss/∂w");
  assert.equal(w.expected, -0.55999976);
  assert.equal(w.hint, "∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = (-0.4) × 1.4");
  const z = questionAt(tl, F + 3);
  assert.equal(z.expected, -0.39999986);
  assert.equal(z.hint, "∂loss/∂z = ∂loss/∂(y-z) · ∂(y-z)/∂z = 0.4 × (-1.0)");
  assert.equal(questionAt(tl, tl.end), null);
});

test("a gradient fed by several paths asks for the sum of its parts", () => {
  const tl = buildTimeline(buildModel(fixture("used_twice_trace.json")));
  const sums = [];
  for (let p = tl.F; p < tl.end; p++) {
    const q = questionAt(tl, p);
    if (q && / \+ /.test(q.hint)) sums.push(q);
  }
  assert.ok(sums.length > 0);
  for (const q of sums) {
    const terms = q.hint.split(" = ").at(-1).split(" + ");
    const parts = terms.map((t) => Number(t.replace(/[()]/g, "")));
    assert.ok(Math.abs(parts.reduce((a, b) => a + b, 0) - q.expected) < 1e-3, q.hint);
  }
});

test("a tensor with several elements asks for the sign of its first", () => {
  const trace = seedTrace();
  trace.steps.backward[6].grad = { ...trace.steps.backward[6].grad, shape: [2], data: [-0.5, 3] };
  const q = questionAt(buildTimeline(buildModel(trace)), F + 6);
  assert.equal(q.kind, "sign");
  assert.equal(q.expected, -1);
  assert.equal(q.label, "∂loss/∂w[0]");
  // A large gradient sent without its data: nothing to predict.
  trace.steps.backward[6].grad.data = null;
  assert.equal(questionAt(buildTimeline(buildModel(trace)), F + 6), null);
});

test("the first step owed is the first question not yet revealed", () => {
  const tl = seed();
  assert.equal(firstOwed(tl, {}), 4);
  assert.equal(firstOwed(tl, { p4: { done: true } }), 5);
  assert.equal(firstOwed(tl, { p4: { done: false } }), 4); // a wrong first try still owes
  const all = Object.fromEntries(
    Array.from({ length: tl.end }, (_, p) => [`p${p}`, { done: true }]),
  );
  assert.equal(firstOwed(tl, all), null);
});

test("a question is owed only in predict mode, until revealed", () => {
  const tl = seed();
  assert.equal(owedAt(tl, 15, false, {}), null);
  assert.equal(owedAt(tl, 15, true, {}).node, "n6");
  assert.equal(owedAt(tl, 15, true, { p15: { done: false } }).node, "n6");
  assert.equal(owedAt(tl, 15, true, { p15: { done: true } }), null);
  assert.equal(owedAt(tl, 2, true, {}), null);
  assert.equal(owedAt(null, 15, true, {}), null);
});

test("answers are close within 1e-2 relative or 1e-3 absolute", () => {
  assert.ok(isClose(-0.56, -0.55999976));
  assert.ok(isClose(-0.555, -0.56)); // within 1%
  assert.ok(!isClose(-0.55, -0.56));
  assert.ok(isClose(0.0009, 0)); // near zero, the absolute tolerance
  assert.ok(!isClose(0.002, 0));
  assert.ok(!isClose(Number.NaN, 1));
  assert.ok(isClose(-1, -1, "sign"));
  assert.ok(!isClose(1, -1, "sign"));
});

test("a wrong first try gets the hint and another; the second reveals", () => {
  const q = questionAt(seed(), F + 6);
  const first = markPrediction(q, -0.4, undefined);
  assert.deepEqual(first, {
    given: -0.4,
    expected: -0.55999976,
    correct: false,
    tries: 1,
    done: false,
    hint: q.hint,
  });
  const second = markPrediction(q, -0.3, first);
  assert.equal(second.tries, TRIES);
  assert.equal(second.done, true);
  assert.equal(second.correct, false);
  const right = markPrediction(q, -0.56, first);
  assert.deepEqual([right.correct, right.done, right.tries], [true, true, 2]);
  const gaveUp = markPrediction(q, null, undefined);
  const { given, correct, done, tries } = gaveUp;
  assert.deepEqual([given, correct, done, tries], [null, false, true, 0]);
});

test("the score counts revealed predictions, right out of revealed", () => {
  const answers = {
    p4: { correct: true, done: true },
    p5: { correct: false, done: true },
    p6: { correct: false, done: false },
    question: { correct: true },
  };
  assert.deepEqual(predictScore(answers), { right: 1, total: 2 });
  assert.deepEqual(predictScore({}), { right: 0, total: 0 });
});
