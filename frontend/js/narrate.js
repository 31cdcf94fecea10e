/**
 * The step in words: the one-line narration over the graph, and the rows of the text view
 * of every step. Pure, no DOM; built on the cards of explain.js.
 */

import { fmt, phaseOf, phaseSymbol, stepCard } from "./explain.js";
import { plainName, plainWho } from "./tex.js";
import { arrivalParts, stepAt } from "./timeline.js";

/** "a, b and c" */
function listed(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * One line in words of what happens at a position.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {number} position
 * @param {import("./explain.js").StepCard} [card]  the position's card, when made already
 */
export function narration(timeline, position, card = stepCard(timeline, position)) {
  const at = stepAt(timeline, position);
  if (!at) return `${card.title}. ${card.heading}.`;
  const { model } = timeline;
  const node = model.byId.get(at.step.node);
  const value = fmt(node.value);
  if (at.order === "forward") {
    if (node.kind === "leaf") {
      return `${card.title}: ${plainName(node)} = ${value} enters the graph, a leaf that requires grad.`;
    }
    if (node.kind === "constant") {
      return `${card.title}: ${plainName(node)} = ${value} enters the graph as a constant.`;
    }
    const ins = at.step.edges.map((e) => plainWho(model.byId.get(model.edges[e].source)));
    return `${card.title}: ${plainWho(node)} = ${node.meaning ?? node.op} of ${listed(ins)} = ${value}.`;
  }
  const step = at.step;
  const L = phaseSymbol(model, phaseOf(model, step.phase));
  const g = fmt(step.grad);
  const parts = arrivalParts(timeline, position);
  const received =
    parts.length > 1
      ? `${plainWho(node)} adds up ${parts.length} paths: ∂${L}/∂${plainWho(node)} = ${g}`
      : parts.length === 0 && phaseOf(model, step.phase)?.output === node.id
        ? `backward() starts at ${plainWho(node)} with ∂${L}/∂${plainWho(node)} = ${g}`
        : `${plainWho(node)} received ∂${L}/∂${plainWho(node)} = ${g}`;
  if (step.accumulated) {
    const acc = card.lines.find((l) => l.kind === "acc");
    return `${card.title}: ${received} and stores it: ${acc.text}.`;
  }
  const sends = [];
  const none = [];
  step.edges.forEach((e, k) => {
    const source = model.byId.get(model.edges[e].source);
    if (step.sends[k]) sends.push(`${fmt(step.sends[k])} to ${plainWho(source)}`);
    else none.push(`${plainWho(source)}${source.kind === "constant" ? " (a constant)" : ""}`);
  });
  let text = `${card.title}: ${received}`;
  if (sends.length) text += ` and sends ${listed(sends)}`;
  if (none.length) text += `; nothing flows to ${listed(none)}`;
  return `${text}.`;
}

/**
 * The text view of every step: one row per position before the end.
 * @param {import("./timeline.js").Timeline} timeline
 */
export function stepRows(timeline) {
  const rows = [];
  for (let p = 0; p < timeline.end; p++) {
    const card = stepCard(timeline, p);
    const at = stepAt(timeline, p);
    const node = timeline.model.byId.get(at.step.node);
    rows.push({
      position: p,
      order: at.order,
      number: at.index + 1,
      phase: at.order === "backward" ? at.step.phase : null,
      node: plainWho(node),
      op: node.op ?? node.kind,
      text: card.lines.map((l) => l.text).join("; "),
    });
  }
  return rows;
}
