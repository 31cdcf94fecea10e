/**
 * The op table's formulas (trace/ops.py) in the program's own names: its letters — the
 * inputs a, b, c (A, B) and the output y (Y) — replaced by the nodes' shown names or by
 * their numbers; TeX as plain text; what a gradient summed over a broadcast says. Pure, no DOM.
 */

import { formatNumber, formatShape, formatTensor, numel } from "./format.js";
import { edgeTensor } from "./model.js";
import { isAtomic, partial, shownName, texNumber, texText } from "./tex.js";
import { scalarOf } from "./timeline.js";

/** Commands whose braced argument is text, never a letter of the formula. */
const TEXT_COMMANDS = new Set(["text", "operatorname", "mathrm", "texttt"]);


/** The index of the brace closing the one at `open`. */
function closing(tex, open) {
  let depth = 0;
  for (let i = open; i < tex.length; i++) {
    if (tex[i] === "\\") i++;
    else if (tex[i] === "{") depth++;
    else if (tex[i] === "}" && --depth === 0) return i;
  }
  return tex.length - 1;
}

/**
 * `tex` with each lone letter that `symbols` has (a, b, y, A, n …) replaced by its TeX;
 * `\bar{Y}` is replaced by `symbols["\\bar{Y}"]` when given. Command names and the text
 * inside \text{…} are never touched, nor letters within a longer word.
 * @param {string} tex
 * @param {Record<string, string>} symbols  letter (or "\\bar{Y}") -> TeX
 * @returns {string}
 */
export function fillFormula(tex, symbols) {
  const has = (key) => Object.hasOwn(symbols, key);
  let out = "";
  let i = 0;
  while (i < tex.length) {
    const rest = tex.slice(i);
    const bar = /^\\bar\{([A-Za-z])\}/.exec(rest);
    if (bar && has(bar[0])) {
      out += symbols[bar[0]];
      i += bar[0].length;
      continue;
    }
    const command = /^\\([A-Za-z]+|.)/.exec(rest);
    if (command) {
      out += command[0];
      i += command[0].length;
      if (TEXT_COMMANDS.has(command[1]) && tex[i] === "{") {
        const end = closing(tex, i);
        out += tex.slice(i, end + 1);
        i = end + 1;
      }
      continue;
    }
    const word = /^[A-Za-z]+/.exec(rest);
    if (word) {
      out += word[0].length === 1 && has(word[0]) ? symbols[word[0]] : word[0];
      i += word[0].length;
      continue;
    }
    out += tex[i];
    i++;
  }
  return out;
}

/** Lone ASCII letters left in a formula (outside commands and \text{…}), other than e. */
export function lettersLeft(tex) {
  const bare = tex
    .replace(/\\(text|operatorname|mathrm|texttt)\{[^}]*\}/g, " ")
    .replace(/\\[A-Za-z]+/g, " ");
  const letters = [...bare.matchAll(/(?<![A-Za-z])[A-Za-z](?![A-Za-z])/g)].map((m) => m[0]);
  return [...new Set(letters.filter((c) => c !== "e"))];
}

// --- a node's formulas in its names -------------------------------------------------------------

/** A name as TeX inside a formula: \text{w}; in brackets unless a plain name: (\text{w*x}). */
function operand(name) {
  return isAtomic(name) ? texText(name) : `(${texText(name)})`;
}

/** A number (already formatted) as an operand: in brackets when negative. */
function numberOperand(text) {
  return text.startsWith("-") ? `(${texNumber(text)})` : texNumber(text);
}

/** The exponent n of a tensor raised to a number's power, when the trace has it. */
function exponentOf(node) {
  const n = node.saved?.exponent;
  return typeof n === "number" ? String(n) : null;
}

/**
 * The letters of a node's formulas and the TeX standing for each: each input's shown name
 * (by its edge's symbol), the node's own for y and Y, the exponent n of a power; with
 * `numbers`, each input's number instead (null when an input is not one number).
 * @param {import("./model.js").Model} model
 * @param {import("./contract.js").NodeOut} node
 * @param {{numbers?: boolean, L?: string|null}} [options]  L: what is differentiated,
 *   for Ȳ (the gradient arriving at the op) written as ∂L/∂Y
 * @returns {Record<string, string>|null}
 */
export function formulaSymbols(model, node, { numbers = false, L = null } = {}) {
  const symbols = {};
  const own = operand(shownName(node));
  for (const letter of ["y", "Y"]) symbols[letter] = own;
  if (L) {
    const bar = partial(texText(L), own);
    for (const letter of ["y", "Y"]) symbols[`\\bar{${letter}}`] = bar;
  }
  const n = exponentOf(node);
  if (n !== null) symbols.n = numberOperand(n);
  // Numbers the program wrote as operands (b * 5): the same in both ways of writing.
  for (const [letter, x] of Object.entries(node.numbers ?? {})) {
    symbols[letter] = numberOperand(formatNumber(x, { float: !Number.isInteger(x) }));
  }
  for (const edge of model.inEdges.get(node.id) ?? []) {
    if (!edge.symbol) continue;
    const tensor = edgeTensor(model, edge);
    if (!numbers) {
      symbols[edge.symbol] = operand(shownName(tensor));
      continue;
    }
    const x = scalarOf(tensor.value);
    if (x === null) return null;
    symbols[edge.symbol] = numberOperand(formatTensor(tensor.value));
  }
  return symbols;
}

/**
 * What an op computes, in its names: `w*x = w · x`; its output written plainly on the
 * left. Null for a node without a formula.
 * @returns {{tex: string, text: string}|null}
 */
export function namedFormula(model, node) {
  if (!node.formula) return null;
  const { lhs, rhs } = sides(node.formula);
  const symbols = formulaSymbols(model, node);
  const plain = texText(shownName(node));
  const left = lhs === null ? "" : `${fillFormula(lhs, { y: plain, Y: plain })} = `;
  const tex = `${left}${fillFormula(rhs, symbols)}`;
  return unnamedLeft(tex) ? null : { tex, text: texToPlain(tex) };
}

/**
 * Whether a filled-in formula still has a letter standing for an input or output (an
 * operand the trace does not name): it would read as one of the program's variables.
 */
function unnamedLeft(tex) {
  return lettersLeft(tex).some((c) => "abcyABCY".includes(c));
}

/**
 * A forward step's formula with its numbers: `w*x = w · x = 1.0 · 1.4`. The numbers are
 * put in where every input is one number and the formula is written in single numbers (no
 * Σ, no index); `numbers` says whether they were. The result is left to the value line.
 * @returns {{tex: string, text: string, numbers: boolean}|null}
 */
export function forwardFormula(model, node) {
  const named = namedFormula(model, node);
  if (!named) return null;
  const { rhs } = sides(node.formula);
  let tex = named.tex;
  const numbers = /\\sum|_/.test(rhs) ? null : formulaSymbols(model, node, { numbers: true });
  const filled = numbers ? fillFormula(rhs, numbers) : null;
  const put = filled !== null && lettersLeft(filled).length === 0;
  if (put) tex += ` = ${filled}`;
  return { tex, text: texToPlain(tex), numbers: put };
}

/**
 * The local derivative along an edge in the names of its op and input: for w*x by w, `x`.
 * @returns {{tex: string, text: string}|null}
 */
export function localFormula(model, edge, L = null) {
  if (!edge.formula) return null;
  const node = model.byId.get(edge.target);
  const tex = fillFormula(edge.formula, formulaSymbols(model, node, { L }));
  return unnamedLeft(tex) ? null : { tex, text: texToPlain(tex) };
}

/** A formula's output side ("y", "y_i", "Y") and the rest; lhs null when it has none. */
function sides(formula) {
  const m = /^([yY](_[a-z])?) = (.*)$/s.exec(formula);
  return m ? { lhs: m[1], rhs: m[3] } : { lhs: null, rhs: formula };
}

// --- TeX as plain text --------------------------------------------------------------------

const WORDS = {
  cdot: "·",
  times: "×",
  sum: "Σ",
  partial: "∂",
  sigma: "σ",
  delta: "δ",
  top: "ᵀ",
  dots: "…",
  quad: "  ",
  qquad: "   ",
  left: "",
  right: "",
};
const FUNCTIONS = new Set(["ln", "log", "exp", "sin", "cos", "tanh", "max", "min"]);
const SUPERSCRIPT = {
  0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
  "-": "⁻", "+": "⁺", n: "ⁿ", i: "ⁱ", ᵀ: "ᵀ",
};
const SUBSCRIPT = { i: "ᵢ", j: "ⱼ", 0: "₀", 1: "₁", 2: "₂", 3: "₃" };
const TEXT_ESCAPES = [
  ["\\textbackslash{}", "\\"],
  ["\\textasciicircum{}", "^"],
  ["\\textasciitilde{}", "~"],
  ["\\^{}", "^"],
  ["\\~{}", "~"],
];

/** The text inside \text{…}, unescaped. */
function unescapeText(text) {
  let t = text;
  for (const [from, to] of TEXT_ESCAPES) t = t.split(from).join(to);
  return t.replace(/\\([{}_#$%&])/g, "$1");
}

/** A braced group or a single token at `i`: [its TeX, the index after it]. */
function argument(tex, i) {
  if (tex[i] === "{") {
    const end = closing(tex, i);
    return [tex.slice(i + 1, end), end + 1];
  }
  const command = /^\\[A-Za-z]+/.exec(tex.slice(i));
  if (command) return [command[0], i + command[0].length];
  return [tex[i] ?? "", i + 1];
}

/** `text` in the given script characters, or null when one of them has none. */
function script(text, table) {
  const chars = [...text];
  return chars.every((c) => table[c]) ? chars.map((c) => table[c]).join("") : null;
}

/** Brackets around plain text that is more than one token. */
function grouped(text) {
  return /^[\w.ᵀ²³ⁿ]+$|^\(.*\)$/.test(text) ? text : `(${text})`;
}

/**
 * TeX (of the op table, with names filled in) as plain text: \cdot as ·, fractions as a/b,
 * powers in superscript where every character has one, \text{…} unescaped.
 * @param {string} tex
 * @returns {string}
 */
export function texToPlain(tex) {
  let out = "";
  let i = 0;
  while (i < tex.length) {
    const c = tex[i];
    if (c === "\\") {
      const command = /^\\([A-Za-z]+|.)/.exec(tex.slice(i));
      const word = command[1];
      i += command[0].length;
      if (TEXT_COMMANDS.has(word)) {
        const [inner, next] = argument(tex, i);
        out += word === "text" || word === "texttt" ? unescapeText(inner) : texToPlain(inner);
        i = next;
      } else if (word === "frac") {
        const [top, afterTop] = argument(tex, i);
        const [bottom, next] = argument(tex, afterTop);
        const [a, b] = [texToPlain(top), texToPlain(bottom)].map((t) => t.replace(/^∂ /, "∂"));
        out += a.startsWith("∂") ? `${a}/${b}` : `${grouped(a)}/${grouped(b)}`;
        i = next;
      } else if (word === "sqrt") {
        const [inner, next] = argument(tex, i);
        out += `√${grouped(texToPlain(inner))}`;
        i = next;
      } else if (word === "bar" || word === "overline") {
        const [inner, next] = argument(tex, i);
        out += `${texToPlain(inner)}\u0304`;
        i = next;
      } else if (Object.hasOwn(WORDS, word)) out += WORDS[word];
      else if (FUNCTIONS.has(word)) out += word;
      else if (word === "," || word === " " || word === ";") out += " ";
      else if ("{}_#$%&".includes(word)) out += word;
      else out += word;
    } else if (c === "^" || c === "_") {
      const [inner, next] = argument(tex, i + 1);
      const plain = texToPlain(inner);
      const small = script(plain, c === "^" ? SUPERSCRIPT : SUBSCRIPT);
      out += small ?? `${c}${grouped(plain)}`;
      i = next;
    } else if (c === "{" || c === "}") {
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/ {2,}/g, " ").trim().normalize("NFC");
}

// --- gradients summed over a broadcast ---------------------------------------------------------

/**
 * What a gradient of shape `from` summed down to an input of shape `to` (broadcasting, or
 * expand) was summed over, in words; null when nothing was summed.
 * "over the batch (3 rows)"; "over dim 1 (4 columns)"; "over dims 0, 2 (12 copies, …)".
 * @param {number[]} from  the gradient's shape (the op's output)
 * @param {number[]} to  the input's shape
 * @returns {string|null}
 */
export function broadcastSum(from, to) {
  if (numel(from) === numel(to) || from.length < to.length) return null;
  if (numel(to) === 1) return `over all ${numel(from)} elements`;
  const lead = from.length - to.length;
  const dims = [];
  from.forEach((size, d) => {
    if (d < lead || (to[d - lead] === 1 && size !== 1)) dims.push(d);
  });
  if (dims.length === 0) return null;
  const copies = dims.reduce((n, d) => n * from[d], 1);
  if (dims.length === 1 && from.length === 2) {
    const [d] = dims;
    const what = d === 0 ? "row" : "column";
    const plural = from[d] === 1 ? "" : "s";
    const over = d === 0 && lead === 1 ? "the batch" : `dim ${d}`;
    return `over ${over} (${from[d]} ${what}${plural})`;
  }
  if (dims.length === 1) return `over dim ${dims[0]} (${copies} copies)`;
  return `over dims ${dims.join(", ")} (${copies} copies, ${formatShape(from)} → ${formatShape(to)})`;
}
