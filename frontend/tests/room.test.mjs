import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import { questionAt } from "../js/core/predict.js";
import {
  PREDICT_TOLERANCE,
  answerKey,
  classAnswers,
  givenValue,
  openQuestion,
  pickedCallOf,
  programKey,
  roomOfHash,
  roomShown,
  runKey,
  seenAfter,
  spokenCode,
  tallyBars,
  tallyQuery,
} from "../js/core/room.js";
import { initialState } from "../js/core/state.js";
import { buildTimeline } from "../js/core/timeline.js";
import { fixture, seedTrace, wireFixture } from "./helpers.mjs";

// The seed program: 9 forward steps (x, y, w, b enter; then w*x, z, y-z, its square, loss),
// then autograd's 7 backward steps (loss, square, y-z, z, b, w*x, w); the end is 16.
const F = 9;
const END = 16;
/** What makes this run's question ids its own ("<page>.<run>"). */
const PREFIX = "abc12.3";

/** The seed program's source: the examples' first one is written from the same constant. */
const SOURCE = wireFixture("examples.json").find((e) => e.id === "linear-regression").source;
/** The inputs the run was made with (recording), and some others (the editor's now). */
const RUN_INPUTS = { w: { value: 1.0, requires_grad: true } };
const EDITOR_INPUTS = { x: { value: [1.4], requires_grad: false } };

/** A traced number of the seed program, from its fixture: a node's first value or gradient. */
function traced(name, field) {
  let data = seedTrace().nodes.find((n) => n.name === name)[field].data;
  while (Array.isArray(data)) data = data[0];
  return data;
}
const Z = traced("z", "value");
const W_GRAD = traced("w", "grad");
const WX = seedTrace().nodes.find((n) => n.shown === "w*x").value.data[0];

/** A lesson on the seed program asking `question`. */
const lessonAsking = (id, question) => ({
  id,
  number: 1,
  title: id,
  explanation: "",
  source: SOURCE,
  pauses: [],
  question,
});
const Z_LESSON = lessonAsking("z-value", {
  prompt: "What is z after the forward pass?",
  kind: "number",
  name: "z",
  field: "value",
  phase: null,
  tolerance: 0.01,
});
const W_LESSON = lessonAsking("w-grad", {
  prompt: "What is dL/dw?",
  kind: "number",
  name: "w",
  field: "grad",
  phase: null,
  tolerance: 0.05,
});
const CHOICE_LESSON = lessonAsking("w-moves", {
  prompt: "Which way does gradient descent move w?",
  kind: "choice",
  options: ["up", "down", "it stays"],
  answer: "up",
  tolerance: 0.01,
});

/**
 * A page holding the seed program's run: `answers` its own ("p<position>", "question"),
 * `recording` what was run (null: an error's partial graph, or nothing recorded).
 */
function seedState({ predict = false, answers = {}, lesson = null, recording = true } = {}) {
  const trace = seedTrace();
  const model = buildModel(trace);
  return {
    ...initialState("# edited since the run", []),
    status: "done",
    trace,
    recording: recording
      ? { trace: wireFixture("seed_trace.json"), source: SOURCE, variables: RUN_INPUTS }
      : null,
    model,
    timeline: buildTimeline(model),
    predict,
    answers,
    lesson: lesson?.id ?? null,
    lessons: lesson ? [lesson] : null,
  };
}

/** Answers revealing the questions at `positions`. */
const revealing = (...positions) =>
  Object.fromEntries(positions.map((p) => [`p${p}`, { done: true }]));

test("a hash names a room by its code, in any case and with the spoken dash", () => {
  assert.equal(roomOfHash("#room=7QK3M9TBXD"), "7QK3M9TBXD");
  assert.equal(roomOfHash("#room=7qk3m-9tbxd"), "7QK3M9TBXD");
  assert.equal(roomOfHash("#step=4&room=7qk3m-9tbxd&predict=1"), "7QK3M9TBXD");
  assert.equal(roomOfHash("#room=7QK3M9TBXD&step=4"), "7QK3M9TBXD");
  assert.equal(roomOfHash("#step=4&room=7QK3M9TBXD"), "7QK3M9TBXD");
});

test("a hash without a room, or with a damaged code, names none", () => {
  const damaged = [
    undefined,
    null,
    "",
    "#",
    "#step=4&predict=1",
    "#room=",
    "#room=7QK", // too short
    "#room=7QK3M9TBXD7QK3M9TBXD7QK3M", // too long
    "#room=7QK3M!9TBXD",
    "#room=7QK3M 9TBXD",
    "#classroom=7QK3M9TBXD", // another parameter ending in "room"
    "room=7QK3M9TBXD", // not a hash
    "#room=----", // dashes only: no code at all
  ];
  assert.deepEqual(
    damaged.map((hash) => roomOfHash(hash)),
    damaged.map(() => null),
  );
});

test("a ten-symbol code is read aloud as two groups of five", () => {
  assert.equal(spokenCode("7QK3M9TBXD"), "7QK3M-9TBXD");
  assert.equal(spokenCode("ABCD"), "ABCD"); // not a room's code: as it is
});

test("in predict mode a forward op's step asks the class for its value", () => {
  const state = seedState({ predict: true });
  assert.deepEqual(openQuestion(state, 5, PREFIX), {
    request: { id: "abc12.3.p5", prompt: "What is z?", kind: "number", options: [] },
    key: "p5",
    revealed: false,
    expected: Z,
    option: null,
    tolerance: 0.01,
  });
  assert.equal(PREDICT_TOLERANCE, 0.01);
  assert.equal(openQuestion(state, 4, PREFIX).request.prompt, "What is (w*x)?");
  assert.equal(openQuestion(state, 4, PREFIX).expected, WX);
});

test("a backward step asks the class for the gradient arriving", () => {
  const state = seedState({ predict: true });
  assert.deepEqual(openQuestion(state, F + 6, PREFIX), {
    request: { id: "abc12.3.p15", prompt: "What is ∂loss/∂w?", kind: "number", options: [] },
    key: "p15",
    revealed: false,
    expected: W_GRAD,
    option: null,
    tolerance: 0.01,
  });
});

test("the question stays open after a wrong first try, and is revealed once done", () => {
  const tried = seedState({ predict: true, answers: { p5: { done: false, tries: 1 } } });
  assert.equal(openQuestion(tried, 5, PREFIX).revealed, false);
  const done = openQuestion(seedState({ predict: true, answers: revealing(5) }), 5, PREFIX);
  assert.deepEqual(done, {
    request: { id: "abc12.3.p5", prompt: "What is z?", kind: "number", options: [] },
    key: "p5",
    revealed: true,
    expected: Z,
    option: null,
    tolerance: 0.01,
  });
});

test("a leaf's step and the seed of backward() ask nothing", () => {
  const state = seedState({ predict: true });
  assert.equal(openQuestion(state, 2, PREFIX), null);
  assert.equal(openQuestion(state, F, PREFIX), null);
  const shown = roomShown(state, 2, PREFIX, EDITOR_INPUTS);
  assert.equal(shown.question, null);
  assert.equal(shown.revealed, false);
  // Outside predict mode and without a lesson, no step asks anything.
  assert.equal(openQuestion(seedState(), 5, PREFIX), null);
});

test("a tensor with several elements asks the sign of its first: relative tolerance 0", () => {
  const trace = fixture("mlp_trace.json");
  const model = buildModel(trace);
  const timeline = buildTimeline(model);
  const state = { ...initialState("mlp"), trace, model, timeline, predict: true };
  const position = Array.from({ length: timeline.end }, (_, p) => p).find(
    (p) => questionAt(timeline, p)?.kind === "sign",
  );
  const asked = questionAt(timeline, position);
  const open = openQuestion(state, position, PREFIX);
  assert.deepEqual(open.request, {
    id: `abc12.3.p${position}`,
    prompt: `What is the sign of ${asked.label}: −1, 0 or 1?`,
    kind: "number",
    options: [],
  });
  assert.equal(open.expected, asked.expected);
  assert.equal(open.tolerance, 0);
  assert.equal(tallyQuery(open), `expected=${asked.expected}&tolerance=0`);
});

test("the teacher's page publishes its program as run, its step and the open question", () => {
  const state = seedState({ predict: true });
  assert.deepEqual(roomShown(state, 5, PREFIX, EDITOR_INPUTS), {
    source: SOURCE,
    variables: RUN_INPUTS,
    lesson: null,
    call: null,
    run: "abc12.3",
    step: 5,
    mode: "forward",
    predict: true,
    question: { id: "abc12.3.p5", prompt: "What is z?", kind: "number", options: [] },
    revealed: false,
  });
  const revealed = roomShown(seedState({ predict: true, answers: revealing(5) }), 5, PREFIX, {});
  assert.equal(revealed.revealed, true);
  assert.equal(revealed.question.id, "abc12.3.p5");
});

test("without a recording the page publishes the editor's program and the inputs given", () => {
  const shown = roomShown(seedState({ recording: false }), 3, PREFIX, EDITOR_INPUTS);
  assert.equal(shown.source, "# edited since the run");
  assert.equal(shown.variables, EDITOR_INPUTS);
  assert.equal(shown.predict, false);
  assert.equal(shown.question, null);
  // Nothing run yet: no timeline, no question, the start of the forward pass.
  const empty = roomShown(initialState("print(1)"), 0, PREFIX, {});
  assert.deepEqual(empty, {
    source: "print(1)",
    variables: {},
    lesson: null,
    call: null,
    run: "abc12.3",
    step: 0,
    mode: "forward",
    predict: false,
    question: null,
    revealed: false,
  });
});

test("the published mode is forward before F, backward up to the end, done at the end", () => {
  const state = seedState();
  const modeAt = (p) => roomShown(state, p, PREFIX, {}).mode;
  assert.deepEqual(
    [0, F - 1, F, END - 1, END].map(modeAt),
    ["forward", "forward", "backward", "backward", "done"],
  );
});

test("what the teacher's page publishes never holds torch's answer", () => {
  const open = seedState({ predict: true });
  const revealed = seedState({
    predict: true,
    answers: revealing(...Array.from({ length: END }, (_, p) => p)),
  });
  const checked = [];
  for (let p = 0; p <= END; p++) {
    const q = questionAt(open.timeline, p);
    if (!q || SOURCE.includes(String(q.expected))) continue; // 1.4 and 1 are in the program
    checked.push(q.expected);
    for (const state of [open, revealed]) {
      const text = JSON.stringify(roomShown(state, p, PREFIX, {}));
      assert.ok(!text.includes(String(q.expected)), `${p}: ${text}`);
    }
  }
  assert.ok(checked.includes(Z) && checked.includes(W_GRAD), String(checked));
  assert.ok(!SOURCE.includes(String(Z)));
  // A lesson's number question: its prompt and id only.
  const lesson = seedState({ lesson: Z_LESSON, answers: { question: { given: 2 } } });
  assert.ok(!JSON.stringify(roomShown(lesson, 12, PREFIX, {})).includes(String(Z)));
});

test("a lesson's number question is open at every step, checked against the traced number", () => {
  const state = seedState({ lesson: Z_LESSON });
  const open = openQuestion(state, 2, PREFIX);
  assert.deepEqual(open, {
    request: {
      id: "abc12.3.question",
      prompt: "What is z after the forward pass?",
      kind: "number",
      options: [],
    },
    key: "question",
    revealed: false,
    expected: Z,
    option: null,
    tolerance: 0.01,
  });
  assert.deepEqual(openQuestion(state, END, PREFIX), open);
  assert.equal(tallyQuery(open), `expected=${Z}&tolerance=0.01`);
  const answered = seedState({ lesson: Z_LESSON, answers: { question: { given: 2 } } });
  assert.equal(openQuestion(answered, 2, PREFIX).revealed, true);
  const shown = roomShown(answered, 2, PREFIX, {});
  assert.equal(shown.lesson, "z-value");
  assert.equal(shown.revealed, true);
});

test("a lesson's question keeps its own tolerance; a number not in the trace asks nothing", () => {
  assert.equal(openQuestion(seedState({ lesson: W_LESSON }), 0, PREFIX).tolerance, 0.05);
  assert.equal(openQuestion(seedState({ lesson: W_LESSON }), 0, PREFIX).expected, W_GRAD);
  const missing = lessonAsking("missing", { ...Z_LESSON.question, name: "nowhere" });
  assert.equal(openQuestion(seedState({ lesson: missing }), 0, PREFIX), null);
  // Its lesson not loaded yet: nothing open.
  const unloaded = { ...seedState({ lesson: Z_LESSON }), lessons: null };
  assert.equal(openQuestion(unloaded, 0, PREFIX), null);
});

test("a lesson's choice question offers its options, the right one kept back", () => {
  const state = seedState({ lesson: CHOICE_LESSON });
  const open = openQuestion(state, F + 2, PREFIX);
  assert.deepEqual(open, {
    request: {
      id: "abc12.3.question",
      prompt: "Which way does gradient descent move w?",
      kind: "choice",
      options: ["up", "down", "it stays"],
    },
    key: "question",
    revealed: false,
    expected: null,
    option: "up",
    tolerance: 0.01,
  });
  // A copy: the published request cannot change the lesson.
  assert.notEqual(open.request.options, CHOICE_LESSON.question.options);
  // Published: the request alone, never which option is right.
  const shown = roomShown(state, F + 2, PREFIX, {});
  assert.deepEqual(shown.question, open.request);
  assert.deepEqual(Object.keys(shown), [
    "source",
    "variables",
    "lesson",
    "call",
    "run",
    "step",
    "mode",
    "predict",
    "question",
    "revealed",
  ]);
});

test("a step's prediction comes before the lesson's question, which asks its own number", () => {
  const state = seedState({ predict: true, lesson: W_LESSON });
  assert.equal(openQuestion(state, 4, PREFIX).request.id, "abc12.3.p4");
  assert.equal(openQuestion(state, F + 3, PREFIX).request.id, "abc12.3.p12");
  // ∂loss/∂w is the lesson's question: at w's step the lesson asks it, with its tolerance.
  const atW = openQuestion(state, F + 6, PREFIX);
  assert.equal(atW.request.id, "abc12.3.question");
  assert.equal(atW.request.prompt, "What is dL/dw?");
  assert.equal(atW.expected, W_GRAD);
  assert.equal(atW.tolerance, 0.05);
  // At a leaf's step nothing is predicted: the lesson's question is open.
  assert.equal(openQuestion(state, 1, PREFIX).key, "question");
});

test("a student holds every prediction before the teacher's step, marked against the trace", () => {
  const teacher = roomShown(seedState({ predict: true }), 6, PREFIX, {});
  const student = seedState(); // its own predict mode is off: the teacher's counts
  const { timeline } = student;
  const sent = { p4: 1.4, p5: 2.0, p6: 0.2 }; // p6: the teacher's step, not yet revealed
  const answers = classAnswers(student, teacher, { sent, revealed: [] });
  assert.deepEqual(answers, {
    p4: {
      given: 1.4,
      expected: WX,
      correct: true,
      tries: 1,
      done: true,
      hint: questionAt(timeline, 4).hint,
    },
    p5: {
      given: 2.0,
      expected: Z,
      correct: false,
      tries: 1,
      done: true,
      hint: questionAt(timeline, 5).hint,
    },
  });
});

test("a prediction the student did not send is revealed with no answer given", () => {
  const teacher = roomShown(seedState({ predict: true }), 6, PREFIX, {});
  const answers = classAnswers(seedState(), teacher, { sent: {}, revealed: [] });
  assert.deepEqual(Object.keys(answers), ["p4", "p5"]);
  assert.deepEqual(answers.p5, {
    given: null,
    expected: Z,
    correct: false,
    tries: 0,
    done: true,
    hint: questionAt(seedState().timeline, 5).hint,
  });
});

test("the teacher's own step counts once revealed, by the teacher or seen revealed", () => {
  const sent = { p6: 0.2 };
  const open = roomShown(seedState({ predict: true }), 6, PREFIX, {});
  const shut = roomShown(seedState({ predict: true, answers: revealing(6) }), 6, PREFIX, {});
  assert.equal(shut.revealed, true);
  assert.deepEqual(Object.keys(classAnswers(seedState(), open, { sent, revealed: [] })), [
    "p4",
    "p5",
  ]);
  const byTeacher = classAnswers(seedState(), shut, { sent, revealed: [] });
  assert.deepEqual(Object.keys(byTeacher), ["p4", "p5", "p6"]);
  assert.equal(byTeacher.p6.given, 0.2);
  assert.equal(byTeacher.p6.correct, true); // 0.19999993 within 1 %
  const seen = classAnswers(seedState(), open, { sent, revealed: ["p6"] });
  assert.deepEqual(seen.p6, byTeacher.p6);
});

test("in the backward pass every earlier step with a question is held; the seed asks none", () => {
  const teacher = roomShown(seedState({ predict: true }), F + 6, PREFIX, {});
  const answers = classAnswers(seedState(), teacher, { sent: {}, revealed: [] });
  assert.deepEqual(Object.keys(answers), [
    "p4",
    "p5",
    "p6",
    "p7",
    "p8",
    "p10",
    "p11",
    "p12",
    "p13",
    "p14",
  ]);
});

test("outside predict mode, or before the program has run, a student holds no prediction", () => {
  const plain = roomShown(seedState(), F + 6, PREFIX, {});
  assert.deepEqual(classAnswers(seedState(), plain, { sent: { p4: 1.4 }, revealed: [] }), {});
  const teacher = roomShown(seedState({ predict: true }), F + 6, PREFIX, {});
  const notRun = initialState("");
  assert.deepEqual(classAnswers(notRun, teacher, { sent: {}, revealed: [] }), {});
});

test("a lesson's number question is answered on a student's page only once revealed", () => {
  const student = seedState({ lesson: Z_LESSON });
  const open = roomShown(seedState({ lesson: Z_LESSON }), 3, PREFIX, {});
  const shut = roomShown(
    seedState({ lesson: Z_LESSON, answers: { question: { given: 2 } } }),
    3,
    PREFIX,
    {},
  );
  assert.equal(open.question.id, "abc12.3.question");
  assert.deepEqual(classAnswers(student, open, { sent: { question: 1.9 }, revealed: [] }), {});
  assert.deepEqual(classAnswers(student, shut, { sent: { question: 1.9 }, revealed: [] }), {
    question: { given: 1.9, expected: Z, correct: true },
  });
  assert.deepEqual(classAnswers(student, shut, { sent: { question: 2.5 }, revealed: [] }), {
    question: { given: 2.5, expected: Z, correct: false },
  });
  assert.deepEqual(classAnswers(student, shut, { sent: {}, revealed: [] }), {
    question: { given: null, expected: Z, correct: false },
  });
  assert.deepEqual(classAnswers(student, open, { sent: {}, revealed: ["question"] }), {
    question: { given: null, expected: Z, correct: false },
  });
});

test("a lesson's choice question is marked right for the right option only", () => {
  const student = seedState({ lesson: CHOICE_LESSON });
  const shut = roomShown(
    seedState({ lesson: CHOICE_LESSON, answers: { question: { given: "down" } } }),
    0,
    PREFIX,
    {},
  );
  assert.deepEqual(classAnswers(student, shut, { sent: { question: "up" }, revealed: [] }), {
    question: { given: "up", expected: "up", correct: true },
  });
  assert.deepEqual(classAnswers(student, shut, { sent: { question: "down" }, revealed: [] }), {
    question: { given: "down", expected: "up", correct: false },
  });
});

/** A RoomAnswersOut of a number question. */
const numberTally = (bins) => ({
  question: "abc12.3.p5",
  kind: "number",
  count: bins.reduce((n, b) => n + b.count, 0),
  bins,
  choices: [],
  right: null,
  wrong: null,
});

test("a number question's bars are its bins, the one holding torch's number marked", () => {
  const tally = numberTally([
    { low: -1, high: 0.5, count: 1 },
    { low: 0.5, high: 1.9, count: 4 },
    { low: 1.9, high: 2.6, count: 2 },
  ]);
  assert.deepEqual(tallyBars(tally, { expected: 1.9, option: null }), [
    { label: "-1.0 – 0.5", count: 1, share: 0.25, right: false },
    { label: "0.5 – 1.9", count: 4, share: 1, right: false },
    { label: "1.9 – 2.6", count: 2, share: 0.5, right: true },
  ]);
  // A bin holds its low end, not its high one; the last bin holds both.
  const rightAt = (expected) =>
    tallyBars(tally, { expected, option: null }).map((b) => b.right);
  assert.deepEqual(rightAt(0.5), [false, true, false]);
  assert.deepEqual(rightAt(-1), [true, false, false]);
  assert.deepEqual(rightAt(2.6), [false, false, true]);
  assert.deepEqual(rightAt(-1.5), [false, false, false]);
  assert.deepEqual(rightAt(3), [false, false, false]);
});

test("when every answer is the same number there is one bar, named by it", () => {
  const tally = numberTally([{ low: -0.56, high: -0.56, count: 3 }]);
  assert.deepEqual(tallyBars(tally, { expected: -0.56, option: null }), [
    { label: "-0.56", count: 3, share: 1, right: true },
  ]);
  assert.deepEqual(tallyBars(tally, { expected: -0.4, option: null })[0].right, false);
});

test("a choice question's bars are its options in order, the right one marked", () => {
  const tally = {
    question: "abc12.3.question",
    kind: "choice",
    count: 4,
    bins: [],
    choices: [
      { option: "up", count: 3 },
      { option: "down", count: 1 },
      { option: "it stays", count: 0 },
    ],
    right: 3,
    wrong: 1,
  };
  assert.deepEqual(tallyBars(tally, { expected: null, option: "down" }), [
    { label: "up", count: 3, share: 1, right: false },
    { label: "down", count: 1, share: 1 / 3, right: true },
    { label: "it stays", count: 0, share: 0, right: false },
  ]);
  // What is right not known: no bar is marked.
  assert.deepEqual(
    tallyBars(tally, null).map((b) => b.right),
    [false, false, false],
  );
});

test("without what is right no bar is marked; without answers every bar is empty", () => {
  const tally = numberTally([
    { low: 0, high: 1, count: 2 },
    { low: 1, high: 2, count: 1 },
  ]);
  assert.deepEqual(
    tallyBars(tally, { expected: null, option: null }).map((b) => b.right),
    [false, false],
  );
  assert.deepEqual(
    tallyBars(tally, null).map((b) => b.right),
    [false, false],
  );
  const none = numberTally([
    { low: 0, high: 1, count: 0 },
    { low: 1, high: 2, count: 0 },
  ]);
  assert.deepEqual(
    tallyBars(none, { expected: 0.5, option: null }).map((b) => [b.share, b.right]),
    [
      [0, true],
      [0, false],
    ],
  );
});

test("the tally's query says what is right: an option, or a number with its tolerance", () => {
  assert.equal(tallyQuery({ expected: null, option: "up", tolerance: 0.01 }), "expected_option=up");
  assert.equal(
    tallyQuery({ expected: null, option: "it stays & more", tolerance: 0.01 }),
    "expected_option=it+stays+%26+more",
  );
  assert.equal(
    tallyQuery({ expected: 2.6, option: null, tolerance: 0.01 }),
    "expected=2.6&tolerance=0.01",
  );
  assert.equal(tallyQuery({ expected: -1, option: null, tolerance: 0 }), "expected=-1&tolerance=0");
  // Torch's number unknown: the server counts answers, not right ones.
  assert.equal(tallyQuery({ expected: null, option: null, tolerance: 0.01 }), "");
  // The real questions.
  const choice = openQuestion(seedState({ lesson: CHOICE_LESSON }), 0, PREFIX);
  assert.equal(tallyQuery(choice), "expected_option=up");
  const z = openQuestion(seedState({ predict: true }), 5, PREFIX);
  assert.equal(tallyQuery(z), `expected=${Z}&tolerance=0.01`);
});

test("a typed answer is read as a number, or as one of the options", () => {
  const number = { id: "abc12.3.p5", prompt: "What is z?", kind: "number", options: [] };
  assert.equal(givenValue(number, "−0.56"), -0.56); // the minus sign, U+2212
  assert.equal(givenValue(number, "-0,56"), -0.56);
  assert.equal(givenValue(number, " 1.9 "), 1.9);
  assert.equal(givenValue(number, "abc"), null);
  assert.equal(givenValue(number, ""), null);
  assert.equal(givenValue(number, "Infinity"), null);
  const choice = {
    id: "abc12.3.question",
    prompt: "Which way?",
    kind: "choice",
    options: ["up", "down"],
  };
  assert.equal(givenValue(choice, "down"), "down");
  assert.equal(givenValue(choice, "sideways"), null);
  assert.equal(givenValue(choice, "Up"), null);
});

test("a program's key changes with its source, inputs or lesson, not with the step", () => {
  const state = seedState({ predict: true });
  const key = programKey(roomShown(state, 5, PREFIX, {}));
  assert.equal(programKey(roomShown(seedState({ predict: true }), 5, PREFIX, {})), key);
  assert.equal(programKey(roomShown(seedState(), F + 3, "other.9", {})), key);
  const other = (change) => programKey({ ...roomShown(state, 5, PREFIX, {}), ...change });
  assert.notEqual(other({ source: `${SOURCE}\n` }), key);
  assert.notEqual(other({ variables: { w: { value: 2.0, requires_grad: true } } }), key);
  assert.notEqual(other({ variables: {} }), key);
  assert.notEqual(programKey(roomShown(seedState({ lesson: Z_LESSON }), 5, PREFIX, {})), key);
});

test("a class at a call the teacher picked is that program at another call", () => {
  const here = roomShown(seedState(), 5, PREFIX, {});
  assert.equal(here.call, null);
  assert.equal(pickedCallOf({ ...here, call: 7 }, here), true);
  assert.equal(pickedCallOf({ ...here, call: 7 }, { ...here, call: 3 }), true);
  assert.equal(pickedCallOf({ ...here, call: 7 }, { ...here, call: 7 }), false);
  assert.equal(pickedCallOf(here, { ...here, call: 7 }), false); // the class saw the last call
  assert.equal(pickedCallOf({ ...here, call: 7, source: `${SOURCE}\n` }, here), false);
  assert.equal(pickedCallOf({ ...here, call: 7, lesson: Z_LESSON }, here), false);
  assert.equal(pickedCallOf({ ...here, call: 7, variables: {} }, here), false);
});

test("a question's answer key is the last part of its id", () => {
  assert.equal(answerKey("abc12.3.p12"), "p12");
  assert.equal(answerKey("abc12.3.question"), "question");
  assert.equal(answerKey("p4"), "p4");
});

test("a step the teacher passed stays revealed when the teacher steps back", () => {
  // The teacher revealed up to step 6 and stepped on to 7 (the state saying 6 was revealed
  // may have been overtaken), then back to 5: 5 and 6 stay revealed.
  let seen = { run: null, sent: {}, revealed: [], reached: 0 };
  for (const step of [4, 7, 5]) {
    seen = seenAfter(seen, roomShown(seedState({ predict: true }), step, PREFIX, {}));
  }
  assert.deepEqual(seen, { run: PREFIX, sent: {}, revealed: [], reached: 7 });
  const back = roomShown(seedState({ predict: true }), 5, PREFIX, {});
  assert.deepEqual(Object.keys(classAnswers(seedState(), back, seen)), ["p4", "p5", "p6"]);
});

test("a new run of the teacher's starts afresh: nothing sent, nothing revealed", () => {
  const first = roomShown(seedState({ predict: true, answers: revealing(4) }), 4, PREFIX, {});
  let seen = seenAfter({ run: null, sent: {}, revealed: [], reached: 0 }, first);
  seen = { ...seen, sent: { p4: 1.4 } };
  assert.deepEqual(seen, { run: PREFIX, sent: { p4: 1.4 }, revealed: ["p4"], reached: 4 });
  // The same program run again: another run, its question p4 asked again.
  const again = roomShown(seedState({ predict: true }), 0, "abc12.4", {});
  assert.deepEqual(seenAfter(seen, again), { run: "abc12.4", sent: {}, revealed: [], reached: 0 });
  assert.equal(programKey(again), programKey(first));
  assert.notEqual(runKey(again), runKey(first));
});

test("predict mode turned off forgets the furthest step: turned on, the teacher rewinds", () => {
  const on = roomShown(seedState({ predict: true }), 6, PREFIX, {});
  const off = roomShown(seedState(), 12, PREFIX, {});
  let seen = seenAfter({ run: null, sent: {}, revealed: [], reached: 0 }, on);
  assert.equal(seen.reached, 6);
  seen = seenAfter(seen, off);
  assert.equal(seen.reached, 0);
  // Back on at the first step still owed (4): only what came before it is held.
  const again = roomShown(seedState({ predict: true }), 4, PREFIX, {});
  seen = seenAfter(seen, again);
  assert.equal(seen.reached, 4);
  assert.deepEqual(Object.keys(classAnswers(seedState(), again, seen)), []);
});
