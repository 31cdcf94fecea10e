/**
 * The readout under the graph: what the hovered node computes and holds, or what flows
 * along the hovered edge (core/readouttex.js), typeset with KaTeX (the global from
 * vendor/katex).
 */

import { namedFormula } from "../core/formula.js";
import { edgeTensor, listsOutputs } from "../core/model.js";
import { edgeTex, nodeTex } from "../core/readouttex.js";
import { outputLabel } from "../core/symbols.js";

const katex = globalThis.katex;

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
      const computes = namedFormula(model, node)?.tex ?? node.formula;
      if (computes) parts.push(tex(computes));
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
      const which = listsOutputs(source) ? ` · ${output} of ${source.shown ?? source.label}` : "";
      element.replaceChildren(caption(`input ${edge.input}${which}`), tex(edgeTex(edge, model)));
      element.hidden = false;
    },
  };
}
