/**
 * What a node's card in the graph says: title, op name, value and gradient rows, and the
 * heatmap grid of each tensor row. Pure, no DOM.
 *
 * layout/measure.js measures these strings and grids and draw/cards.js draws them, so both
 * agree.
 */

import { describeTensor, formatTensor } from "./format.js";
import { heatmapGrid } from "./heatmap.js";
import { listsOutputs, resultsOf } from "./model.js";
import { gradLabel, outputLabel, outputSymbol } from "./symbols.js";

/**
 * @typedef {object} CardRow
 * @property {"value"|"grad"|"acc"} key  acc: a leaf's .grad, when several backward() calls
 *   accumulate into it
 * @property {string} label  "value", "∂loss/∂w", "grad", ".grad"
 * @property {string} text  the formatted tensor
 * @property {string} detail  every detail, for the tooltip
 * @property {import("./heatmap.js").Grid|null} heatmap  the grid its elements are drawn on,
 *   or null when the text says it all (one element) or the data was not sent
 * @property {import("./contract.js").TensorOut|null} tensor  the tensor itself, for the heatmap
 * @property {number|null} output  for an op listing several outputs: the output the row
 *   shows (its position among the op's results); null otherwise
 *
 * @typedef {object} Card
 * @property {string} title  the name the node is shown by: its variable's, else a short
 *   expression (w*x) or t1 (an op listing several outputs is never titled by its output
 *   0's name: each output has its own rows)
 * @property {string} subtitle  the grad_fn name, or "constant"; after the friendly label
 *   (× · MulBackward0) for an op titled by a name
 * @property {CardRow[]} rows
 */

/** A card row for a tensor. */
function row(key, label, tensor, output = null) {
  const hasData = tensor && tensor.data !== null && tensor.data !== undefined;
  return {
    key,
    label,
    text: formatTensor(tensor),
    detail: describeTensor(tensor),
    heatmap: hasData ? heatmapGrid(tensor.shape) : null,
    tensor: tensor ?? null,
    output,
  };
}

/**
 * The card of one node. An op listing several outputs is titled by its label and shows
 * each listed output as its own rows: its value, and its gradient unless no gradient can
 * reach it (the indices of torch.max).
 * @param {import("./contract.js").NodeOut} node
 * @param {string} symbol  from outputSymbol(model)
 * @param {{accumulated?: import("./contract.js").TensorOut|null}} [extra]  accumulated: the leaf's
 *   .grad after the last backward() call, shown when several calls accumulate
 * @returns {Card}
 */
export function nodeCard(node, symbol, { accumulated = null } = {}) {
  if (listsOutputs(node)) {
    const rows = resultsOf(node).flatMap((r) => {
      const label = outputLabel(r);
      const value = row("value", label, r.value, r.output);
      if (!r.differentiable) return [value];
      return [value, row("grad", `∂${symbol}/∂${label}`, r.grad, r.output)];
    });
    return { title: node.shown ?? node.label, subtitle: subtitleOf(node), rows };
  }
  const rows = [row("value", "value", node.value)];
  // Constants never receive a gradient; every other node shows its row, "—" when none flowed.
  if (node.kind !== "constant" || node.grad) {
    rows.push(row("grad", gradLabel(node, symbol), node.grad));
  }
  if (accumulated) rows.push(row("acc", ".grad", accumulated));
  return {
    title: node.name ?? node.shown ?? node.label,
    subtitle: subtitleOf(node),
    rows,
  };
}

/**
 * The line under a card's title: the grad_fn's name ("constant" for a constant), after
 * the op's friendly label when the title is a name rather than the label: × · MulBackward0.
 */
function subtitleOf(node) {
  const op = node.op ?? "constant";
  const title = listsOutputs(node) ? node.shown : (node.name ?? node.shown);
  return node.kind === "op" && title && title !== node.label ? `${node.label} · ${op}` : op;
}

/**
 * The card of a collapsed module: its name, its class and how many nodes it hides.
 * @param {import("./collapse.js").ModuleBox} box
 * @returns {Card}
 */
export function moduleCard(box) {
  const n = box.members.length;
  return {
    title: box.module,
    subtitle: `${box.type} · ${n} node${n === 1 ? "" : "s"}`,
    rows: [],
  };
}

/**
 * Each leaf's .grad after the last backward step that reached it, for graphs with more
 * than one backward() call (with one, .grad is the gradient row itself).
 * @param {import("./model.js").Model} model
 * @returns {Map<string, import("./contract.js").TensorOut>}
 */
export function accumulatedGrads(model) {
  const out = new Map();
  if (model.phases.length < 2) return out;
  for (const step of model.steps.backward) {
    if (step.accumulated) out.set(step.node, step.accumulated);
  }
  return out;
}

/**
 * Cards for every node of a view (or a model), by id.
 * @param {import("./model.js").Model} model
 * @param {import("./collapse.js").View|import("./model.js").Model} [view]
 * @returns {Map<string, Card>}
 */
export function modelCards(model, view = model) {
  const symbol = outputSymbol(model);
  const accumulated = accumulatedGrads(model);
  return new Map(
    view.nodes.map((n) => [
      n.id,
      n.kind === "module"
        ? moduleCard(n)
        : nodeCard(n, symbol, { accumulated: accumulated.get(n.id) ?? null }),
    ]),
  );
}
