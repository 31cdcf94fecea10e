/**
 * Small TeX builders for KaTeX: text set upright, how a node is named in a formula,
 * partial derivatives. Pure, no DOM.
 */

import { listsOutputs } from "./model.js";

/** Characters TeX treats specially, escaped for \text{...}. */
const TEX_ESCAPES = {
  "\\": "\\textbackslash{}",
  "{": "\\{",
  "}": "\\}",
  _: "\\_",
  "^": "\\textasciicircum{}",
  "#": "\\#",
  $: "\\$",
  "%": "\\%",
  "&": "\\&",
  "~": "\\textasciitilde{}",
};

/** `text` set upright inside maths. */
export function texText(text) {
  return `\\text{${[...text].map((c) => TEX_ESCAPES[c] ?? c).join("")}}`;
}

/**
 * The name a node goes by in formulas and sentences, or null. An op listing several
 * outputs goes by its label: its `name` is only that of its output 0.
 */
function nameOf(node) {
  return listsOutputs(node) ? null : (node.name ?? null);
}

/** "[1]" after an unnamed output of an op with several, else "". */
function position(node) {
  return typeof node.output === "number" ? `[${node.output}]` : "";
}

/** How a node (or one output of an op) is called in formulas: its name, else its label
 * in brackets, with the output's position: (Unbind)[1]. */
export function who(node) {
  const name = nameOf(node);
  return name ? texText(name) : `(${texText(node.label)})${position(node)}`;
}

/** How a node is called in sentences: its name, else its label (Unbind[1] for an output). */
export function plainName(node) {
  return nameOf(node) ?? `${node.label}${position(node)}`;
}

/** How a node is called in plain-text formulas: its name, else its label in brackets. */
export function plainWho(node) {
  return nameOf(node) ?? `(${node.label})${position(node)}`;
}

/** ∂top/∂bottom as a TeX fraction; both already TeX. */
export function partial(top, bottom) {
  return `\\frac{\\partial ${top}}{\\partial ${bottom}}`;
}

/**
 * A number or short tensor text (already formatted) as TeX: in maths, so -0.4 gets a
 * true minus sign; anything else (nan, shapes, summaries) upright as text.
 */
export function texNumber(text) {
  if (/^[-+]?\d+(\.\d+)?$/.test(text)) return text;
  if (/^[[\]\d., -]+$/.test(text)) return text.replace(/, /g, ",\\ ");
  return texText(text);
}
