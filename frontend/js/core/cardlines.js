/**
 * What the chain-rule cards are made of: a line (TeX and its plain-text twin), numbers as
 * the cards write them, how a backward phase and its call are named, the gradients
 * arriving in a backward step, and the line for a gradient torch.autograd.grad returned.
 * Pure, no DOM.
 */

import { formatTensor } from "./format.js";
import { listsOutputs, resultOf } from "./model.js";
import { differentiated, outputSymbol, symbolOf } from "./symbols.js";
import { partial, plainName, plainWho, texNumber, texText, who } from "./tex.js";
import { outputGrads } from "./timeline.js";

/** Tensors on the card may be listed a little longer than on a node. */
const CARD_NUMBERS = { maxListed: 8, maxChars: 44 };
/** A tensor as the card writes it. */
export const fmt = (tensor) => formatTensor(tensor, CARD_NUMBERS);

/** What a gradient torch.autograd.grad handed back is followed by, on the cards. */
const RETURNED = "returned by torch.autograd.grad";

/**
 * @typedef {object} CardLine
 * @property {"start"|"arrive"|"send"|"nograd"|"sum"|"acc"|"returned"|"formula"|"inputs"|
 *   "value"|"grad"} kind  returned: a gradient torch.autograd.grad handed back
 * @property {string} tex  for KaTeX
 * @property {string} text  the same in plain text: screen readers, tests, the steps table
 * @property {string|null} note  a short remark in words
 *
 * @typedef {object} StepCard
 * @property {"forward"|"backward"|"done"} order
 * @property {string} title  "Backward step 6 of 7"
 * @property {string} subtitle  which order this is, and the phase or generation
 * @property {string} heading  what the step does, in words
 * @property {string|null} node  the step's node id
 * @property {CardLine[]} lines
 *
 * @typedef {{tensor: import("./contract.js").NodeOut|import("./model.js").Result,
 *   grad: import("./contract.js").TensorOut|null}} Arriving  a gradient arriving at a tensor
 */

/** A card line. */
export function line(kind, tex, text, note = null) {
  return { kind, tex, text, note };
}

/** The phase (backward() or torch.autograd.grad() call) with this index. */
export function phaseOf(model, index) {
  return model.phases.find((p) => p.index === index) ?? null;
}

/** The symbol of what a phase differentiates (its output's short name, else L). */
export function phaseSymbol(model, phase) {
  const out = phase?.output ? model.byId.get(phase.output) : null;
  return out ? symbolOf(differentiated(model, out, phase.index)) : outputSymbol(model);
}

/** The call that ran a phase, as the program wrote it. */
export function callName(phase) {
  return phase?.call === "autograd.grad" ? "torch.autograd.grad()" : "backward()";
}

/**
 * The gradients arriving in a backward step: at the node, or, for an op listing several
 * outputs, at each listed output.
 * @returns {Arriving[]}
 */
export function arrivingAt(step, node) {
  if (!listsOutputs(node)) return [{ tensor: node, grad: step.grad }];
  return outputGrads(step, node).map((g) => ({ tensor: resultOf(node, g.output), grad: g.grad }));
}

/**
 * The gradient torch.autograd.grad handed back at this node, said as such: it is not
 * stored in .grad.
 * @param {Arriving[]} arriving
 */
export function returnedLine(node, arriving, L) {
  const got = arriving.filter((a) => a.grad);
  const Lt = texText(L);
  const tex = got.map((a) => `${partial(Lt, who(a.tensor))} = ${texNumber(fmt(a.grad))}`);
  const text = got.map((a) => `∂${L}/∂${plainWho(a.tensor)} = ${fmt(a.grad)}`);
  const unchanged = listsOutputs(node)
    ? "no .grad is changed"
    : `${plainName(node)}.grad is not changed`;
  return line(
    "returned",
    `${tex.join(",\\ ")}\\quad ${texText(`— ${RETURNED}; ${unchanged}`)}`,
    `${text.join(", ")} — ${RETURNED}; ${unchanged}`,
    "torch.autograd.grad hands the gradient back to the program instead of adding it into .grad",
  );
}
