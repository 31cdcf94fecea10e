/**
 * What the readout under the graph says, as TeX: a hovered node's numbers, or the local
 * derivative along a hovered edge and the gradient that flows back along it. Pure, no DOM.
 */

import { formatTensor } from "./format.js";
import { localFormula } from "./formula.js";
import { edgeTensor, listsOutputs, resultsOf } from "./model.js";
import { outputSymbol } from "./symbols.js";
import { partial, texText, who } from "./tex.js";

/**
 * TeX for a node's numbers: `w = 1.0   ∂loss/∂w = -0.56`.
 * @param {import("./contract.js").NodeOut} node
 * @param {import("./model.js").Model} model
 */
export function nodeTex(node, model) {
  const L = texText(outputSymbol(model));
  // An op with several outputs: each listed output's numbers.
  const tensors = listsOutputs(node) ? resultsOf(node) : [node];
  const parts = [];
  for (const t of tensors) {
    parts.push(`${who(t)} = ${texText(formatTensor(t.value))}`);
    if (t.differentiable === false || (t.kind === "constant" && !t.grad)) continue;
    parts.push(`${partial(L, who(t))} = ${texText(formatTensor(t.grad))}`);
  }
  return parts.join("\\qquad ");
}

/**
 * TeX for an edge: the local derivative and the gradient that flows back along it,
 * `∂(w*x)/∂w = x = 1.4   ∂loss/∂w = -0.56`, in the program's names (each part only when
 * the trace has it).
 * @param {import("./contract.js").EdgeOut} edge
 * @param {import("./model.js").Model} model
 */
export function edgeTex(edge, model) {
  const source = edgeTensor(model, edge);
  const target = model.byId.get(edge.target);
  const parts = [];
  if (edge.formula || edge.local) {
    const local = [partial(who(target), who(source))];
    const named = localFormula(model, edge, outputSymbol(model));
    if (named) local.push(named.tex);
    if (edge.local) local.push(texText(formatTensor(edge.local)));
    parts.push(local.join(" = "));
  }
  const grad = edge.grad ? texText(formatTensor(edge.grad)) : texText("none");
  parts.push(
    `${partial(texText(outputSymbol(model)), who(source))}\\big|_{\\text{this edge}} = ${grad}`,
  );
  return parts.join("\\qquad ");
}
