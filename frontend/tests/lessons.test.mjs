import assert from "node:assert/strict";
import { test } from "node:test";
import {
  firstElement,
  isRight,
  nextPause,
  parseAnswer,
  pausePosition,
  questionAnswer,
  score,
} from "../js/core/lessons.js";
import { buildModel } from "../js/core/model.js";
import { buildTimeline } from "../js/core/timeline.js";
import { fixture, seedTrace } from "./helpers.mjs";

const seed = () => buildTimeline(buildModel(seedTrace()));

test("a pause names a node by variable or op name and lands on its step", () => {
  const tl = seed();
  // 9 forward steps; autograd ran loss, pow, sub, z, b, mul, w.
  assert.equal(pausePosition(tl, { phase: "backward", node: "w" }), 9 + 6);
  assert.equal(pausePosition(tl, { phase: "backward", node: "MulBackward0" }), 9 + 5);
  assert.equal(tl.forward[pausePosition(tl, { phase: "forward", node: "loss" })].node, "n0");
  assert.equal(pausePosition(tl, { phase: "backward", node: "nothing" }), null);
});

test("next pause is the first after the current position, wrapping round", () => {
  assert.equal(nextPause([15, 3, null], 0), 3);
  assert.equal(nextPause([15, 3, null], 3), 15);
  assert.equal(nextPause([15, 3, null], 15), 3);
  assert.equal(nextPause([null], 0), null);
});

test("a number question is checked against the traced grad, or .grad after a phase", () => {
  const model = buildModel(seedTrace());
  assert.equal(questionAnswer(model, { kind: "number", name: "w", field: "grad" }), -0.55999976);
  assert.equal(questionAnswer(model, { kind: "number", name: "z", field: "grad" }), -0.39999986);
  const twice = buildModel(fixture("accumulate_trace.json"));
  const q = { kind: "number", name: "w", field: "grad", phase: 1 };
  assert.equal(questionAnswer(twice, q), 8.0);
  assert.equal(questionAnswer(twice, { ...q, phase: 0 }), 4.0);
  assert.equal(questionAnswer(model, { kind: "choice", name: null }), null);
});

test("answers are right within a relative tolerance, or by sign when it is 0", () => {
  assert.ok(isRight(-0.56, -0.55999976, 0.01));
  assert.ok(!isRight(-0.6, -0.55999976, 0.01));
  assert.ok(!isRight(0.56, -0.55999976, 0.01));
  assert.ok(isRight(-1, -0.3, 0));
  assert.ok(!isRight(1, -0.3, 0));
  assert.ok(!isRight(Number.NaN, 1, 0.01));
  assert.equal(firstElement({ data: [[2, 3]] }), 2);
  assert.equal(firstElement({ data: "nan" }), Number.NaN);
  assert.equal(firstElement({ data: null }), null);
});

test("the score counts right answers out of those given", () => {
  assert.deepEqual(score({}), { right: 0, total: 0 });
  const answers = {
    p15: { correct: true, done: true },
    p14: { correct: false, done: true },
    p13: { correct: false, done: false }, // a wrong first try: not yet counted
    question: { correct: true },
  };
  assert.deepEqual(score(answers), { right: 2, total: 3 });
});

test("typed answers accept a minus sign and a decimal comma", () => {
  assert.equal(parseAnswer(" −0.56 "), -0.56);
  assert.equal(parseAnswer("-0,56"), -0.56);
  assert.ok(Number.isNaN(parseAnswer("")));
  assert.ok(Number.isNaN(parseAnswer("abc")));
});
