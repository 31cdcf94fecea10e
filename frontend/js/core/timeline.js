/**
 * The steps of a trace as one sequence of positions, and what the graph shows at each:
 * frame = frameAt(timeline, position, t). Pure, no DOM; the player only supplies t.
 *
 * Two orders, kept apart and labelled:
 *   positions 0 .. F-1      the forward steps, in the teaching order (topological
 *                           generations: every node after its inputs);
 *   positions F .. F+B-1    the backward steps, in the order autograd really ran them;
 *   position  F+B           the end: every value and gradient in place.
 * Within a step, t runs from 0 to 1 as the values (forward) or gradients (backward) travel
 * along the step's edges.
 */

import { formatNumber, formatTensor, numel } from "./format.js";
import { listsOutputs, resultsOf } from "./model.js";

/**
 * @typedef {object} Timeline
 * @property {import("./model.js").Model} model
 * @property {import("./contract.js").ForwardStepOut[]} forward
 * @property {import("./contract.js").BackwardStepOut[]} backward
 * @property {number} F  number of forward steps (the first backward position)
 * @property {number} B  number of backward steps
 * @property {number} end  the last position, F + B: everything shown
 * @property {Map<string, number>} nodeIndex  node id -> position in model.nodes
 * @property {Map<string, number>} edgeIndex  edge id -> position in model.edges
 * @property {Int32Array} computedAt  per node: the forward position computing it (-1: none)
 * @property {Int32Array} readAt  per edge: the forward position reading it (-1: none)
 * @property {number[][]} stepsOf  per node: positions of its backward steps
 * @property {{at: number, grad: import("./contract.js").TensorOut|null}[][]} sendsOf  per edge:
 *   what flowed back along it, and at which position
 */

/**
 * @param {import("./model.js").Model} model
 * @returns {Timeline}
 */
export function buildTimeline(model) {
  const { forward, backward } = model.steps;
  const F = forward.length;
  const nodeIndex = new Map(model.nodes.map((n, i) => [n.id, i]));
  const edgeIndex = new Map(model.edges.map((e, i) => [e.id, i]));
  const computedAt = new Int32Array(model.nodes.length).fill(-1);
  const readAt = new Int32Array(model.edges.length).fill(-1);
  forward.forEach((step, k) => {
    computedAt[nodeIndex.get(step.node)] = k;
    for (const e of step.edges) readAt[e] = k;
  });
  const stepsOf = model.nodes.map(() => []);
  const sendsOf = model.edges.map(() => []);
  backward.forEach((step, j) => {
    const at = F + j;
    stepsOf[nodeIndex.get(step.node)].push(at);
    step.edges.forEach((e, k) => sendsOf[e].push({ at, grad: step.sends[k] ?? null }));
  });
  return {
    model,
    forward,
    backward,
    F,
    B: backward.length,
    end: F + backward.length,
    nodeIndex,
    edgeIndex,
    computedAt,
    readAt,
    stepsOf,
    sendsOf,
    cache: { position: null, base: null },
  };
}

/** `position` kept within the timeline. */
export function clampPosition(timeline, position) {
  if (!Number.isFinite(position)) return timeline.end;
  return Math.max(0, Math.min(timeline.end, Math.round(position)));
}

/** Which part of the timeline a position is in. */
export function stageAt(timeline, position) {
  if (position < timeline.F) return "forward";
  if (position < timeline.end) return "backward";
  return "done";
}

/** The step at a position: {order, index, step}, or null at the end. */
export function stepAt(timeline, position) {
  if (position < timeline.F) {
    return { order: "forward", index: position, step: timeline.forward[position] };
  }
  if (position < timeline.end) {
    const index = position - timeline.F;
    return { order: "backward", index, step: timeline.backward[index] };
  }
  return null;
}

/**
 * @typedef {object} Partial  a node whose gradient is arriving in parts
 * @property {number} delivered  parts arrived so far
 * @property {number} expected  parts that will arrive before the node's own step
 * @property {string|null} sum  running sum of the arrived parts when each is one number
 *   (the displayed numbers added up) and all are parts of one tensor, else null (the parts
 *   of different outputs of an op are never added together)
 *
 * @typedef {object} FrameBase  what a position shows, the same for every t
 * @property {string[]} nodeState  per node: forward: pending|current|computed;
 *   backward: waiting|partial|arrived|current|received|none; done: done
 * @property {string[]} edgeState  per edge: forward: unread|reading|read;
 *   backward: idle|flowing|blocked|carried|nograd; done: done
 * @property {(string|null)[]} gradText  per node: the gradient text to show, or null for
 *   the card's own (final) text
 * @property {(string|null)[]} accText  per node: a leaf's .grad text, or null likewise
 * @property {(Object<number, string>|null)[]} outputText  per node listing several
 *   outputs: the gradient text of each listed output, by its position (null otherwise,
 *   and for the card's own texts); gradText is then null
 * @property {Map<string, Partial>} partial  by node id
 *
 * @typedef {object} Frame
 * @property {number} position
 * @property {number} t  progress through the step, 0..1
 * @property {"forward"|"backward"|"done"} stage
 * @property {number} index  the step's index within its order (0-based)
 * @property {number} count  the number of steps in that order
 * @property {number|null} phase  the backward() call a backward step belongs to
 * @property {string|null} node  id of the step's node
 * @property {FrameBase} base
 * @property {{edge: number, direction: "forward"|"backward", progress: number}[]} active
 *   the edges a value or gradient is travelling along, and how far it has come
 */

/**
 * The frame at `position`, `t` of the way through its step.
 * @param {Timeline} timeline
 * @param {number} position
 * @param {number} [t]
 * @returns {Frame}
 */
export function frameAt(timeline, position, t = 1) {
  const p = clampPosition(timeline, position);
  const progress = Math.max(0, Math.min(1, t));
  const stage = stageAt(timeline, p);
  const at = stepAt(timeline, p);
  const active = [];
  if (at?.order === "forward") {
    for (const e of at.step.edges) active.push({ edge: e, direction: "forward", progress });
  } else if (at?.order === "backward") {
    at.step.edges.forEach((e, k) => {
      if (at.step.sends[k]) active.push({ edge: e, direction: "backward", progress });
    });
  }
  return {
    position: p,
    t: progress,
    stage,
    index: at ? at.index : 0,
    count: stage === "forward" ? timeline.F : stage === "backward" ? timeline.B : 0,
    phase: at?.order === "backward" ? at.step.phase : null,
    node: at ? at.step.node : null,
    base: baseAt(timeline, p),
    active,
  };
}

/** The part of a frame that depends on the position only; the last one is kept. */
export function baseAt(timeline, position) {
  if (timeline.cache.position === position) return timeline.cache.base;
  const stage = stageAt(timeline, position);
  const base =
    stage === "forward"
      ? forwardBase(timeline, position)
      : stage === "backward"
        ? backwardBase(timeline, position)
        : doneBase(timeline);
  timeline.cache.position = position;
  timeline.cache.base = base;
  return base;
}

function emptyTexts(timeline) {
  return {
    gradText: new Array(timeline.model.nodes.length).fill(null),
    accText: new Array(timeline.model.nodes.length).fill(null),
    outputText: new Array(timeline.model.nodes.length).fill(null),
    partial: new Map(),
  };
}

function forwardBase(timeline, p) {
  const nodeState = Array.from(timeline.computedAt, (c) =>
    c < 0 || c < p ? "computed" : c === p ? "current" : "pending",
  );
  const edgeState = Array.from(timeline.readAt, (r) =>
    r < 0 || r < p ? "read" : r === p ? "reading" : "unread",
  );
  return { nodeState, edgeState, ...emptyTexts(timeline) };
}

function doneBase(timeline) {
  return {
    nodeState: timeline.model.nodes.map(() => "done"),
    edgeState: timeline.model.edges.map(() => "done"),
    ...emptyTexts(timeline),
  };
}

function backwardBase(timeline, p) {
  const { model, backward, F } = timeline;
  const texts = emptyTexts(timeline);
  const stepOf = (at) => backward[at - F];

  const nodeState = model.nodes.map((node, i) => {
    const own = timeline.stepsOf[i];
    const last = lastAtOrBefore(own, p); // the node's latest own step so far
    const next = own.find((at) => at > p) ?? null; // its next one
    // Parts of the gradient for its next step: sends along its out-edges after `last`.
    const parts = partsBetween(timeline, node.id, last ?? -1, next ?? Infinity);
    const arrived = parts.filter((s) => s.at <= p);
    const acc = lastAccumulated(timeline, own, p);
    if (acc) texts.accText[i] = formatTensor(acc);
    // The gradient texts of a step of the node: its own, or one per listed output.
    const show = (at) => {
      if (listsOutputs(node)) texts.outputText[i] = outputTexts(outputGrads(stepOf(at), node));
      else texts.gradText[i] = formatTensor(stepOf(at).grad);
    };

    if (last === p) {
      show(p);
      return "current";
    }
    if (arrived.length > 0 && next !== null && arrived.length === parts.length) {
      show(next);
      return "arrived";
    }
    if (arrived.length > 0) {
      const oneTensor = arrived.every((s) => s.output === arrived[0].output);
      const sum = oneTensor ? runningSum(arrived.map((s) => s.grad)) : null;
      texts.partial.set(node.id, { delivered: arrived.length, expected: parts.length, sum });
      if (listsOutputs(node)) {
        texts.outputText[i] = partialOutputTexts(node, parts, arrived, next && stepOf(next));
      } else {
        texts.gradText[i] = sum ?? "…";
      }
      return "partial";
    }
    if (last !== null) {
      show(last);
      return "received";
    }
    return own.length > 0 ? "waiting" : "none";
  });

  const edgeState = timeline.sendsOf.map((sends) => {
    const now = sends.find((s) => s.at === p);
    if (now) return now.grad ? "flowing" : "blocked";
    const before = sends.filter((s) => s.at < p);
    if (before.length === 0) return "idle";
    return before[before.length - 1].grad ? "carried" : "nograd";
  });
  return { nodeState, edgeState, ...texts };
}

/**
 * The gradient arriving at each listed output of `node` in a backward step: the step's
 * `outputs`, or (a trace without them) its `grad` at output 0.
 * @param {import("./contract.js").BackwardStepOut} step
 * @param {import("./contract.js").NodeOut} node
 * @returns {{output: number, grad: import("./contract.js").TensorOut|null}[]}
 */
export function outputGrads(step, node) {
  return resultsOf(node).map((r) => {
    const sent = (step.outputs ?? []).find((o) => o.output === r.output);
    if (sent) return { output: r.output, grad: sent.grad ?? null };
    // A trace from before `outputs` was sent: the step's grad is that of output 0.
    const before = !step.outputs?.length && r.output === 0;
    return { output: r.output, grad: before ? (step.grad ?? null) : null };
  });
}

/** Gradient texts by output position. */
function outputTexts(grads) {
  return Object.fromEntries(grads.map((g) => [g.output, formatTensor(g.grad)]));
}

/**
 * While the parts of a node listing outputs arrive: each output's running sum (or … while
 * its parts are on their way), never adding parts of different outputs together.
 */
function partialOutputTexts(node, parts, arrived, nextStep) {
  const next = nextStep ? outputGrads(nextStep, node) : [];
  return Object.fromEntries(
    resultsOf(node).map((r) => {
      const mine = arrived.filter((s) => s.output === r.output);
      if (mine.length) return [r.output, runningSum(mine.map((s) => s.grad)) ?? "…"];
      if (parts.some((s) => s.output === r.output)) return [r.output, "…"];
      return [r.output, formatTensor(next.find((g) => g.output === r.output)?.grad ?? null)];
    }),
  );
}

/**
 * The gradient parts sent to a node strictly between positions `after` and `before`: one
 * per out-edge a consumer's step sent a gradient along, in the order the steps ran. For an
 * op listing several outputs, `output` keeps the parts of that output only: the parts of
 * different outputs are gradients of different tensors.
 * @param {number|null} [output]  only the edges reading this output of the node
 * @returns {{edge: number, at: number, output: number, grad: import("./contract.js").TensorOut}[]}
 */
export function partsBetween(timeline, nodeId, after, before, output = null) {
  const parts = [];
  for (const edge of timeline.model.outEdges.get(nodeId)) {
    const from = edge.output ?? 0;
    if (output !== null && from !== output) continue;
    const index = timeline.edgeIndex.get(edge.id);
    for (const send of timeline.sendsOf[index]) {
      if (send.grad && send.at > after && send.at < before) {
        parts.push({ edge: index, at: send.at, output: from, grad: send.grad });
      }
    }
  }
  return parts.sort((a, b) => a.at - b.at || a.edge - b.edge);
}

/**
 * The parts that made up the gradient a backward step at `position` received: what its
 * consumers sent since the node's previous step (to its output `output` only, if given).
 */
export function arrivalParts(timeline, position, output = null) {
  const at = stepAt(timeline, position);
  if (at?.order !== "backward") return [];
  const own = timeline.stepsOf[timeline.nodeIndex.get(at.step.node)];
  const previous = lastAtOrBefore(own, position - 1) ?? -1;
  return partsBetween(timeline, at.step.node, previous, position, output);
}

/** The last of the sorted `positions` at or before `p`, or null. */
function lastAtOrBefore(positions, p) {
  let found = null;
  for (const at of positions) {
    if (at > p) break;
    found = at;
  }
  return found;
}

/** A leaf's .grad after its latest step at or before `p`, or null before any. */
function lastAccumulated(timeline, own, p) {
  let acc = null;
  for (const at of own) {
    if (at > p) break;
    acc = timeline.backward[at - timeline.F].accumulated ?? acc;
  }
  return acc;
}

/** The single number of a one-element tensor, or null. */
export function scalarOf(tensor) {
  if (!tensor || tensor.data === null || tensor.data === undefined) return null;
  if (numel(tensor.shape) !== 1) return null;
  let d = tensor.data;
  while (Array.isArray(d)) d = d[0];
  return typeof d === "number" ? d : null;
}

/**
 * The running sum of gradient parts, as text, when every part is one number; else null.
 * These are the numbers as received, added in the page (the final sum comes from torch).
 * @param {(import("./contract.js").TensorOut|null)[]} parts
 */
export function runningSum(parts) {
  let sum = 0;
  for (const part of parts) {
    const x = scalarOf(part);
    if (x === null) return null;
    sum += x;
  }
  return formatNumber(sum);
}
