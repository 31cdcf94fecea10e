/**
 * A class following its teacher (app/room.js), worked out from the page's state: what the
 * teacher's page publishes (the program, the step and the question open at it, never the
 * answer), what a student's page takes from it (the program to run, the step, which
 * numbers the class has seen revealed), and the class's answers as bars. Pure, no DOM.
 *
 * @typedef {import("./state.js").AppState} AppState
 * @typedef {import("./contract.js").RoomStateRequest} RoomStateRequest
 * @typedef {import("./contract.js").RoomShownOut} RoomShown
 * @typedef {import("./contract.js").RoomAnswersOut} RoomAnswers
 *
 * @typedef {object} OpenQuestion  the question the teacher's page has open at its step
 * @property {import("./contract.js").RoomQuestionRequest} request  what students are asked
 * @property {string} key  where the page keeps its answer in state.answers: "p<position>"
 *   for a step's prediction, "question" for the lesson's question
 * @property {boolean} revealed  the teacher's page shows torch's answer
 * @property {number|null} expected  torch's number (a number question)
 * @property {string|null} option  the right option (a choice question)
 * @property {number} tolerance  relative; 0: the sign is asked
 */

import { predictionAt } from "./conceal.js";
import { formatNumber } from "./format.js";
import { isRight, lessonOf, parseAnswer, questionAnswer } from "./lessons.js";
import { isClose } from "./predict.js";

/** A prediction is right within 1 % of torch's number (the server's tally is relative). */
export const PREDICT_TOLERANCE = 0.01;

/**
 * The fields of the page's state that what a class sees is made from: the teacher's
 * published state, the question and its answers, the class bar. A change elsewhere (the
 * pointer over a node, the player's clock) changes none of it.
 */
const ROOM_FIELDS = [
  "room",
  "status",
  "error",
  "source",
  "variables",
  "recording",
  "run",
  "call",
  "lesson",
  "lessons",
  "model",
  "timeline",
  "step",
  "predict",
  "answers",
];

/** Has anything a class sees changed from `previous` to `state`? */
export function roomChanged(state, previous) {
  return ROOM_FIELDS.some((field) => state[field] !== previous[field]);
}

/** The room code a hash names (`#room=7QK3M9TBXD`), or null. */
export function roomOfHash(hash) {
  const match = /(?:^#|&)room=([0-9A-Za-z-]{4,24})(?:&|$)/.exec(hash ?? "");
  // Dashes are only read aloud: a hash of dashes alone names no room.
  return (match && match[1].replace(/-/g, "").toUpperCase()) || null;
}

/** A code as people read it aloud: two groups of five, "7QK3M-9TBXD". */
export function spokenCode(code) {
  return code.length === 10 ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

/** Which part of the timeline a position is in. */
function modeAt(timeline, position) {
  if (!timeline || position < timeline.F) return "forward";
  return position < timeline.end ? "backward" : "done";
}

/**
 * The question open at `position` on the teacher's page, answered or not: the step's
 * prediction in predict mode, else the open lesson's question; null when neither.
 * @param {AppState} state
 * @param {number} position
 * @param {string} prefix  makes the id this run's own ("<page>.<run>"): answers to an
 *   earlier run's question at the same step are not counted with this one's
 * @returns {OpenQuestion|null}
 */
export function openQuestion(state, position, prefix) {
  const { model, answers } = state;
  const asked = predictionAt(state, position);
  if (asked) {
    const prompt =
      asked.kind === "number"
        ? `What is ${asked.label}?`
        : `What is the sign of ${asked.label}: −1, 0 or 1?`;
    return {
      request: { id: `${prefix}.${asked.key}`, prompt, kind: "number", options: [] },
      key: asked.key,
      revealed: Boolean(answers[asked.key]?.done),
      expected: asked.expected,
      option: null,
      tolerance: asked.kind === "sign" ? 0 : PREDICT_TOLERANCE,
    };
  }
  const question = lessonOf(state)?.question;
  if (!question || !model) return null;
  const choice = question.kind === "choice";
  const expected = choice ? null : questionAnswer(model, question);
  if (!choice && expected === null) return null;
  return {
    request: {
      id: `${prefix}.question`,
      prompt: question.prompt,
      kind: question.kind,
      options: choice ? [...(question.options ?? [])] : [],
    },
    key: "question",
    revealed: Boolean(answers.question),
    expected,
    option: choice ? (question.answer ?? null) : null,
    tolerance: question.tolerance ?? PREDICT_TOLERANCE,
  };
}

/**
 * The state the teacher's page publishes at `position`: the program as last run (with its
 * inputs), the lesson, the call of backward() shown, the step, predict mode and the
 * question open there, never its answer.
 * @param {AppState} state
 * @param {number} position
 * @param {string} prefix  as for openQuestion
 * @param {Object<string, import("./contract.js").VariableIn>} variables  the run's inputs
 * @returns {RoomStateRequest}
 */
export function roomShown(state, position, prefix, variables) {
  const open = state.timeline ? openQuestion(state, position, prefix) : null;
  return {
    source: state.recording?.source ?? state.source,
    variables: state.recording?.variables ?? variables,
    lesson: state.lesson,
    call: state.call,
    run: prefix,
    step: position,
    mode: modeAt(state.timeline, position),
    predict: state.predict,
    question: open ? open.request : null,
    revealed: open ? open.revealed : false,
  };
}

/** The program a teacher's state shows: equal keys, the same program, inputs, lesson and call. */
export function programKey(shown) {
  return JSON.stringify([shown.source, shown.variables, shown.lesson, shown.call ?? null]);
}

/**
 * Does `shown` show `here`'s program, inputs and lesson at a call of backward() it picked,
 * one `here` does not show? (A teacher's reloaded page: its link keeps no call.)
 */
export function pickedCallOf(shown, here) {
  const anyCall = (s) => programKey({ ...s, call: null });
  return shown.call != null && shown.call !== here.call && anyCall(shown) === anyCall(here);
}

/**
 * What a student's page must run to show a teacher's state: the program, and the teacher's
 * run of it (a program run again asks its questions again, its answers afresh).
 */
export function runKey(shown) {
  return JSON.stringify([programKey(shown), shown.run ?? null]);
}

/**
 * What a student's page has seen of the teacher's run, after one more state: the answers
 * it sent and the questions seen revealed (both afresh for a new run), and in predict mode
 * the furthest step reached (the teacher's page stops at each step still owed, so every
 * step before it was revealed, even if the state saying so was overtaken by a newer one).
 * @param {{run: string|null, sent: Object<string, number|string>, revealed: string[],
 *   reached: number}} seen
 * @param {RoomShown} shown
 */
export function seenAfter(seen, shown) {
  const run = shown.run ?? null;
  const fresh = run !== seen.run;
  const sent = fresh ? {} : seen.sent;
  const before = fresh ? [] : seen.revealed;
  const key = shown.question && shown.revealed ? answerKey(shown.question.id) : null;
  const revealed = key && !before.includes(key) ? [...before, key] : before;
  // Predict mode turned on rewinds the teacher's page to its first step still owed.
  const reached = shown.predict ? Math.max(fresh ? 0 : seen.reached, shown.step) : 0;
  return { run, sent, revealed, reached };
}

/** The part of a question id the page keeps answers under ("p12", "question"). */
export function answerKey(id) {
  return id.slice(id.lastIndexOf(".") + 1);
}

/** A typed answer as a number, or the option chosen; null when it is neither. */
export function givenValue(question, typed) {
  if (question.kind === "choice") return question.options.includes(typed) ? typed : null;
  const value = parseAnswer(typed);
  return Number.isFinite(value) ? value : null;
}

/**
 * The answers a student's page holds, from what the class has seen revealed: in predict
 * mode every step before the teacher's, or before the furthest it reached (the teacher's
 * page stops at each step still owed, so passing it revealed it), the teacher's own step
 * once revealed, and the lesson's
 * question once revealed; each with what this student sent, marked against torch's
 * number as the student's own trace has it.
 * @param {AppState} state  the student's, its timeline the teacher's program's
 * @param {RoomShown} shown  the teacher's state
 * @param {{sent: Object<string, number|string>, revealed: string[], reached?: number}} seen
 *   the student's answers per answer key, the keys seen revealed, and the furthest step
 *   the teacher reached in predict mode (seenAfter)
 * @returns {Object<string, object>}
 */
export function classAnswers(state, shown, { sent, revealed, reached = 0 }) {
  const answers = {};
  const { timeline, model } = state;
  if (!timeline) return answers;
  const asking = { ...state, predict: shown.predict, answers: {} };
  const open = shown.question && shown.revealed ? answerKey(shown.question.id) : null;
  const done = new Set([...revealed, ...(open ? [open] : [])]);
  if (shown.predict) {
    for (let p = 0; p < timeline.end; p++) {
      const q = predictionAt(asking, p);
      if (!q || (p >= Math.max(shown.step, reached) && !done.has(q.key))) continue;
      const given = typeof sent[q.key] === "number" ? sent[q.key] : null;
      answers[q.key] = {
        given,
        expected: q.expected,
        correct: given !== null && isClose(given, q.expected, q.kind),
        tries: given === null ? 0 : 1,
        done: true,
        hint: q.hint,
      };
    }
  }
  const question = lessonOf(state)?.question;
  if (question && done.has("question") && model) {
    const given = sent.question ?? null;
    const choice = question.kind === "choice";
    const expected = choice ? question.answer : questionAnswer(model, question);
    const correct =
      given !== null &&
      (choice
        ? given === expected
        : isRight(Number(given), expected, question.tolerance ?? PREDICT_TOLERANCE));
    answers.question = { given, expected, correct };
  }
  return answers;
}

/**
 * The class's answers as bars: a number question's histogram (a bar per bin, the one
 * holding torch's number marked), or a choice question's count per option (the right
 * one marked).
 * @param {RoomAnswers} tally
 * @param {{expected: number|null, option: string|null}|null} open  what is right, if known
 * @returns {{label: string, count: number, share: number, right: boolean}[]}
 */
export function tallyBars(tally, open) {
  const most = Math.max(1, ...tally.bins.map((b) => b.count), ...tally.choices.map((c) => c.count));
  if (tally.kind === "choice") {
    return tally.choices.map((c) => ({
      label: c.option,
      count: c.count,
      share: c.count / most,
      right: open?.option === c.option,
    }));
  }
  const expected = open?.expected ?? null;
  return tally.bins.map((b, i) => ({
    label: b.low === b.high ? formatNumber(b.low) : `${formatNumber(b.low)} – ${formatNumber(b.high)}`,
    count: b.count,
    share: b.count / most,
    right:
      expected !== null &&
      expected >= b.low &&
      (expected < b.high || (i === tally.bins.length - 1 && expected <= b.high)),
  }));
}

/**
 * The query that asks the server to count right and wrong answers to `open`.
 * @param {OpenQuestion} open
 */
export function tallyQuery(open) {
  const params = new URLSearchParams();
  if (open.option !== null) params.set("expected_option", open.option);
  else if (Number.isFinite(open.expected)) {
    params.set("expected", String(open.expected));
    params.set("tolerance", String(open.tolerance));
  }
  return params.toString();
}
