/**
 * The step in words: the one-line narration over the graph, and the rows of the text view
 * of every step. Pure, no DOM; built on the cards of stepcard.js.
 */

import { arrivingAt, callName, fmt, phaseOf, phaseSymbol } from "./cardlines.js";
import { edgeTensor, listsOutputs, resultsOf } from "./model.js";
import { stepCard } from "./stepcard.js";
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
 * @param {import("./cardlines.js").StepCard} [card]  the position's card, when made already
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
    const ins = at.step.edges.map((e) => plainName(edgeTensor(model, model.edges[e])));
    const what = `${node.meaning ?? node.op} of ${listed(ins)}`;
    if (listsOutputs(node)) {
      const outs = resultsOf(node).map((r) => `${plainName(r)} = ${fmt(r.value)}`);
      return `${card.title}: ${plainName(node)} = ${what} gives ${listed(outs)}.`;
    }
    return `${card.title}: ${plainName(node)} = ${what} = ${value}.`;
  }
  const step = at.step;
  const phase = phaseOf(model, step.phase);
  const L = phaseSymbol(model, phase);
  let received;
  if (listsOutputs(node)) {
    const got = arrivingAt(step, node).filter((a) => a.grad);
    const each = got.map((a) => `∂${L}/∂${plainWho(a.tensor)} = ${fmt(a.grad)}`);
    const starts =
      phase?.output === node.id &&
      got.length === 1 &&
      arrivalParts(timeline, position, got[0].tensor.output).length === 0;
    received = starts
      ? `${callName(phase)} starts at ${plainName(got[0].tensor)} with ${each[0]}`
      : got.length
        ? `${plainName(node)} received ${listed(each)}`
        : `${plainName(node)} received no gradient`;
  } else {
    const g = fmt(step.grad);
    const parts = arrivalParts(timeline, position);
    received =
      parts.length > 1
        ? `${plainName(node)} adds up ${parts.length} paths: ∂${L}/∂${plainWho(node)} = ${g}`
        : parts.length === 0 && phase?.output === node.id
          ? `${callName(phase)} starts at ${plainName(node)} with ∂${L}/∂${plainWho(node)} = ${g}`
          : `${plainName(node)} received ∂${L}/∂${plainWho(node)} = ${g}`;
  }
  if (step.accumulated) {
    const acc = card.lines.find((l) => l.kind === "acc");
    return `${card.title}: ${received} and stores it: ${acc.text}.`;
  }
  if (step.returned) {
    const kept = listsOutputs(node) ? "no .grad" : `${plainName(node)}.grad`;
    received += ` and torch.autograd.grad returns it (${kept} is not changed)`;
  }
  const sends = [];
  const none = [];
  step.edges.forEach((e, k) => {
    const source = edgeTensor(model, model.edges[e]);
    if (step.sends[k]) sends.push(`${fmt(step.sends[k])} to ${plainName(source)}`);
    else none.push(`${plainName(source)}${source.kind === "constant" ? " (a constant)" : ""}`);
  });
  let text = `${card.title}: ${received}`;
  if (sends.length) text += `${step.returned ? "; it" : " and"} sends ${listed(sends)}`;
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
      node: plainName(node),
      op: node.op ?? node.kind,
      text: card.lines.map((l) => l.text).join("; "),
    });
  }
  return rows;
}
