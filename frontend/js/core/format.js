/**
 * Numbers and tensors as short text for the graph: pure, no DOM.
 *
 * Numbers keep 4 significant digits; 1-element tensors show as their number, small ones
 * as a compact nested list, larger ones as their shape and summary statistics.
 */

/** Significant digits of every number shown. */
export const SIGNIFICANT_DIGITS = 4;
/** Tensors with at most this many elements are listed in full. */
export const MAX_LISTED = 6;
/** ...and when the list fits in this many characters; otherwise the summary is shown. */
export const MAX_LIST_CHARS = 24;
/** Magnitudes outside [SMALL, LARGE) switch to exponent notation. */
const SMALL = 1e-4;
const LARGE = 1e6;
/** Integral magnitudes from here up print as integers rather than in exponent form. */
const INTEGER_DIGITS_FROM = 10 ** SIGNIFICANT_DIGITS;

/** Non-finite values arrive as these strings and are shown as they are. */
const NON_FINITE = new Set(["nan", "inf", "-inf"]);

/** dtypes whose numbers are floats (so an integral value still prints as `2.0`). */
export function isFloatDtype(dtype) {
  return /float|double|half|bfloat|complex/.test(dtype ?? "float");
}

/** Drop trailing zeros from a mantissa, keeping one after the point for floats: 1.000 -> 1.0. */
function trimZeros(text, keepPoint) {
  if (!text.includes(".")) return keepPoint ? `${text}.0` : text;
  const trimmed = text.replace(/0+$/, "");
  if (trimmed.endsWith(".")) return keepPoint ? `${trimmed}0` : trimmed.slice(0, -1);
  return trimmed;
}

/**
 * One number as compact text: `-0.56`, `1.0`, `1.5e-5`, `12346`, `nan`, `True`.
 * @param {number|boolean|string|null|undefined} x
 * @param {{float?: boolean}} [options] float: show integral values as `2.0` (default true)
 */
export function formatNumber(x, { float = true } = {}) {
  if (x === null || x === undefined) return "—";
  if (typeof x === "boolean") return x ? "True" : "False";
  if (typeof x === "string") return NON_FINITE.has(x) ? x : String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return float ? "0.0" : "0";
  if (!float && Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const magnitude = Math.abs(x);
  if (magnitude < SMALL || magnitude >= LARGE) {
    const [mantissa, exponent] = x.toExponential(SIGNIFICANT_DIGITS - 1).split("e");
    return `${trimZeros(mantissa, false)}e${Number(exponent)}`;
  }
  if (magnitude >= INTEGER_DIGITS_FROM) return String(Math.round(x));
  const text = x.toPrecision(SIGNIFICANT_DIGITS);
  // 1898.63 shows as 1899, not 1899.0: the .0 would claim a digit that is not there.
  const integral = Math.abs(x - Math.round(x)) <= 1e-6 * magnitude;
  return trimZeros(text, float && (text.includes(".") || integral));
}

/** Number of elements of a tensor with this shape (1 for a 0-d tensor). */
export function numel(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

/** `2×3` for a shape; `scalar` for a 0-d tensor. */
export function formatShape(shape) {
  return shape.length === 0 ? "scalar" : shape.join("×");
}

/** Nested data as `[[1.0, 2.0], [3.0, 4.0]]`. */
function formatNested(data, float) {
  if (!Array.isArray(data)) return formatNumber(data, { float });
  return `[${data.map((d) => formatNested(d, float)).join(", ")}]`;
}

/** The single number inside 1-element nested lists: [[5]] -> 5. */
function onlyElement(data) {
  let d = data;
  while (Array.isArray(d)) d = d[0];
  return d;
}

/**
 * A tensor as short text for a node card.
 * @param {import("./contract.js").TensorOut|null|undefined} tensor
 * @param {{maxListed?: number, maxChars?: number}} [options]  longer listings show the
 *   summary instead
 * @returns {string}
 */
export function formatTensor(tensor, { maxListed = MAX_LISTED, maxChars = MAX_LIST_CHARS } = {}) {
  if (!tensor) return "—";
  if (tensor.concealed) return "?"; // not to be shown yet (core/conceal.js)
  const float = isFloatDtype(tensor.dtype);
  const count = numel(tensor.shape);
  if (count === 0) return `empty ${formatShape(tensor.shape)}`;
  if (tensor.data !== null && tensor.data !== undefined) {
    if (count === 1) return formatNumber(onlyElement(tensor.data), { float });
    if (count <= maxListed) {
      const listed = formatNested(tensor.data, float);
      if (listed.length <= maxChars) return listed;
    }
  }
  return `[${tensor.shape.join("×")}] μ=${formatNumber(tensor.summary?.mean, { float: false })}`;
}

/**
 * Every detail of a tensor, one fact a line, for tooltips and the inspector.
 * @param {import("./contract.js").TensorOut|null|undefined} tensor
 * @returns {string}
 */
export function describeTensor(tensor) {
  if (!tensor) return "none";
  if (tensor.concealed) return `${formatShape(tensor.shape)} ${tensor.dtype}\n?`;
  const float = isFloatDtype(tensor.dtype);
  const lines = [`${formatShape(tensor.shape)} ${tensor.dtype}`];
  const count = numel(tensor.shape);
  if (tensor.data !== null && tensor.data !== undefined && count <= 64) {
    lines.push(formatNested(tensor.data, float));
  }
  const s = tensor.summary;
  if (s && count > 1) {
    const f = (v) => formatNumber(v, { float: false });
    lines.push(`min ${f(s.min)} · max ${f(s.max)} · mean ${f(s.mean)} · std ${f(s.std)}`);
  }
  return lines.join("\n");
}

/**
 * An error as one line for people: "Line 7, column 10: unknown name 'q'".
 * Columns arrive 0-based and are shown 1-based, as editors count them.
 * @param {{message: string, line?: number|null, col?: number|null}} error
 */
export function formatError({ message, line = null, col = null }) {
  if (line === null || line === undefined) return message;
  if (col === null || col === undefined) return `Line ${line}: ${message}`;
  return `Line ${line}, column ${col + 1}: ${message}`;
}
