/**
 * The chain-rule card of each step, as TeX and as plain text. Pure, no DOM.
 *
 * Every number comes from the trace: a backward step's arriving gradient (`grad`), what
 * it sends along each edge (`sends`), each edge's local derivative (`local`). The page
 * only formats them; the one sum it adds itself, the running sum while the parts of a
 * fan-out gradient arrive, is labelled as such. The forward and done cards are made here,
 * the backward card in backwardcard.js.
 */

import { backwardCard } from "./backwardcard.js";
import { arrivingAt, fmt, line, returnedLine } from "./cardlines.js";
import { formatShape, numel } from "./format.js";
import { forwardFormula } from "./formula.js";
import { edgeTensor, listsOutputs, resultsOf } from "./model.js";
import { accumulatedGrads } from "./nodecard.js";
import { outputSymbol } from "./symbols.js";
import { partial, plainName, plainWho, texNumber, texText, who } from "./tex.js";
import { stepAt } from "./timeline.js";

/** At most this many leaves are summed up on the last card. */
const DONE_LEAVES = 8;

// --- forward ----------------------------------------------------------------------------

function forwardCard(timeline, position, step, index) {
  const { model } = timeline;
  const node = model.byId.get(step.node);
  const value = fmt(node.value);
  const lines = [];
  let heading;
  if (node.kind === "leaf") {
    heading = `${plainName(node)} enters the graph: a leaf that requires grad`;
    lines.push(
      line(
        "value",
        `${who(node)} = ${texNumber(value)}`,
        `${plainWho(node)} = ${value}`,
        `autograd will collect its gradient in ${plainName(node)}.grad`,
      ),
    );
  } else if (node.kind === "constant") {
    heading = `${plainName(node)} enters the graph as a constant`;
    lines.push(
      line(
        "value",
        `${who(node)} = ${texNumber(value)}`,
        `${plainWho(node)} = ${value}`,
        "no gradient is tracked for a constant",
      ),
    );
  } else {
    const ins = step.edges.map((e) => model.edges[e]).sort((a, b) => a.input - b.input);
    const from = ins.map((e) => plainName(edgeTensor(model, e))).join(" and ");
    heading = `${plainName(node)}: ${node.meaning ?? node.op} of ${from}`;
    const formula = listsOutputs(node) ? null : forwardFormula(model, node);
    if (formula) {
      lines.push(line("formula", formula.tex, formula.text, node.meaning ?? node.op ?? ""));
    }
    if (ins.length && !formula?.numbers) {
      const parts = ins.map((e) => {
        const source = edgeTensor(model, e);
        const v = fmt(source.value);
        return { tex: `${who(source)} = ${texNumber(v)}`, text: `${plainWho(source)} = ${v}` };
      });
      lines.push(
        line(
          "inputs",
          parts.map((p) => p.tex).join(",\\quad "),
          parts.map((p) => p.text).join(", "),
        ),
      );
    }
    const shapes = listsOutputs(node) ? null : shapesLine(model, node, ins);
    if (shapes) lines.push(shapes);
    lines.push(...valueLines(node));
  }
  return {
    order: "forward",
    title: `Forward step ${index + 1} of ${timeline.F}`,
    subtitle: `teaching order · generation ${step.generation}`,
    heading,
    node: node.id,
    lines,
  };
}

/**
 * The shapes of a tensor op's inputs and result, "X: 3×2, W: 2×2 → out: 3×2", when one of
 * them has several elements; null otherwise.
 */
function shapesLine(model, node, ins) {
  const tensors = [...ins.map((e) => edgeTensor(model, e)), node];
  const shaped = tensors.filter((t) => t.value);
  if (!shaped.some((t) => numel(t.value.shape) > 1)) return null;
  const shape = (t) => `${plainName(t)}: ${formatShape(t.value.shape)}`;
  const inputs = shaped.filter((t) => t !== node).map(shape).join(", ");
  const text = node.value ? `${inputs} → ${shape(node)}` : inputs;
  return line("shapes", texText(text), text, "shapes");
}

/** What an op computed: its value, or the value of each output it lists. */
function valueLines(node) {
  const shapeOf = (t) =>
    t.value && t.value.shape.length ? `shape ${formatShape(t.value.shape)}` : null;
  const valueLine = (t, note) => {
    const v = fmt(t.value);
    const name = plainName(t);
    return line("value", `${texText(name)} = ${texNumber(v)}`, `${name} = ${v}`, note);
  };
  if (!listsOutputs(node)) return [valueLine(node, shapeOf(node))];
  return resultsOf(node).map((r) => {
    const notes = [`output ${r.output}`, shapeOf(r), r.differentiable ? null : "no gradient"];
    return valueLine(r, notes.filter(Boolean).join(" · "));
  });
}

// --- the end ------------------------------------------------------------------------------

function doneCard(timeline) {
  const { model } = timeline;
  const L = outputSymbol(model);
  const last = new Map(model.steps.backward.map((s) => [s.node, s]));
  const returned = (n) => last.get(n.id)?.returned === true;
  const shown = model.nodes
    .filter((n) => (n.kind === "leaf" && n.grad) || returned(n))
    .slice(0, DONE_LEAVES);
  const accumulated = accumulatedGrads(model);
  const backwardCalls = model.phases.filter((p) => p.call !== "autograd.grad").length;
  const lines = shown.map((n) => {
    const acc = accumulated.get(n.id);
    if (returned(n)) return returnedLine(n, arrivingAt(last.get(n.id), n), L);
    if (acc) {
      const a = fmt(acc);
      const name = `${plainName(n)}.grad`;
      return line(
        "grad",
        `${texText(name)} = ${texNumber(a)}`,
        `${name} = ${a}`,
        `accumulated over ${backwardCalls} backward() calls`,
      );
    }
    const g = fmt(n.grad);
    return line(
      "grad",
      `${partial(texText(L), who(n))} = ${texNumber(g)}`,
      `∂${L}/∂${plainWho(n)} = ${g}`,
    );
  });
  const ran = timeline.B > 0;
  const calls = new Set(model.phases.map((p) => p.call ?? "backward"));
  const where = !calls.has("autograd.grad")
    ? `every leaf's .grad holds ∂${L}/∂leaf`
    : calls.has("backward")
      ? "backward() stored them in .grad, torch.autograd.grad returned them to the program"
      : "torch.autograd.grad returned the gradients of its inputs; no .grad was changed";
  return {
    order: "done",
    title: "Done",
    subtitle: ran ? "forward, then backward" : "forward only",
    heading: ran
      ? `Values flowed forward, gradients flowed back: ${where}`
      : "The forward pass ran; there was no backward() call, so no gradients",
    node: null,
    lines,
  };
}

// --- public -----------------------------------------------------------------------------

/**
 * The card for a position: the step as formulas with the numbers.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {number} position
 * @returns {import("./cardlines.js").StepCard}
 */
export function stepCard(timeline, position) {
  const at = stepAt(timeline, position);
  if (!at) return doneCard(timeline);
  return at.order === "forward"
    ? forwardCard(timeline, position, at.step, at.index)
    : backwardCard(timeline, position, at.step, at.index);
}
