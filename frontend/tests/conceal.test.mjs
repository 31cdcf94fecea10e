import assert from "node:assert/strict";
import { test } from "node:test";
import {
  HIDDEN,
  askedAt,
  concealment,
  maskFrame,
  shownOf,
  shownTrace,
} from "../js/core/conceal.js";
import { buildModel } from "../js/core/model.js";
import { narration, stepRows } from "../js/core/narration.js";
import { questionAt } from "../js/core/predict.js";
import { stepCard } from "../js/core/stepcard.js";
import { buildTimeline, frameAt } from "../js/core/timeline.js";
import { seedTrace } from "./helpers.mjs";

// The seed program: 9 forward steps (x, y, w, b enter; then w*x, z, y-z, its square, loss),
// then autograd's 7 backward steps (loss, square, y-z, z, b, w*x, w).
const F = 9;

/** A state holding the seed program's trace; `answered`: positions whose question is revealed. */
function seedState({ predict = false, answered = [], lesson = null } = {}) {
  const trace = seedTrace();
  const model = buildModel(trace);
  const timeline = buildTimeline(model);
  const answers = Object.fromEntries(answered.map((p) => [`p${p}`, { done: true }]));
  const lessons = lesson ? [lesson] : null;
  return { trace, model, timeline, predict, answers, lesson: lesson?.id ?? null, lessons };
}

/** Positions 0..p-1 (every question before p revealed). */
const upTo = (p) => Array.from({ length: p }, (_, k) => k);

const lessonOn = (name, field = "grad") => ({
  id: "l",
  question: { kind: "number", name, field, phase: null, prompt: "?", tolerance: 0.01 },
  pauses: [],
});

test("nothing is concealed outside predict mode and without a lesson question", () => {
  const state = seedState();
  const shown = shownOf(state);
  assert.equal(shown.conceal.active, false);
  assert.equal(shown.model, state.model);
  assert.equal(shown.timeline, state.timeline);
  assert.equal(shownTrace(state), state.trace);
});

test("predict mode conceals every number from the first step owed on", () => {
  const state = seedState({ predict: true });
  const c = concealment(state);
  assert.equal(c.frontier, 4); // w*x, the first op
  assert.deepEqual([...c.values].sort(), ["n0", "n1", "n2", "n3", "n4"]);
  assert.deepEqual([...c.steps], [F, F + 1, F + 2, F + 3, F + 4, F + 5, F + 6]);
  const text = JSON.stringify(shownTrace(state));
  // The inputs stay; w*x, z, loss, the gradients and the output do not.
  for (const shown of ["2.1", "0.5", "1.4"]) assert.ok(text.includes(shown), shown);
  for (const hidden of ["1.9", "0.039999973", "-0.55999976", "-0.39999986", "dL/dw"]) {
    assert.ok(!text.includes(hidden), hidden);
  }
});

test("the card at the step owed shows what to work it out from, the answer as ?", () => {
  const state = seedState({ predict: true, answered: upTo(F + 6) });
  const shown = shownOf(state);
  assert.equal(shown.conceal.frontier, F + 6);
  const card = stepCard(shown.timeline, F + 6);
  assert.match(card.lines[0].text, /= \(-0\.4\)\(1\.4\) = \?$/);
  assert.equal(card.lines[1].text, "w.grad = ?");
  assert.match(narration(shown.timeline, F + 6), /∂loss\/∂w = \? and stores it/);
  // The step before sent w its gradient: that part is concealed there too.
  assert.match(stepCard(shown.timeline, F + 5).lines.at(-2).text, /= \?$/);
  // The done card and the steps table.
  const done = stepCard(shown.timeline, shown.timeline.end).lines.map((l) => l.text);
  assert.deepEqual(done, ["∂loss/∂b = -0.4", "∂loss/∂w = ?"]);
  assert.ok(stepRows(shown.timeline).every((r) => !/-0\.56/.test(r.text)));
});

test("a forward step owed conceals its value and every later one, card and graph", () => {
  const state = seedState({ predict: true, answered: [4] });
  const shown = shownOf(state);
  const card = stepCard(shown.timeline, 5);
  assert.equal(card.lines.at(-1).text, "z = ?");
  const frame = maskFrame(frameAt(shown.timeline, 5), shown);
  const byId = (list) => Object.fromEntries(state.model.nodes.map((n, i) => [n.id, list[i]]));
  assert.deepEqual(byId(frame.base.valueText), {
    n0: HIDDEN,
    n1: HIDDEN,
    n2: HIDDEN,
    n3: HIDDEN,
    n4: null,
    n5: null,
    n6: null,
    n7: null,
    n8: null,
  });
  // Every gradient is still to come: none is drawn (constants have none to draw).
  assert.deepEqual(byId(frame.base.gradText), {
    n0: HIDDEN,
    n1: HIDDEN,
    n2: HIDDEN,
    n3: HIDDEN,
    n4: HIDDEN,
    n5: HIDDEN,
    n6: HIDDEN,
    n7: null,
    n8: null,
  });
  // The local derivatives wait for the values they are worked out from.
  const pow = shown.model.edges.find((e) => e.target === "n1");
  assert.equal(pow.local.concealed, true);
  const mulW = shown.model.edges.find((e) => e.source === "n6");
  assert.equal(mulW.local.data[0], 1.4);
});

test("once every question is revealed, nothing is concealed", () => {
  const state = seedState({ predict: true, answered: upTo(F + 7) });
  const shown = shownOf(state);
  assert.equal(shown.conceal.active, false);
  assert.equal(shown.conceal.frontier, null);
  assert.equal(questionAt(state.timeline, F + 6).expected, -0.55999976);
});

test("an open lesson question conceals what it asks for, and what gives it away", () => {
  const onW = shownOf(seedState({ lesson: lessonOn("w") }));
  assert.equal(onW.conceal.lesson, true);
  assert.deepEqual([...onW.conceal.steps], [F + 6]);
  assert.equal(onW.model.byId.get("n6").grad.concealed, true);
  assert.equal(onW.model.byId.get("n5").grad.data, -0.39999986); // b's is not asked
  assert.equal(onW.model.stdout, "");
  // z's gradient gives away those upstream of it: w*x, w and b.
  const onZ = concealment(seedState({ lesson: lessonOn("z") }));
  assert.deepEqual([...onZ.steps].sort(), [F + 3, F + 4, F + 5, F + 6]);
  // A value question conceals the value and what is computed from it.
  const onValue = concealment(seedState({ lesson: lessonOn("z", "value") }));
  assert.deepEqual([...onValue.values].sort(), ["n0", "n1", "n2", "n3"]);
  // Answered (or revealed), the question conceals nothing.
  const answered = seedState({ lesson: lessonOn("w") });
  answered.answers = { question: { given: -0.56, expected: -0.55999976, correct: true } };
  assert.equal(concealment(answered).active, false);
});

test("the same concealment gives the same shown model; a new answer a new one", () => {
  const state = seedState({ predict: true, answered: [4] });
  const first = shownOf(state);
  assert.equal(shownOf({ ...state }), first);
  const next = shownOf({ ...state, answers: { ...state.answers, p5: { done: true } } });
  assert.notEqual(next, first);
  assert.equal(next.conceal.frontier, 6);
});

test("a prediction the open lesson question asks for is left to the lesson", () => {
  const before = seedState({ predict: true, answered: upTo(F + 5), lesson: lessonOn("w") });
  assert.equal(askedAt(before, F + 5).expected, -0.39999986); // w*x's: predicted
  assert.equal(concealment(before).frontier, F + 5);
  const state = seedState({ predict: true, answered: upTo(F + 6), lesson: lessonOn("w") });
  assert.equal(askedAt(state, F + 6), null); // w's gradient: the lesson's question asks it
  const c = concealment(state);
  assert.equal(c.frontier, null); // nothing owed
  assert.deepEqual([...c.steps], [F + 6]); // and still concealed, by the lesson
  assert.equal(askedAt({ ...state, predict: false }, F + 5), null);
});

test("the lesson's question answered, its number is shown and never asked again", () => {
  const state = seedState({ predict: true, answered: upTo(F + 6), lesson: lessonOn("w") });
  state.answers.question = { given: -0.56, expected: -0.55999976, correct: true };
  const c = concealment(state);
  assert.equal(c.active, false);
  assert.equal(askedAt(state, F + 6), null);
});
