/**
 * Small TeX builders for KaTeX: text set upright, how a node is named in a formula,
 * partial derivatives. Pure, no DOM.
 */

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

/** How a node is called in formulas: its name, else its label in brackets. */
export function who(node) {
  return node.name ? texText(node.name) : `(${texText(node.label)})`;
}

/** How a node is called in sentences: its name, else its label. */
export function plainName(node) {
  return node.name ?? node.label;
}

/** How a node is called in plain-text formulas: its name, else its label in brackets. */
export function plainWho(node) {
  return node.name ?? `(${node.label})`;
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
