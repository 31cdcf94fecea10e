/**
 * Lessons and answers as numbers: where a lesson's pauses are on the timeline, which
 * traced number its question is checked against, and whether an answer is right (the
 * predictions of predict mode are predict.js's). Pure, no DOM; every number compared with comes from the trace's JSON.
 */

import { listsOutputs, resultsOf } from "./model.js";

/** Below this, a relative error is an agreement (the gradient check's ✓). */
export const CHECK_TOLERANCE = 1e-3;

/**
 * The nodes a pause or question names: by variable name (a node, or one output of an op
 * with several, whose value and gradient are that output's), else by grad_fn op name.
 */
export function namedNodes(model, name) {
  const tensors = (n) => (listsOutputs(n) ? resultsOf(n) : [n]);
  const byName = model.nodes.flatMap((n) => tensors(n).filter((t) => t.name === name));
  return byName.length ? byName : model.nodes.filter((n) => n.op === name);
}

/**
 * The timeline position of a pause (its node's first forward or backward step), or null
 * when the trace has no such step.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {{phase: "forward"|"backward", node: string}} pause
 * @returns {number|null}
 */
export function pausePosition(timeline, pause) {
  const ids = new Set(namedNodes(timeline.model, pause.node).map((n) => n.id));
  if (pause.phase === "forward") {
    const k = timeline.forward.findIndex((s) => ids.has(s.node));
    return k < 0 ? null : k;
  }
  const k = timeline.backward.findIndex((s) => ids.has(s.node));
  return k < 0 ? null : timeline.F + k;
}

/**
 * The open lesson of a state, once the lessons are loaded (null: none open, or not yet).
 * @param {import("./state.js").AppState} state
 */
export function lessonOf(state) {
  return (state.lesson && state.lessons?.find((l) => l.id === state.lesson)) || null;
}

/** Each pause of the open lesson as a timeline position (null: not in this trace). */
export function lessonPauses(state) {
  const lesson = lessonOf(state);
  if (!lesson) return [];
  return lesson.pauses.map((p) => (state.timeline ? pausePosition(state.timeline, p) : null));
}

/** The first pause position after `current`, wrapping round to the first; null if none. */
export function nextPause(positions, current) {
  const known = positions.filter((p) => p !== null).sort((a, b) => a - b);
  if (!known.length) return null;
  return known.find((p) => p > current) ?? known[0];
}

/** A tensor's first element as a number (non-finite values arrive as strings); null if none. */
export function firstElement(tensor) {
  let data = tensor?.data;
  while (Array.isArray(data)) data = data[0];
  if (data === null || data === undefined) return null;
  return typeof data === "number" ? data : Number(data);
}

/**
 * The traced number a "number" question is checked against: the named node's grad or
 * value (its first element for a tensor); with `phase`, the leaf's .grad after that
 * backward phase, that is the `accumulated` of its backward step in the phase.
 * @returns {number|null}
 */
export function questionAnswer(model, question) {
  if (question.kind !== "number" || !question.name) return null;
  const nodes = namedNodes(model, question.name);
  if (!nodes.length) return null;
  const node = nodes.at(-1);
  if (question.phase !== null && question.phase !== undefined) {
    const ids = new Set(nodes.map((n) => n.id));
    const step = model.steps.backward.find((s) => ids.has(s.node) && s.phase === question.phase);
    return firstElement(step?.accumulated);
  }
  return firstElement(question.field === "value" ? node.value : node.grad);
}

/**
 * Is `given` right? tolerance > 0: within that relative error of `expected`;
 * tolerance 0: the question asks for a sign, and the signs agree.
 */
export function isRight(given, expected, tolerance) {
  if (!Number.isFinite(given) || expected === null || Number.isNaN(expected)) return false;
  if (tolerance === 0) return Math.sign(given) === Math.sign(expected);
  return Math.abs(given - expected) <= tolerance * Math.max(Math.abs(expected), 1e-12);
}

/** The score of a lesson: predictions and the question, right out of answered (revealed). */
export function score(answers) {
  const list = Object.values(answers).filter((a) => a.done !== false);
  return { right: list.filter((a) => a.correct).length, total: list.length };
}

/** A typed answer as a number ("−0.56" with a minus sign and "-0,56" too); NaN if none. */
export function parseAnswer(text) {
  const clean = String(text).trim().replace(/\u2212/g, "-").replace(",", ".");
  return clean === "" ? Number.NaN : Number(clean);
}
