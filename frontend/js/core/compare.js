/**
 * Two runs side by side: which node of run B stands where a node of run A stood, and how
 * their gradients differ. Pure, no DOM: every number is one of the two traces' own, the
 * difference and the ratio worked out from them.
 *
 * Nodes pair in two passes. First by what they are, in data-flow order: the same kind, the
 * same module path and the same op (a leaf or constant: the same name), the k-th such node
 * of B with the k-th of A. Then what is left pairs by where it is: an op of B whose inputs
 * are paired with inputs of an op of A in the same module (same input positions) is that
 * op, changed (SigmoidBackward0 where ReluBackward0 was); else, in the same module, the
 * k-th unpaired node of a kind of B with the k-th of A.
 */

import { recordedNorm } from "./comparestatus.js";
import { forwardOrder } from "./model.js";

/**
 * @typedef {import("./model.js").Model} Model
 * @typedef {import("./contract.js").NodeOut} GraphNode
 * @typedef {import("./contract.js").TensorOut} Tensor
 *
 * @typedef {object} Matching
 * @property {Map<string, string>} toA  B's node id -> the A node it stands for
 * @property {Map<string, string>} toB  A's node id -> the B node standing for it
 * @property {Set<string>} changed  B's node ids paired with an A node of another op
 * @property {string[]} onlyA  A's node ids with no B node, in data-flow order
 * @property {string[]} onlyB  B's node ids with no A node, in data-flow order
 *
 * @typedef {object} Difference  one paired node's gradients in the two runs
 * @property {"value"|"norm"} measure  value: both gradients have one element, compared
 *   as numbers; norm: their L2 norms
 * @property {number|null} a  run A's (null: no gradient reached it, or not listed)
 * @property {number|null} b  run B's
 * @property {number|null} diff  b − a (null when either is)
 * @property {number|null} ratio  |b| / |a| (null when either is null or a is 0)
 * @property {string|null} note  where a norm came from the training records, or why one
 *   is missing (a gradient with more elements than the trace lists); null: neither
 */

/** Why a gradient's norm is missing: the trace lists a large tensor's shape only. */
export const UNLISTED =
  "The gradient has more elements than the trace lists, and the training records do not name it";
/** Where a large gradient's norm came from. */
export const RECORDED =
  "The gradient has more elements than the trace lists: its norm is the training records'";

/** What a node is, apart from where it is: kind, module path and op (or name). */
export function nodeKey(node) {
  const what = node.kind === "op" ? node.op : (node.name ?? node.kind);
  return `${node.kind}|${node.module ?? ""}|${what}`;
}

/** What a node is when its op changed: kind and module path only. */
function placeKey(node) {
  return `${node.kind}|${node.module ?? ""}`;
}

/**
 * Pair the nodes of two graphs (see the module's comment).
 * @param {Model} a
 * @param {Model} b
 * @returns {Matching}
 */
export function matchNodes(a, b) {
  const orderA = forwardOrder(a);
  const orderB = forwardOrder(b);
  const toA = new Map();
  const toB = new Map();
  const pair = (idB, idA) => {
    toA.set(idB, idA);
    toB.set(idA, idB);
  };

  // 1. The same kind, module and op (or name), in order of occurrence.
  const queues = groupBy(orderA, (id) => nodeKey(a.byId.get(id)));
  for (const idB of orderB) {
    const idA = queues.get(nodeKey(b.byId.get(idB)))?.shift();
    if (idA !== undefined) pair(idB, idA);
  }

  // 2. Changed ops: an unpaired op of A in the same module reading the paired inputs.
  for (const idB of orderB) {
    if (toA.has(idB) || b.byId.get(idB).kind !== "op") continue;
    const found = orderA.find((idA) => !toB.has(idA) && sameInputs(a, b, idA, idB, toA));
    if (found !== undefined) pair(idB, found);
  }

  // 3. What is left, by kind and module, in order of occurrence.
  const left = groupBy(
    orderA.filter((id) => !toB.has(id)),
    (id) => placeKey(a.byId.get(id)),
  );
  for (const idB of orderB) {
    if (toA.has(idB)) continue;
    const idA = left.get(placeKey(b.byId.get(idB)))?.find((id) => !toB.has(id));
    if (idA !== undefined) pair(idB, idA);
  }

  const changed = new Set(
    [...toA].filter(([idB, idA]) => nodeKey(b.byId.get(idB)) !== nodeKey(a.byId.get(idA))).map(
      ([idB]) => idB,
    ),
  );
  return {
    toA,
    toB,
    changed,
    onlyA: orderA.filter((id) => !toB.has(id)),
    onlyB: orderB.filter((id) => !toA.has(id)),
  };
}

/** Ids grouped by `keyOf`, each group in the order given. */
function groupBy(ids, keyOf) {
  const groups = new Map();
  for (const id of ids) {
    const key = keyOf(id);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(id);
  }
  return groups;
}

/**
 * Does op `idA` of A sit where op `idB` of B sits: the same module, the same number of
 * inputs, at least one input paired, and every paired input of B's at the same position
 * of A's?
 */
function sameInputs(a, b, idA, idB, toA) {
  const nodeA = a.byId.get(idA);
  const nodeB = b.byId.get(idB);
  if (nodeA.kind !== "op" || placeKey(nodeA) !== placeKey(nodeB)) return false;
  const inA = a.inEdges.get(idA) ?? [];
  const inB = b.inEdges.get(idB) ?? [];
  if (inA.length !== inB.length) return false;
  let paired = 0;
  for (const [k, edge] of inB.entries()) {
    const source = toA.get(edge.source);
    if (source === undefined) continue;
    if (inA[k].source !== source) return false;
    paired += 1;
  }
  return paired > 0;
}

/** How non-finite numbers arrive (serialize.py writes them as strings). */
const NON_FINITE = Object.freeze({ nan: Number.NaN, inf: Infinity, "-inf": -Infinity });

/** A tensor's elements as numbers (non-finite ones arrive as strings); null if not listed. */
export function elements(tensor) {
  if (!tensor || tensor.data === null || tensor.data === undefined) return null;
  const flat = [tensor.data].flat(Infinity);
  return flat.map((x) => (typeof x === "number" ? x : (NON_FINITE[x] ?? Number(x))));
}

/** The L2 norm of a tensor's listed elements, summed in float64; null if not listed. */
export function norm(tensor) {
  const xs = elements(tensor);
  if (xs === null) return null;
  return Math.sqrt(xs.reduce((sum, x) => sum + x * x, 0));
}

/**
 * How the gradient of paired nodes differs: as numbers when both have one element, else
 * as L2 norms. A gradient whose elements are not listed (too many) takes its norm from
 * `recorded` (the training records', at the call shown), else has none.
 * @param {GraphNode} nodeA
 * @param {GraphNode} nodeB
 * @param {{a?: number|null, b?: number|null}} [recorded]
 * @returns {Difference}
 */
export function gradientDifference(nodeA, nodeB, recorded = {}) {
  const single = (t) => elements(t)?.length === 1;
  const measure = single(nodeA.grad) && single(nodeB.grad) ? "value" : "norm";
  let note = null;
  const read = (t, record) => {
    if (!t) return null;
    if (measure === "value") return elements(t)[0];
    const listed = norm(t);
    if (listed !== null) return listed;
    note = record === null || record === undefined ? (note ?? UNLISTED) : RECORDED;
    return record ?? null;
  };
  const a = read(nodeA.grad, recorded.a);
  const b = read(nodeB.grad, recorded.b);
  const both = a !== null && b !== null;
  if (both && note === UNLISTED) note = null;
  return {
    measure,
    a,
    b,
    diff: both ? b - a : null,
    ratio: both && a !== 0 ? Math.abs(b) / Math.abs(a) : null,
    note,
  };
}

/**
 * Every paired node's difference, by B's node id; a leaf's gradient too large to list
 * takes its norm from its run's training records (the response's `training`), if any.
 * @param {Model} a
 * @param {Model} b
 * @param {Matching} matching
 * @param {{a?: import("./contract.js").TrainingOut|null,
 *   b?: import("./contract.js").TrainingOut|null}} [training]
 * @returns {Map<string, Difference>}
 */
export function differences(a, b, matching, training = {}) {
  const out = new Map();
  for (const [idB, idA] of matching.toA) {
    const nodeA = a.byId.get(idA);
    const nodeB = b.byId.get(idB);
    const recorded = {
      a: recordedNorm(training.a ?? null, nodeA.kind === "leaf" ? nodeA.name : null),
      b: recordedNorm(training.b ?? null, nodeB.kind === "leaf" ? nodeB.name : null),
    };
    out.set(idB, gradientDifference(nodeA, nodeB, recorded));
  }
  return out;
}

/** Orders of magnitude past which a ratio is drawn at full strength. */
export const RATIO_DECADES = 3;

/**
 * How strongly B's node is marked, −1 … 1: log10 of the ratio of B's gradient to A's over
 * RATIO_DECADES, clipped (positive: B's is larger); null when there is no ratio.
 * @param {Difference} d
 */
export function ratioStrength(d) {
  if (d.ratio === null || !Number.isFinite(d.ratio)) return null;
  if (d.ratio === 0) return -1;
  return Math.max(-1, Math.min(1, Math.log10(d.ratio) / RATIO_DECADES));
}

/**
 * A paired node's difference as rows of text: each run's gradient, B − A (of the norms:
 * ‖B‖ − ‖A‖) and B / A; a number missing is "—", and `title` says why (or where a norm
 * came from), else is null.
 * @param {Difference} d
 * @param {(x: number|null) => string} format  how a number is written (format.formatNumber)
 * @returns {{key: "a"|"b"|"diff"|"ratio", label: string, text: string, title: string|null}[]}
 */
export function differenceRows(d, format) {
  const value = d.measure === "value";
  const what = value ? "∂L/∂" : "‖∂L/∂‖";
  const write = (x) => (x === null ? "—" : format(x));
  const title = d.note ?? null;
  return [
    { key: "a", label: `A ${what}`, text: write(d.a), title },
    { key: "b", label: `B ${what}`, text: write(d.b), title },
    { key: "diff", label: value ? "B − A" : "‖B‖ − ‖A‖", text: write(d.diff), title },
    { key: "ratio", label: value ? "|B| / |A|" : "‖B‖ / ‖A‖", text: d.ratio === null ? "—" : `×${format(d.ratio)}`, title },
  ];
}
