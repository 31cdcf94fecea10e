/**
 * The chain-rule card of a backward step: the gradient arriving at the node (or at each
 * output of an op with several), what it sends along each input edge, the running sums at
 * inputs fed by several paths (one per tensor), and what becomes of a leaf's gradient:
 * added into .grad, or returned by torch.autograd.grad. Pure, no DOM.
 */

import {
  arrivingAt,
  callName,
  fmt,
  line,
  phaseOf,
  phaseSymbol,
  returnedLine,
} from "./cardlines.js";
import { formatShape } from "./format.js";
import { broadcastSum, localFormula } from "./formula.js";
import { edgeTensor, listsOutputs } from "./model.js";
import { partial, plainName, plainWho, texNumber, texText, who } from "./tex.js";
import { arrivalParts, partsBetween, runningSum } from "./timeline.js";

/** At most this many outputs' terms are written out in one chain-rule sum. */
const MAX_TERMS = 4;

/**
 * The card of the backward step at `position`.
 * @param {import("./timeline.js").Timeline} timeline
 * @param {number} position
 * @param {import("./contract.js").BackwardStepOut} step
 * @param {number} index  the step's index among the backward steps
 * @returns {import("./cardlines.js").StepCard}
 */
export function backwardCard(timeline, position, step, index) {
  const { model, F } = timeline;
  const node = model.byId.get(step.node);
  const phase = phaseOf(model, step.phase);
  const L = phaseSymbol(model, phase);
  const arriving = arrivingAt(step, node);
  const lines = arriving.map((a) => arrivalLine(timeline, position, a, phase, L));
  const terms = upstream(step, node);
  const start = startsPhase(timeline, position, step, node, phase);
  step.edges.forEach((_, k) =>
    lines.push(sendLine(timeline, position, step, k, L, start ? null : terms)),
  );
  // Running sums at the inputs this step sent to that collect several parts.
  step.edges.forEach((_, k) => {
    const sum = sumLine(timeline, position, step, k);
    if (sum) lines.push(sum);
  });
  if (step.returned) lines.push(returnedLine(node, arriving, L));

  if (step.accumulated) {
    const name = `${plainName(node)}.grad`;
    const own = timeline.stepsOf[timeline.nodeIndex.get(node.id)];
    const before = own.filter((at) => at < position).map((at) => timeline.backward[at - F]);
    const previous = before.reverse().find((s) => s.accumulated)?.accumulated ?? null;
    const acc = fmt(step.accumulated);
    const g = fmt(step.grad);
    const sumTex = previous ? `${texNumber(fmt(previous))} + ${texNumber(g)} = ` : "";
    const sumText = previous ? `${fmt(previous)} + ${g} = ` : "";
    lines.push(
      line(
        "acc",
        `${texText(name)} = ${sumTex}${texNumber(acc)}`,
        `${name} = ${sumText}${acc}`,
        previous ? "backward() adds into .grad; it never overwrites it" : "stored in .grad",
      ),
    );
  }

  const phases = model.phases.length;
  const call = callName(phase);
  const phaseText =
    phases > 1
      ? ` · ${call} call ${step.phase + 1} of ${phases}`
      : phase?.call === "autograd.grad"
        ? ` · ${call} call`
        : "";
  return {
    order: "backward",
    title: `Backward step ${index + 1} of ${timeline.B}`,
    subtitle: `the order autograd ran${phaseText}`,
    heading: backwardHeading(node, step, phase),
    node: node.id,
    lines,
  };
}

/** What a backward step does, in words. */
function backwardHeading(node, step, phase) {
  const name = plainName(node);
  if (step.returned) {
    if (node.kind === "leaf") {
      return (
        `${name}: torch.autograd.grad returns this gradient to the program; ` +
        `${name}.grad is not changed`
      );
    }
    const on = step.sends.some(Boolean) ? ", and the node still sends it on to its inputs" : "";
    const returns = "torch.autograd.grad returns the gradient arriving here";
    return `${name} (${node.op}): ${returns}${on}`;
  }
  if (node.kind === "leaf") {
    return `${name}: AccumulateGrad stores the gradient in ${name}.grad`;
  }
  const starts = phase?.output === node.id ? `; ${callName(phase)} starts here` : "";
  const what = listsOutputs(node) ? "the gradients of its outputs" : "its gradient";
  return `${name} (${node.op}) sends ${what} back to its inputs${starts}`;
}

/**
 * The gradients a step's node passes on: the one it received, or, for an op listing
 * several outputs, one term per output that received a gradient.
 */
function upstream(step, node) {
  const arriving = arrivingAt(step, node);
  if (!listsOutputs(node)) return arriving;
  const got = arriving.filter((a) => a.grad);
  return got.length ? got : [{ tensor: node, grad: null }];
}

/**
 * ∂L/∂a · ∂a/∂x (+ ∂L/∂b · ∂b/∂x ...) over the tensors `terms` a step's node received a
 * gradient at, for its input x; with the upstream and local numbers when there is one
 * term and the trace has the local derivative.
 * @param {string} L  the symbol of what is differentiated
 * @param {import("./cardlines.js").Arriving[]} terms
 * @param {object} x  the input (a node, or one output of an op)
 * @param {string|null} local  the local derivative, formatted
 * @returns {{tex: string, text: string}}
 */
function chain(L, terms, x, local) {
  const Lt = texText(L);
  const shown = terms.slice(0, MAX_TERMS);
  const cut = terms.length > MAX_TERMS;
  const texTerm = ({ tensor: t }) => `${partial(Lt, who(t))}\\,${partial(who(t), who(x))}`;
  const textTerm = ({ tensor: t }) => `∂${L}/∂${plainWho(t)} · ∂${plainWho(t)}/∂${plainWho(x)}`;
  let tex = shown.map(texTerm).join(" + ") + (cut ? " + \\dots" : "");
  let text = shown.map(textTerm).join(" + ") + (cut ? ` + … (${terms.length} outputs)` : "");
  if (local && terms.length === 1) {
    const up = fmt(terms[0].grad);
    tex += ` = (${texNumber(up)})(${texNumber(local)})`;
    text += ` = (${up})(${local})`;
  }
  return { tex, text };
}

/**
 * Whether the backward step at `position` is where its phase starts: at the tensor it
 * differentiates, with nothing arrived from other ops (∂L/∂L is the seed there).
 */
function startsPhase(timeline, position, step, node, phase) {
  if (phase?.output !== node.id) return false;
  const got = arrivingAt(step, node).filter((a) => a.grad);
  if (got.length !== 1) return false;
  const output = listsOutputs(node) ? got[0].tensor.output : null;
  return arrivalParts(timeline, position, output).length === 0;
}

/**
 * Where the gradient a step sends along an edge is its arriving gradient summed down to an
 * input that was broadcast over a batch (or expanded): "Σ over the batch (3 rows) of ".
 */
function summedOver(step, node, edge, send) {
  const over =
    step.grad && send && !listsOutputs(node) && !/\\bar/.test(edge.formula ?? "")
      ? broadcastSum(step.grad.shape, send.shape)
      : null;
  return over
    ? { over, tex: `\\sum_{\\text{${over}}} `, text: `Σ ${over} of ` }
    : { over: null, tex: "", text: "" };
}

/**
 * The chain rule at the node a backward pass starts from, where ∂L/∂L is the seed: the
 * seed times the local derivative (its formula in the op's names when known), with their
 * numbers when the trace has the local one. Never ∂L/∂x written in terms of itself.
 */
function seedTimesLocal(timeline, seed, local, edge) {
  const named = localFormula(timeline.model, edge);
  const part = named ?? { tex: texText("local"), text: "local" };
  const tex = `${texText("seed")} \\cdot ${part.tex}`;
  const text = `seed · ${part.text}`;
  if (!local) return { tex, text };
  const g = fmt(seed);
  return {
    tex: `${tex} = (${texNumber(g)})(${texNumber(local)})`,
    text: `${text} = (${g})(${local})`,
  };
}

/**
 * What the step sends along its k-th input edge: the chain rule with its numbers, or why
 * nothing flows.
 */
function sendLine(timeline, position, step, k, L, chainTerms) {
  const { model } = timeline;
  const node = model.byId.get(step.node);
  const edge = model.edges[step.edges[k]];
  const source = edgeTensor(model, edge);
  const send = step.sends[k] ?? null;
  const Lt = texText(L);
  if (!send) {
    const why =
      source.kind === "constant"
        ? "is a constant: no gradient flows to it"
        : "receives no gradient";
    return line("nograd", `${who(source)}\\ ${texText(why)}`, `${plainWho(source)} ${why}`);
  }
  const fanOut = expectedParts(timeline, edge, position).length > 1;
  const lhsTex = fanOut
    ? `\\left.${partial(Lt, who(source))}\\right|_{\\text{via }${who(node)}}`
    : partial(Lt, who(source));
  const lhs = `∂${L}/∂${plainWho(source)}${fanOut ? ` (via ${plainName(node)})` : ""}`;
  const local = edge.local && !listsOutputs(node) ? fmt(edge.local) : null;
  const s = fmt(send);
  // At the node backward() starts from, ∂L/∂L is the seed: the chain is seed × local.
  const rhs = chainTerms
    ? chain(L, chainTerms, source, local)
    : seedTimesLocal(timeline, step.grad, local, edge);
  const summed = summedOver(step, node, edge, send);
  let tex = `${lhsTex} = ${summed.tex}${rhs.tex} = ${texNumber(s)}`;
  const text = `${lhs} = ${summed.text}${rhs.text} = ${s}`;
  const named = localFormula(model, edge, L);
  const localName = `∂${plainWho(node)}/∂${plainWho(source)}`;
  let note = named && local ? `${localName} = ${named.text}` : null;
  if (!local && named) {
    tex += `\\qquad \\left(${partial(who(node), who(source))} = ${named.tex}\\right)`;
    note = /\\bar\{Y\}/.test(edge.formula)
      ? `${localName} = ${named.text}: torch multiplies the gradient arriving at ` +
        `${plainName(node)} by it (a vector–Jacobian product)`
      : "applied element by element to the arriving gradient";
    if (summed.over) {
      note = `${plainName(source)} was broadcast (${formatShape(step.grad.shape)} → ${formatShape(
        send.shape,
      )}): its gradient adds up the copies`;
    }
  }
  return line("send", tex, text, note);
}

/**
 * The running sum at the tensor the step's k-th input edge reads, when that tensor
 * collects several parts and this step sent its latest; null otherwise. One per tensor:
 * the parts of different outputs of an op are never added together.
 */
function sumLine(timeline, position, step, k) {
  const { model } = timeline;
  const e = step.edges[k];
  if (!step.sends[k]) return null;
  const edge = model.edges[e];
  const parts = expectedParts(timeline, edge, position);
  if (parts.length < 2) return null;
  const arrived = parts.filter((p) => p.at <= position);
  if (arrived.at(-1)?.edge !== e) return null; // once per tensor, at its latest part
  const at = edgeTensor(model, edge);
  const sum = runningSum(arrived.map((p) => p.grad));
  const terms = arrived.map((p) => fmt(p.grad));
  const count = `${arrived.length} of ${parts.length} paths`;
  // One part is its own sum: "2.0 (1 of 3 paths)"; more read "2.0 + 3.0 = 5.0 (...)".
  const added = terms.length > 1 ? ` = ${sum}` : "";
  const addedTex = terms.length > 1 ? ` = ${texNumber(sum ?? "")}` : "";
  const body = sum === null ? `${count} arrived` : `${terms.join(" + ")}${added}`;
  const texBody =
    sum === null
      ? texText(`${count} arrived`)
      : `${terms.map(texNumber).join(" + ")}${addedTex}\\quad ${texText(`(${count})`)}`;
  return line(
    "sum",
    `${texText("running sum at ")}${who(at)}:\\ ${texBody}`,
    `running sum at ${plainWho(at)}: ${body}${sum === null ? "" : ` (${count})`}`,
    "the parts added up in the page as they arrive; torch's own sum comes at its step",
  );
}

/**
 * The parts the tensor an edge reads collects for its step after `position` (or its
 * latest one): those sent along the edges reading the same output of the same node.
 */
function expectedParts(timeline, edge, position) {
  const own = timeline.stepsOf[timeline.nodeIndex.get(edge.source)];
  const next = own.find((at) => at > position) ?? Infinity;
  const previous = [...own].reverse().find((at) => at < position) ?? -1;
  return partsBetween(timeline, edge.source, previous, next, edge.output ?? 0);
}

/**
 * How the gradient a tensor holds got there: where autograd started, the chain rule from
 * the one op that reads it, or the sum of its paths.
 * @param {import("./cardlines.js").Arriving} arriving  the node, or one of its listed
 *   outputs, and the gradient arriving there
 */
function arrivalLine(timeline, position, { tensor, grad }, phase, L) {
  const { model, F } = timeline;
  const Lt = texText(L);
  const g = fmt(grad);
  const output = typeof tensor.output === "number" ? tensor.output : null;
  const parts = arrivalParts(timeline, position, output);
  if (parts.length === 0) {
    if (output !== null && !grad) {
      const why = tensor.differentiable
        ? "receives no gradient"
        : "is not differentiable: no gradient flows to it";
      return line("nograd", `${who(tensor)}\\ ${texText(why)}`, `${plainWho(tensor)} ${why}`);
    }
    if (phase?.output === tensor.id) {
      const seeded = phase.seed !== null && phase.seed !== undefined;
      // ∂L/∂L is 1 by definition: torch starts from a gradient of ones (its 1.0 shown as 1).
      const seed = !seeded && g === "1.0" ? "1" : g;
      const what = seeded ? `the seed passed to ${callName(phase)}` : "the seed";
      return line(
        "start",
        `${partial(Lt, Lt)} = ${texNumber(seed)}\\quad ${texText(`(${what})`)}`,
        `∂${L}/∂${L} = ${seed} (${what})`,
        `${callName(phase)} starts here with ${seeded ? "the gradient passed to it" : "1"}`,
      );
    }
    return line(
      "arrive",
      `${partial(Lt, who(tensor))} = ${texNumber(g)}`,
      `∂${L}/∂${plainWho(tensor)} = ${g}`,
    );
  }
  if (parts.length === 1) {
    const edge = model.edges[parts[0].edge];
    const consumer = model.byId.get(edge.target);
    const from = timeline.backward[parts[0].at - F];
    const local = edge.local && !listsOutputs(consumer) ? fmt(edge.local) : null;
    const seeded = startsPhase(timeline, parts[0].at, from, consumer, phaseOf(model, from.phase));
    const rhs = seeded
      ? seedTimesLocal(timeline, from.grad, local, edge)
      : chain(L, upstream(from, consumer), tensor, local);
    const summed = summedOver(from, consumer, edge, grad);
    return line(
      "arrive",
      `${partial(Lt, who(tensor))} = ${summed.tex}${rhs.tex} = ${texNumber(g)}`,
      `∂${L}/∂${plainWho(tensor)} = ${summed.text}${rhs.text} = ${g}`,
    );
  }
  const terms = parts.map((p) => fmt(p.grad));
  const sumTex = `\\sum_{\\text{paths}} = ${terms.map(texNumber).join(" + ")}`;
  return line(
    "arrive",
    `${partial(Lt, who(tensor))} = ${sumTex} = ${texNumber(g)}`,
    `∂${L}/∂${plainWho(tensor)} = ${terms.join(" + ")} = ${g}`,
    `${plainName(tensor)} feeds ${parts.length} paths: their gradients add up`,
  );
}
