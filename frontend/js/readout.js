/**
 * The readout under the graph: what the hovered node computes and holds, or what flows
 * along the hovered edge, typeset with KaTeX (the global from vendor/katex).
 */

import { formatTensor } from "./format.js";
import { outputLabel, outputSymbol } from "./labels.js";
import { edgeTensor, listsOutputs, resultsOf } from "./model.js";
import { partial, texText, who } from "./tex.js";

const katex = globalThis.katex;

/**
 * TeX for a node's numbers: `w = 1.0   ∂loss/∂w = -0.56`.
 * @param {import("./api.js").GraphNode} node
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
 * `∂(×)/∂w = b = 1.4   ∂loss/∂w = -0.56` (each part only when the trace has it).
 * @param {import("./api.js").GraphEdge} edge
 * @param {import("./model.js").Model} model
 */
export function edgeTex(edge, model) {
  const source = edgeTensor(model, edge);
  const target = model.byId.get(edge.target);
  const parts = [];
  if (edge.formula || edge.local) {
    const local = [partial(who(target), who(source))];
    if (edge.formula) local.push(edge.formula);
    if (edge.local) local.push(texText(formatTensor(edge.local)));
    parts.push(local.join(" = "));
  }
  const grad = edge.grad ? texText(formatTensor(edge.grad)) : texText("none");
  parts.push(
    `${partial(texText(outputSymbol(model)), who(source))}\\big|_{\\text{this edge}} = ${grad}`,
  );
  return parts.join("\\qquad ");
}

/** @param {HTMLElement} element  the readout box, hidden while nothing is hovered */
export function createReadout(element) {
  const options = { throwOnError: false, strict: "ignore", displayMode: false };

  function tex(source) {
    const span = document.createElement("span");
    span.className = "readout-tex";
    if (katex) katex.render(source, span, options);
    else span.textContent = source;
    return span;
  }

  function caption(text) {
    const span = document.createElement("span");
    span.className = "readout-caption";
    span.textContent = text;
    return span;
  }

  return {
    /** Show a node's readout (null hides it). */
    showNode(node, model) {
      if (!node) {
        element.hidden = true;
        return;
      }
      const parts = [];
      if (node.meaning) parts.push(caption(node.meaning));
      if (node.formula) parts.push(tex(node.formula));
      parts.push(tex(nodeTex(node, model)));
      element.replaceChildren(...parts);
      element.hidden = false;
    },
    /** Show what flows along an edge (null hides it). */
    showEdge(edge, model) {
      if (!edge) {
        element.hidden = true;
        return;
      }
      // An edge reading one of an op's several outputs says which.
      const source = model.byId.get(edge.source);
      const output = `${outputLabel(edgeTensor(model, edge))}, output ${edge.output ?? 0}`;
      const which = listsOutputs(source) ? ` · ${output} of ${source.label}` : "";
      element.replaceChildren(caption(`input ${edge.input}${which}`), tex(edgeTex(edge, model)));
      element.hidden = false;
    },
  };
}
