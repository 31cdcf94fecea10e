/**
 * Ask before telling, as one rule: which of the trace's numbers the page may not show yet.
 * In predict mode, every number first worked out at or after the first step still owed a
 * prediction (values computed from there on, gradients arriving from there on, and what
 * is sent to make them up); while a lesson's number question is open, the quantity it asks
 * for (a gradient: of the named node and of every node upstream of it, which would give it
 * away; a value: of the named node and everything computed from it). Pure, no DOM.
 *
 * Panels never filter numbers themselves: they are handed `shownOf(state)`, the model and
 * timeline with those tensors replaced by concealed ones (shape and dtype kept, numbers
 * taken out, written "?" by format.js), so what a panel cannot see it cannot show.
 */

import { lessonOf, namedNodes } from "./lessons.js";
import { buildModel, listsOutputs } from "./model.js";
import { accumulatedGrads } from "./nodecard.js";
import { firstOwed, owedAt } from "./predict.js";
import { buildTimeline } from "./timeline.js";

/** How a concealed number is written everywhere. */
export const HIDDEN = "?";

/**
 * @typedef {object} Concealment
 * @property {boolean} active  something is concealed
 * @property {number|null} frontier  predict mode: the first position still owed a
 *   prediction (navigation goes no further); null when nothing is owed
 * @property {Set<string>} values  ids of the nodes whose values are concealed
 * @property {Set<number>} steps  positions of the backward steps whose gradients are concealed
 * @property {boolean} lesson  a lesson's number question is open
 * @property {string} key  equal keys conceal the same numbers
 */

/** A tensor with its numbers taken out: its shape and dtype stay. */
export function concealTensor(tensor) {
  if (!tensor) return tensor;
  return { shape: tensor.shape, dtype: tensor.dtype, data: null, summary: null, concealed: true };
}

/** Node ids reachable from `ids` along `edgesOf` (the start included). */
function reach(model, ids, edgesOf, end) {
  const seen = new Set(ids);
  const todo = [...ids];
  while (todo.length) {
    for (const e of edgesOf.get(todo.pop()) ?? []) {
      if (!seen.has(e[end])) {
        seen.add(e[end]);
        todo.push(e[end]);
      }
    }
  }
  return seen;
}

/**
 * What the page may not show now.
 * @param {import("./state.js").AppState} state
 * @returns {Concealment}
 */
export function concealment(state) {
  const { timeline, predict, answers, lesson, lessons } = state;
  const last = timeline && madeFor.get(timeline);
  const same =
    last &&
    last.answers === answers &&
    last.predict === predict &&
    last.lesson === lesson &&
    last.lessons === lessons;
  if (same) return last.conceal;
  const conceal = workOut(state);
  if (timeline) madeFor.set(timeline, { answers, predict, lesson, lessons, conceal });
  return conceal;
}

/** The last concealment worked out per timeline, and what it was worked out from. */
const madeFor = new WeakMap();

/** @returns {Concealment} */
function workOut(state) {
  const { timeline, predict, answers } = state;
  const asked = lessonTargets(state);
  const open = !answers.question;
  const values = new Set(open ? asked.values : []);
  const steps = new Set(open ? asked.steps : []);
  const lesson = values.size > 0 || steps.size > 0;
  let frontier = null;
  if (timeline && predict) {
    frontier = firstOwed(timeline, answers, lessonAsks(asked));
    if (frontier !== null) {
      timeline.model.nodes.forEach((n, i) => {
        if (timeline.computedAt[i] >= frontier) values.add(n.id);
      });
      for (let p = Math.max(frontier, timeline.F); p < timeline.end; p++) steps.add(p);
    }
  }
  const active = values.size > 0 || steps.size > 0;
  return {
    active,
    frontier,
    values,
    steps,
    lesson,
    key: active ? `${frontier ?? "-"}|${lesson ? state.lesson : ""}` : "",
  };
}

/**
 * What the open lesson's number question asks for, and conceals until it is answered: a
 * gradient, with every node upstream of it (their gradients are made from it); a value,
 * with everything computed from it.
 * @returns {{values: Set<string>, steps: Set<number>}}
 */
function lessonTargets(state) {
  const { timeline } = state;
  const values = new Set();
  const steps = new Set();
  const question = lessonOf(state)?.question;
  if (!timeline || question?.kind !== "number" || !question.name) return { values, steps };
  const { model } = timeline;
  const ids = namedNodes(model, question.name).map((n) => n.node?.id ?? n.id);
  if (question.field === "value") {
    for (const id of reach(model, ids, model.outEdges, "target")) values.add(id);
  } else {
    for (const id of reach(model, ids, model.inEdges, "source")) {
      for (const p of timeline.stepsOf[timeline.nodeIndex.get(id)]) steps.add(p);
    }
  }
  return { values, steps };
}

/**
 * Does the lesson's question ask for this prediction's number? Then the lesson asks it
 * (before its answer and after).
 */
function lessonAsks({ values, steps }) {
  return (q) => (q.order === "forward" ? values.has(q.node) : steps.has(q.position));
}

/**
 * The prediction owed at `position` (predict.js's owedAt), unless the open lesson's
 * question asks for that number itself.
 * @param {import("./state.js").AppState} state
 * @param {number} position
 */
export function askedAt(state, position) {
  const { timeline, predict, answers } = state;
  if (!predict || !timeline) return null;
  return owedAt(timeline, position, predict, answers, lessonAsks(lessonTargets(state)));
}

/**
 * The prediction the step at `position` asks in predict mode, answered or not (askedAt's
 * question before its answer): a classroom's teacher publishes it, revealed or not.
 * @param {import("./state.js").AppState} state
 * @param {number} position
 */
export function predictionAt(state, position) {
  const { timeline, predict } = state;
  if (!predict || !timeline) return null;
  return owedAt(timeline, position, predict, {}, lessonAsks(lessonTargets(state)));
}

/** A saved-for-backward map with its tensors concealed. */
function concealSaved(saved) {
  return Object.fromEntries(
    Object.entries(saved ?? {}).map(([k, v]) =>
      v && typeof v === "object" && "shape" in v ? [k, concealTensor(v)] : [k, v],
    ),
  );
}

/**
 * The trace as the page may show it under `c`.
 * @param {import("./contract.js").TraceOut} trace
 * @param {import("./timeline.js").Timeline} timeline  the trace's own
 * @param {Concealment} c
 * @returns {import("./contract.js").TraceOut}
 */
export function concealTrace(trace, timeline, c) {
  const { model, F } = timeline;
  const gradHidden = new Set([...c.steps].map((p) => timeline.backward[p - F].node));
  const nodes = trace.nodes.map((n) => {
    const v = c.values.has(n.id);
    const g = gradHidden.has(n.id);
    if (!v && !g) return n;
    return {
      ...n,
      value: v ? concealTensor(n.value) : n.value,
      grad: g ? concealTensor(n.grad) : n.grad,
      saved: v ? concealSaved(n.saved) : n.saved,
      outputs: (n.outputs ?? []).map((o) => ({
        ...o,
        value: v ? concealTensor(o.value) : o.value,
        grad: g ? concealTensor(o.grad) : o.grad,
      })),
    };
  });
  const edges = trace.edges.map((e) => {
    const g = gradHidden.has(e.source);
    // A local derivative is worked out from forward values: it waits for them.
    const l = c.values.has(e.source) || c.values.has(e.target);
    if (!g && !l) return e;
    return {
      ...e,
      grad: g ? concealTensor(e.grad) : e.grad,
      local: l ? concealTensor(e.local) : e.local,
    };
  });
  // A gradient sent along an edge is a part of its source's next step's gradient.
  const sendHidden = (p, e) => {
    const source = model.edges[e].source;
    const next = timeline.stepsOf[timeline.nodeIndex.get(source)].find((at) => at > p);
    return c.steps.has(next ?? p);
  };
  const backward = trace.steps.backward.map((s, j) => {
    const p = F + j;
    const own = c.steps.has(p);
    const sends = s.sends.map((t, k) => (t && sendHidden(p, s.edges[k]) ? concealTensor(t) : t));
    if (!own && sends.every((t, k) => t === s.sends[k])) return s;
    return {
      ...s,
      grad: own ? concealTensor(s.grad) : s.grad,
      accumulated: own ? concealTensor(s.accumulated) : s.accumulated,
      outputs: own
        ? (s.outputs ?? []).map((o) => ({ ...o, grad: concealTensor(o.grad) }))
        : s.outputs,
      sends,
    };
  });
  const variables = Object.fromEntries(
    Object.entries(trace.variables ?? {}).map(([name, v]) => [
      name,
      { ...v, value: concealTensor(v.value), grad: concealTensor(v.grad) },
    ]),
  );
  return {
    ...trace,
    nodes,
    edges,
    variables,
    stdout: "",
    check: null,
    // Every call's loss and gradient sizes: the answers, all at once.
    training: null,
    steps: { ...trace.steps, backward },
  };
}

/**
 * @typedef {object} Shown  what the panels are handed
 * @property {import("./model.js").Model|null} model
 * @property {import("./timeline.js").Timeline|null} timeline
 * @property {Concealment} conceal
 */

/** The last Shown made per timeline, so an unchanged concealment gives the same objects. */
const shownCache = new WeakMap();

/**
 * The model and timeline the page may show (the state's own when nothing is concealed).
 * @param {import("./state.js").AppState} state
 * @returns {Shown}
 */
export function shownOf(state) {
  const conceal = concealment(state);
  const { timeline, trace } = state;
  if (!conceal.active || !trace) return { model: state.model, timeline, conceal };
  const cached = shownCache.get(timeline);
  if (cached?.conceal.key === conceal.key) return cached;
  const model = buildModel(concealTrace(trace, timeline, conceal));
  const shown = { model, timeline: buildTimeline(model), conceal };
  shownCache.set(timeline, shown);
  return shown;
}

/** Masked frame bases, per base of a concealed timeline. */
const maskedBases = new WeakMap();

/**
 * A frame of `shown.timeline` with every concealed number of the graph's cards written
 * "?": values (`valueText`), and the gradients a card would otherwise show as drawn (the
 * final ones).
 * @param {import("./timeline.js").Frame} frame
 * @param {Shown} shown
 * @returns {import("./timeline.js").Frame}
 */
export function maskFrame(frame, shown) {
  if (!shown.conceal.active) return frame;
  let base = maskedBases.get(frame.base);
  if (!base) {
    const { model } = shown.timeline;
    const acc = accumulatedGrads(model);
    const hidden = (t) => Boolean(t?.concealed);
    base = {
      ...frame.base,
      valueText: model.nodes.map((n) => (shown.conceal.values.has(n.id) ? HIDDEN : null)),
      gradText: frame.base.gradText.map(
        (t, i) => t ?? (hidden(model.nodes[i].grad) ? HIDDEN : null),
      ),
      accText: frame.base.accText.map(
        (t, i) => t ?? (hidden(acc.get(model.nodes[i].id)) ? HIDDEN : null),
      ),
      outputText: frame.base.outputText.map((t, i) => {
        const n = model.nodes[i];
        if (t || !listsOutputs(n) || !n.outputs.some((o) => hidden(o.grad))) return t;
        return Object.fromEntries(n.outputs.map((o) => [o.output, hidden(o.grad) ? HIDDEN : null]));
      }),
    };
    maskedBases.set(frame.base, base);
  }
  return { ...frame, base };
}

/**
 * The trace as it may be exported now: the state's own, or with the concealed numbers
 * taken out (and no output, no gradient check).
 * @param {import("./state.js").AppState} state
 */
export function shownTrace(state) {
  const conceal = concealment(state);
  if (!conceal.active || !state.trace) return state.trace;
  return concealTrace(state.trace, state.timeline, conceal);
}
