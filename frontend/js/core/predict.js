/**
 * Predict, then reveal: the question each step asks a student, worked out from what the
 * step shows (a forward step: its inputs, predict the value; a backward step: the
 * upstream gradient and the local derivative, predict their product, or the parts, predict
 * their sum), the hint with the numbers filled in, the first step still owed, and how an
 * answer is marked (two tries, then torch's number). Pure, no DOM; every number compared
 * with is torch's own, from the trace.
 */

import { fmt, phaseOf, phaseSymbol } from "./cardlines.js";
import { forwardFormula, localFormula } from "./formula.js";
import { numel } from "./format.js";
import { edgeTensor, listsOutputs } from "./model.js";
import { plainWho } from "./tex.js";
import { arrivalParts, stepAt } from "./timeline.js";

/** A prediction is right within this relative error... */
export const PREDICT_RELATIVE = 1e-2;
/** ...or this absolute one (numbers near zero). */
export const PREDICT_ABSOLUTE = 1e-3;
/** Wrong answers before torch's number is shown (the first gets a hint). */
export const TRIES = 2;

/**
 * @typedef {object} Question  what a step asks
 * @property {number} position
 * @property {string} key  where its answer is kept in state.answers: "p<position>"
 * @property {"forward"|"backward"} order
 * @property {string} node  id of the step's node
 * @property {"number"|"sign"} kind  sign: of the first element of a tensor with several
 * @property {number} expected  torch's number (or its sign)
 * @property {string} label  what is asked, as the page names it: "z", "∂loss/∂w"
 * @property {string} hint  the formula with the numbers filled in
 *
 * @typedef {object} Prediction  state.answers["p<position>"]
 * @property {number|null} given  the last number typed (null: revealed without one)
 * @property {number} expected
 * @property {boolean} correct
 * @property {number} tries  answers given so far
 * @property {boolean} done  the step is revealed (right, out of tries, or given up)
 * @property {string} hint  shown after a wrong first try
 */

/** A tensor's first element as a number (non-finite values arrive as strings); null if none. */
function first(tensor) {
  let data = tensor?.data;
  while (Array.isArray(data)) data = data[0];
  if (data === null || data === undefined) return null;
  return typeof data === "number" ? data : Number(data);
}

/** The number, or a sign question about the first element of a tensor with several. */
function asked(tensor, label) {
  const x = first(tensor);
  if (x === null || !Number.isFinite(x)) return null;
  const scalar = numel(tensor.shape) === 1;
  return scalar
    ? { kind: "number", expected: x, label }
    : { kind: "sign", expected: Math.sign(x), label: `${label}[0]` };
}

/** A number in a formula: in brackets when negative. */
const term = (tensor) => {
  const text = fmt(tensor);
  return text.startsWith("-") ? `(${text})` : text;
};

/**
 * The hint of a forward step: its formula in the program's names with the inputs' numbers
 * put in (`w*x = w · x = 1.0 · 1.4`), the way the node's card writes it; where they cannot
 * be put in (tensors, a sum over elements), the formula and the inputs listed.
 */
function forwardHint(model, node, step) {
  const formula = forwardFormula(model, node);
  if (formula?.numbers) return formula.text;
  const ins = step.edges.map((e) => model.edges[e]).sort((a, b) => a.input - b.input);
  const listed = ins.map((e) => {
    const tensor = edgeTensor(model, e);
    return `${plainWho(tensor)} = ${fmt(tensor.value)}`;
  });
  const what = formula?.text ?? `${plainWho(node)}: ${node.meaning ?? node.op ?? ""}`;
  return `${what}, with ${listed.join(", ")}`;
}

/**
 * The hint of a backward step: the upstream gradient times the local derivative, or the
 * parts added up at a fan-out.
 */
function backwardHint(timeline, node, parts, label) {
  const { model, F } = timeline;
  if (parts.length > 1) return `${label} = ${parts.map((p) => term(p.grad)).join(" + ")}`;
  const edge = model.edges[parts[0].edge];
  const consumer = model.byId.get(edge.target);
  const from = timeline.backward[parts[0].at - F];
  const phase = phaseOf(model, from.phase);
  const L = phaseSymbol(model, phase);
  const by = `∂${L}/∂${plainWho(consumer)} · ∂${plainWho(consumer)}/∂${plainWho(node)}`;
  if (edge.local && from.grad && !listsOutputs(consumer)) {
    return `${label} = ${by} = ${term(from.grad)} × ${term(edge.local)}`;
  }
  const formula = localFormula(model, edge, L);
  // A formula of what flows on (it has the upstream gradient Ȳ in it) says it whole.
  if (formula && /\\bar\{Y\}/.test(edge.formula)) return `${label} = ${formula.text}`;
  const local = formula ? ` (∂${plainWho(consumer)}/∂${plainWho(node)} = ${formula.text})` : "";
  return `${label} = ${by}${local}`;
}

/**
 * The question of the step at `position`, or null when it has nothing to work out: a leaf
 * or a constant entering the graph, the seed where backward() starts, a step without
 * numbers (a large tensor sent without its data), an op listing several outputs.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {number} position
 * @returns {Question|null}
 */
export function questionAt(timeline, position) {
  const at = stepAt(timeline, position);
  if (!at) return null;
  const { model } = timeline;
  const node = model.byId.get(at.step.node);
  if (listsOutputs(node)) return null;
  const base = { position, key: `p${position}`, order: at.order, node: node.id };
  if (at.order === "forward") {
    if (node.kind !== "op" || at.step.edges.length === 0) return null;
    const q = asked(node.value, plainWho(node));
    return q && { ...base, ...q, hint: forwardHint(model, node, at.step) };
  }
  const parts = arrivalParts(timeline, position);
  if (parts.length === 0 || !at.step.grad) return null;
  const L = phaseSymbol(model, phaseOf(model, at.step.phase));
  const label = `∂${L}/∂${plainWho(node)}`;
  const q = asked(at.step.grad, label);
  return q && { ...base, ...q, hint: backwardHint(timeline, node, parts, label) };
}

/** Every position's question (null where none), made once per timeline. */
const made = new WeakMap();
function questions(timeline) {
  let list = made.get(timeline);
  if (!list) {
    list = Array.from({ length: timeline.end }, (_, p) => questionAt(timeline, p));
    made.set(timeline, list);
  }
  return list;
}

/**
 * The first position whose question is not yet answered (revealed), or null when every
 * one is.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {Object<string, {done?: boolean}>} answers
 * @param {(q: Question) => boolean} [skip]  questions not asked (a lesson's question asks
 *   for that number instead)
 */
export function firstOwed(timeline, answers, skip = () => false) {
  const found = questions(timeline).find((q) => q && !answers[q.key]?.done && !skip(q));
  return found ? found.position : null;
}

/**
 * The question owed at `position`: predict mode is on, the step asks one, and it has not
 * been revealed yet; else null.
 * @param {import("./timeline.js").Timeline|null} timeline
 * @param {(q: Question) => boolean} [skip]  as for firstOwed
 */
export function owedAt(timeline, position, predict, answers, skip = () => false) {
  if (!predict || !timeline || position < 0 || position >= timeline.end) return null;
  const q = questions(timeline)[position];
  return q && !answers[q.key]?.done && !skip(q) ? q : null;
}

/** Is `given` torch's `expected`: within the relative or the absolute tolerance (a sign: equal)? */
export function isClose(given, expected, kind = "number") {
  if (!Number.isFinite(given) || !Number.isFinite(expected)) return false;
  if (kind === "sign") return Math.sign(given) === Math.sign(expected);
  const error = Math.abs(given - expected);
  return error <= PREDICT_ABSOLUTE || error <= PREDICT_RELATIVE * Math.abs(expected);
}

/**
 * Mark an answer to `question`: right, or wrong with a hint and another try, or wrong
 * for the last time. `given` null: the student gives up and torch's number is revealed.
 * @param {Question} question
 * @param {number|null} given
 * @param {Prediction|undefined} previous
 * @returns {Prediction}
 */
export function markPrediction(question, given, previous) {
  const tries = (previous?.tries ?? 0) + (given === null ? 0 : 1);
  const correct = given !== null && isClose(given, question.expected, question.kind);
  return {
    given,
    expected: question.expected,
    correct,
    tries,
    done: correct || given === null || tries >= TRIES,
    hint: question.hint,
  };
}

/** The running score of the predictions: revealed ones right, out of revealed ones. */
export function predictScore(answers) {
  const list = Object.entries(answers)
    .filter(([key, a]) => key.startsWith("p") && a.done)
    .map(([, a]) => a);
  return { right: list.filter((a) => a.correct).length, total: list.length };
}
