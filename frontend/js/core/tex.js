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

/**
 * Whether a name is written bare in formulas: w, t1, model.0.weight, t3[1], exp(u),
 * v.unbind() — no operator outside brackets. w*x and (y-z)**2 are written in brackets.
 */
export function isAtomic(name) {
  let depth = 0;
  for (const c of name) {
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && " +-*/@%<>=".includes(c)) return false;
  }
  return name.length > 0 && !/^[([]/.test(name);
}

const isPlain = isAtomic;

/**
 * The name a node (or one output of an op) is shown by: its variable's name, else the
 * shown name the trace gives it (`w*x`, `t1`; the label for a trace without one), with
 * the output's position for an unnamed output of an op with several: t3[1].
 */
export function shownName(node) {
  const name = nameOf(node);
  if (name) return name;
  const base = node.shown ?? node.label;
  const at = position(node);
  return at && !isPlain(base) ? `(${base})${at}` : `${base}${at}`;
}

/** How a node is called in formulas: its shown name, in brackets unless a plain name. */
export function who(node) {
  const name = shownName(node);
  return isPlain(name) ? texText(name) : `(${texText(name)})`;
}

/** How a node is called in sentences: its shown name (w*x, t3[1]). */
export function plainName(node) {
  return shownName(node);
}

/** How a node is called in plain-text formulas: its shown name, in brackets unless a plain
 * name: ∂loss/∂(w*x). */
export function plainWho(node) {
  const name = shownName(node);
  return isPlain(name) ? name : `(${name})`;
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
