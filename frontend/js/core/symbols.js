/**
 * How tensors are named in ∂ labels and formulas: the output's symbol (∂loss/∂w, else L),
 * a gradient row's label, an output of an op with several, what an edge from such an op
 * carries. Pure, no DOM.
 */

import { listsOutputs, outputNode, resultOf, resultsOf } from "./model.js";
import { isAtomic } from "./tex.js";

/** Output names longer than this are written L in gradient labels. */
const MAX_OUTPUT_NAME = 8;

/** The name standing for the output in ∂out/∂x labels. */
export function outputSymbol(model) {
  const node = outputNode(model);
  const phase = [...model.phases].reverse().find((p) => p.output === node?.id) ?? null;
  return symbolOf(node && differentiated(model, node, phase?.index ?? null));
}

/** The name standing for `node` when it is differentiated: its name, else L. */
export function symbolOf(node) {
  const name = listsOutputs(node) ? null : node?.name;
  return name && name.length <= MAX_OUTPUT_NAME ? name : "L";
}

/**
 * The tensor a backward phase started from, given its output node: the node itself, or,
 * for an op listing several outputs, the output its first step in that phase received a
 * gradient at (autograd starts from one tensor); else its only listed output; else the op.
 * @param {import("./model.js").Model} model
 * @param {import("./contract.js").NodeOut} node
 * @param {number|null} phase  the phase's index; null: the node's first step in any
 */
export function differentiated(model, node, phase) {
  if (!listsOutputs(node)) return node;
  const step = model.steps.backward.find(
    (s) => s.node === node.id && (phase === null || s.phase === phase),
  );
  const seeded = (step?.outputs ?? []).filter((o) => o.grad);
  if (seeded.length === 1) return resultOf(node, seeded[0].output);
  const listed = resultsOf(node);
  return listed.length === 1 ? listed[0] : node;
}

/**
 * The label of a node's gradient row: ∂loss/∂ its shown name (∂loss/∂w, ∂loss/∂(w*x)),
 * "grad" for a node without one.
 * @param {import("./contract.js").NodeOut} node
 * @param {string} symbol  from outputSymbol
 */
export function gradLabel(node, symbol) {
  const name = node.name ?? node.shown ?? null;
  if (!name) return "grad";
  return `∂${symbol}/∂${isAtomic(name) ? name : `(${name})`}`;
}

/** The label of an output's rows on its op's card: its name, else out[k]. */
export function outputLabel(result) {
  return result.name ?? `out[${result.output}]`;
}

/**
 * What an edge from an op listing several outputs says about the output it carries: the
 * output's name, else [k]; null for an edge from any other node.
 * @param {import("./model.js").Model} model
 * @param {import("./contract.js").EdgeOut} edge
 */
export function edgeOutputLabel(model, edge) {
  const source = model.byId.get(edge.source);
  if (!listsOutputs(source)) return null;
  return resultOf(source, edge.output ?? 0).name ?? `[${edge.output ?? 0}]`;
}
