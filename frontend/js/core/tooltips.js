/**
 * Tooltips (SVG <title>) of nodes and edges: what a node is and holds, what flows back
 * along an edge. Pure text, no DOM.
 */

import { describeTensor } from "./format.js";
import { listsOutputs, resultsOf } from "./model.js";
import { edgeOutputLabel, outputLabel } from "./symbols.js";

/** Tooltip of a node: what it is, its value and its gradient in full (per output). */
export function nodeTitle(node, card) {
  if (node.kind === "module") return `${node.module} (${node.type}): click to expand`;
  const head = [card.title, node.op ?? "constant", node.meaning].filter(Boolean).join(" · ");
  const lines = [head, ""];
  if (listsOutputs(node)) {
    for (const r of resultsOf(node)) {
      const label = outputLabel(r);
      lines.push(`${label} (output ${r.output}): ${describeTensor(r.value)}`);
      const gradRow = card.rows.find((row) => row.key === "grad" && row.output === r.output);
      if (gradRow) lines.push(`${gradRow.label}: ${describeTensor(r.grad)}`);
    }
  } else {
    lines.push(`value: ${describeTensor(node.value)}`);
    const gradRow = card.rows.find((r) => r.key === "grad");
    if (gradRow) lines.push(`${gradRow.label}: ${describeTensor(node.grad)}`);
  }
  lines.push("", "click for details");
  return lines.join("\n");
}

/** Tooltip of an edge: which input it is and the gradient that flows back along it. */
export function edgeTitle(model, view, edge) {
  const source = view.byId.get(edge.source);
  const target = view.byId.get(edge.target);
  const output = edge.members?.length > 1 ? null : edgeOutputLabel(model, edge);
  const from = output
    ? `${output} (output ${edge.output ?? 0} of ${source.shown ?? source.label})`
    : (source.name ?? source.shown ?? source.label);
  const to = target.name ?? target.shown ?? target.label;
  const head = `${from} → ${to} (input ${edge.input})`;
  if (edge.members && edge.members.length > 1) return `${head}\n${edge.members.length} edges`;
  const grad = edge.grad ? describeTensor(edge.grad) : "none flows back along this edge";
  return `${head}\ngradient flowing back: ${grad}`;
}
