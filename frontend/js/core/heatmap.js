/**
 * Small tensors as tiny heatmaps: the grid a tensor's elements are drawn on, and a
 * diverging blue–orange colour scale centred on zero. Pure, no DOM.
 *
 * Blue and orange stay apart for the common colour-vision deficiencies (unlike red and
 * green), and the scale also runs dark–light–dark, so it survives greyscale projectors.
 */

import { numel } from "./format.js";

/** Bounds of a heatmap on a node card, in px. */
export const HEATMAP = Object.freeze({
  maxWidth: 160,
  maxHeight: 64,
  minCell: 2,
  maxCell: 12,
  /** A 2-D view wider or taller than these is folded into rows of `fold` elements. */
  maxCols: 80,
  maxRows: 32,
  fold: 32,
});

/**
 * The colour stops of the diverging scale, from -1 (strongest negative) to +1.
 * Blue for negative, near-white for zero, orange for positive.
 */
export const DIVERGING_STOPS = Object.freeze([
  [-1, "#1f5fa8"],
  [-0.5, "#8fbfe0"],
  [0, "#f6f6f4"],
  [0.5, "#f9b568"],
  [1, "#b0510c"],
]);

/** The colour of a value that is not a finite number (nan). */
export const NAN_COLOUR = "#c9ccd3";

/**
 * @typedef {object} Grid
 * @property {number} rows
 * @property {number} cols
 * @property {number} cell  side of one square cell, px
 * @property {number} width  cols * cell
 * @property {number} height  rows * cell
 * @property {boolean} folded  true when the elements were re-wrapped into rows of `fold`
 */

/**
 * The grid a tensor of `shape` is drawn on, or null for tensors shown as a number
 * (fewer than two elements). The last dimension runs across; leading ones stack down.
 * @param {number[]} shape
 * @returns {Grid|null}
 */
export function heatmapGrid(shape, bounds = HEATMAP) {
  const count = numel(shape);
  if (count < 2) return null;
  let cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  let rows = count / cols;
  let folded = false;
  if (cols > bounds.maxCols || rows > bounds.maxRows) {
    cols = Math.min(count, bounds.fold);
    rows = Math.ceil(count / cols);
    folded = true;
  }
  const fit = Math.floor(Math.min(bounds.maxWidth / cols, bounds.maxHeight / rows));
  const cell = Math.max(bounds.minCell, Math.min(bounds.maxCell, fit));
  return { rows, cols, cell, width: cols * cell, height: rows * cell, folded };
}

/** The elements of nested data in row-major order. */
export function flatten(data) {
  if (!Array.isArray(data)) return [data];
  const out = [];
  const stack = [data];
  // Iterative, so deep nesting never overflows the stack; order kept by pushing reversed.
  while (stack.length) {
    const item = stack.pop();
    if (Array.isArray(item)) for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    else out.push(item);
  }
  return out;
}

/** A value as a number: booleans as 0/1, "inf"/"-inf" as infinities, anything else NaN. */
function asNumber(v) {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return NaN;
}

/** The largest finite magnitude among `values` (0 when there is none). */
export function maxAbs(values) {
  let m = 0;
  for (const v of values) {
    const x = Math.abs(asNumber(v));
    if (Number.isFinite(x) && x > m) m = x;
  }
  return m;
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function rgbToHex([r, g, b]) {
  const h = (v) => Math.round(v).toString(16).padStart(2, "0");
  return `#${h(r)}${h(g)}${h(b)}`;
}

const STOPS_RGB = DIVERGING_STOPS.map(([at, hex]) => [at, hexToRgb(hex)]);

/**
 * The colour of `value` on a scale running from -`limit` (blue) to +`limit` (orange).
 * @param {number|boolean|string} value
 * @param {number} limit  the magnitude drawn at full strength (values beyond are clamped)
 * @returns {string} "#rrggbb"
 */
export function divergingColour(value, limit) {
  const x = asNumber(value);
  if (Number.isNaN(x)) return NAN_COLOUR;
  const s = limit > 0 ? Math.max(-1, Math.min(1, x / limit)) : 0;
  for (let i = 1; i < STOPS_RGB.length; i++) {
    const [hi, cHi] = STOPS_RGB[i];
    if (s <= hi) {
      const [lo, cLo] = STOPS_RGB[i - 1];
      const f = (s - lo) / (hi - lo);
      return rgbToHex(cLo.map((c, k) => c + (cHi[k] - c) * f));
    }
  }
  return DIVERGING_STOPS[DIVERGING_STOPS.length - 1][1];
}

/**
 * Everything needed to draw a tensor as a heatmap, or null when it is shown as a number
 * or its data was not sent (too large).
 * @param {import("./contract.js").TensorOut|null|undefined} tensor
 * @returns {{grid: Grid, colours: string[], limit: number}|null}
 */
export function heatmapOf(tensor, bounds = HEATMAP) {
  if (!tensor || tensor.data === null || tensor.data === undefined) return null;
  const grid = heatmapGrid(tensor.shape, bounds);
  if (!grid) return null;
  const values = flatten(tensor.data);
  const limit = maxAbs(values);
  return { grid, colours: values.map((v) => divergingColour(v, limit)), limit };
}
