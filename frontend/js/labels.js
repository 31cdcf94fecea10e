/**
 * What a node's card says: title, op name, value and gradient rows. Pure, no DOM.
 *
 * Layout measures these strings and render draws them, so both agree on the text.
 */

import { describeTensor, formatTensor } from "./format.js";
import { outputNode } from "./model.js";

/** Output names longer than this are written L in gradient labels. */
const MAX_OUTPUT_NAME = 8;

/**
 * @typedef {object} CardRow
 * @property {"value"|"grad"} key
 * @property {string} label  "value", "∂loss/∂w", "grad"
 * @property {string} text  the formatted tensor
 * @property {string} detail  every detail, for the tooltip
 *
 * @typedef {object} Card
 * @property {string} title  the variable name, else the friendly label
 * @property {string} subtitle  the grad_fn name, or "constant"
 * @property {CardRow[]} rows
 */

/** The name standing for the output in ∂out/∂x labels. */
export function outputSymbol(model) {
  const out = outputNode(model);
  const name = out?.name;
  return name && name.length <= MAX_OUTPUT_NAME ? name : "L";
}

/**
 * The label of a node's gradient row: ∂loss/∂w for named nodes, "grad" otherwise.
 * @param {import("./api.js").GraphNode} node
 * @param {string} symbol  from outputSymbol
 */
export function gradLabel(node, symbol) {
  return node.name ? `∂${symbol}/∂${node.name}` : "grad";
}

/**
 * The card of one node.
 * @param {import("./api.js").GraphNode} node
 * @param {string} symbol  from outputSymbol(model)
 * @returns {Card}
 */
export function nodeCard(node, symbol) {
  const rows = [
    {
      key: "value",
      label: "value",
      text: formatTensor(node.value),
      detail: describeTensor(node.value),
    },
  ];
  // Constants never receive a gradient; every other node shows its row, "—" when none flowed.
  if (node.kind !== "constant" || node.grad) {
    rows.push({
      key: "grad",
      label: gradLabel(node, symbol),
      text: formatTensor(node.grad),
      detail: describeTensor(node.grad),
    });
  }
  return {
    title: node.name ?? node.label,
    subtitle: node.op ?? "constant",
    rows,
  };
}

/**
 * Cards for every node of a model, by id.
 * @param {import("./model.js").Model} model
 * @returns {Map<string, Card>}
 */
export function modelCards(model) {
  const symbol = outputSymbol(model);
  return new Map(model.nodes.map((n) => [n.id, nodeCard(n, symbol)]));
}
