/**
 * The gradient check as table rows: one per element compared, labelled with the leaf's
 * name and the element's index (model.2.weight[3, 1]); a row where both sides are 0 is
 * flagged: it agrees, but says nothing about the gradient. Pure, no DOM.
 */

import { formatNumber } from "./format.js";
import { CHECK_TOLERANCE } from "./lessons.js";

/** |x| at most this is 0 for the finite difference (float64 noise of a flat function). */
const ZERO = 1e-12;

/**
 * @typedef {object} CheckRow
 * @property {string} node  the leaf's node id
 * @property {string} label  model.2.weight[3, 1]; the bare name for a 0-d leaf
 * @property {string} analytic  autograd's number, formatted
 * @property {string} numeric  the central difference, formatted
 * @property {string} error  the element's relative error, 1.2e-10
 * @property {boolean} agrees  relative error below CHECK_TOLERANCE
 * @property {boolean} uninformative  both sides 0: agreeing proves nothing
 */

/** An element's label: the leaf's name (else its node id) and the element's index. */
export function elementLabel(leaf, index) {
  const name = leaf.name ?? leaf.node;
  return index.length ? `${name}[${index.join(", ")}]` : name;
}

/**
 * The rows of the gradient check's table, leaf by leaf, element by element.
 * @param {import("./contract.js").CheckOut} check
 * @returns {CheckRow[]}
 */
export function checkRows(check) {
  const rows = [];
  for (const leaf of check?.leaves ?? []) {
    leaf.analytic.forEach((a, i) => {
      const analytic = Number(a);
      const numeric = Number(leaf.numeric[i]);
      const error = Number(leaf.rel_errors?.[i] ?? leaf.max_rel_error);
      rows.push({
        node: leaf.node,
        label: elementLabel(leaf, leaf.indices?.[i] ?? (leaf.elements > 1 ? [i] : [])),
        analytic: formatNumber(analytic),
        numeric: formatNumber(numeric),
        error: error.toExponential(1),
        agrees: error < CHECK_TOLERANCE,
        uninformative: analytic === 0 && Math.abs(numeric) <= ZERO,
      });
    });
  }
  return rows;
}
