/**
 * The chain-rule card of each step, as TeX and as plain text. Pure, no DOM.
 *
 * Every number comes from the trace: a backward step's arriving gradient (`grad`), what
 * it sends along each edge (`sends`), each edge's local derivative (`local`). The page
 * only formats them; the one sum it adds itself, the running sum while the parts of a
 * fan-out gradient arrive, is labelled as such.
 */

import { formatShape, formatTensor, numel } from "./format.js";
import { accumulatedGrads, outputSymbol, symbolOf } from "./labels.js";
import { partial, plainName, plainWho, texNumber, texText, who } from "./tex.js";
import { arrivalParts, partsBetween, runningSum, stepAt } from "./timeline.js";

/** Tensors on the card may be listed a little longer than on a node. */
const CARD_NUMBERS = { maxListed: 8, maxChars: 44 };
/** A tensor as the card writes it. */
export const fmt = (tensor) => formatTensor(tensor, CARD_NUMBERS);

/** At most this many leaves are summed up on the last card. */
const DONE_LEAVES = 8;

/**
 * @typedef {object} CardLine
 * @property {"start"|"arrive"|"send"|"nograd"|"sum"|"acc"|"formula"|"inputs"|"value"|"grad"} kind
 * @property {string} tex  for KaTeX
 * @property {string} text  the same in plain text: screen readers, tests, the steps table
 * @property {string|null} note  a short remark in words
 *
 * @typedef {object} StepCard
 * @property {"forward"|"backward"|"done"} order
 * @property {string} title  "Backward step 6 of 7"
 * @property {string} subtitle  which order this is, and the phase or generation
 * @property {string} heading  what the step does, in words
 * @property {string|null} node  the step's node id
 * @property {CardLine[]} lines
 */

function line(kind, tex, text, note = null) {
  return { kind, tex, text, note };
}

/** The phase (backward() call) with this index. */
export function phaseOf(model, index) {
  return model.phases.find((p) => p.index === index) ?? null;
}

/** The symbol of what a phase differentiates (its output's short name, else L). */
export function phaseSymbol(model, phase) {
  const out = phase?.output ? model.byId.get(phase.output) : null;
  return out ? symbolOf(out) : outputSymbol(model);
}

/** Input letters a, b, c when the op's formula is written in them. */
function inputName(node, input, count) {
  return /^y\b/.test(node.formula ?? "") && count <= 3 ? "abc"[input] : `input ${input}`;
}

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
    const from = ins.map((e) => plainWho(model.byId.get(e.source))).join(" and ");
    heading = `${plainWho(node)}: ${node.meaning ?? node.op} of ${from}`;
    if (node.formula) lines.push(line("formula", node.formula, node.meaning ?? node.op ?? ""));
    if (ins.length) {
      const parts = ins.map((e) => {
        const source = model.byId.get(e.source);
        const v = fmt(source.value);
        const letter = inputName(node, e.input, ins.length);
        // "b = b = 0.5" says nothing twice: a name equal to its letter is written once.
        const same = letter === source.name;
        const letterTex = letter.length === 1 ? letter : texText(letter);
        return {
          tex: `${letterTex} = ${same ? "" : `${who(source)} = `}${texNumber(v)}`,
          text: `${letter} = ${same ? "" : `${plainWho(source)} = `}${v}`,
        };
      });
      lines.push(
        line(
          "inputs",
          parts.map((p) => p.tex).join(",\\quad "),
          parts.map((p) => p.text).join(", "),
        ),
      );
    }
    const shape =
      node.value && node.value.shape.length ? `shape ${formatShape(node.value.shape)}` : null;
    lines.push(
      line("value", `${who(node)} = ${texNumber(value)}`, `${plainWho(node)} = ${value}`, shape),
    );
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

// --- backward ---------------------------------------------------------------------------

function backwardCard(timeline, position, step, index) {
  const { model, F } = timeline;
  const node = model.byId.get(step.node);
  const phase = phaseOf(model, step.phase);
  const L = phaseSymbol(model, phase);
  const Lt = texText(L);
  const g = fmt(step.grad);
  const lines = [arrivalLine(timeline, position, node, phase, L, g)];

  step.edges.forEach((e, k) => {
    const edge = model.edges[e];
    const source = model.byId.get(edge.source);
    const send = step.sends[k] ?? null;
    if (!send) {
      const why =
        source.kind === "constant"
          ? "is a constant: no gradient flows to it"
          : "receives no gradient";
      lines.push(line("nograd", `${who(source)}\\ ${texText(why)}`, `${plainWho(source)} ${why}`));
      return;
    }
    const fanOut = expectedParts(timeline, source.id, position).length > 1;
    const lhsTex = fanOut
      ? `\\left.${partial(Lt, who(source))}\\right|_{\\text{via }${who(node)}}`
      : partial(Lt, who(source));
    const lhs = `∂${L}/∂${plainWho(source)}${fanOut ? ` (via ${plainWho(node)})` : ""}`;
    const local = edge.local ? fmt(edge.local) : null;
    const s = fmt(send);
    let tex = `${lhsTex} = ${partial(Lt, who(node))}\\,${partial(who(node), who(source))} = `;
    let text = `${lhs} = ∂${L}/∂${plainWho(node)} · ∂${plainWho(node)}/∂${plainWho(source)} = `;
    if (local) {
      tex += `(${texNumber(g)})(${texNumber(local)}) = `;
      text += `(${g})(${local}) = `;
    }
    tex += texNumber(s);
    text += s;
    let note = null;
    if (!local && edge.formula) {
      tex += `\\qquad \\left(${partial(who(node), who(source))} = ${edge.formula}\\right)`;
      note = /\\bar\{Y\}/.test(edge.formula)
        ? "Ȳ is the gradient arriving at the op: torch multiplies by it (a vector–Jacobian product)"
        : "applied element by element to the arriving gradient";
      if (step.grad && numel(send.shape) < numel(step.grad.shape) && !/\\bar/.test(edge.formula)) {
        note = `summed over the dimensions ${plainName(source)} was broadcast along (${formatShape(
          step.grad.shape,
        )} → ${formatShape(send.shape)})`;
      }
    }
    lines.push(line("send", tex, text, note));
  });

  // Running sums at the inputs this step sent to that collect several parts.
  step.edges.forEach((e, k) => {
    if (!step.sends[k]) return;
    const source = model.byId.get(model.edges[e].source);
    const parts = expectedParts(timeline, source.id, position);
    if (parts.length < 2) return;
    const arrived = parts.filter((p) => p.at <= position);
    if (arrived.at(-1)?.edge !== e) return; // once per target, at its latest part
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
    lines.push(
      line(
        "sum",
        `${texText("running sum at ")}${who(source)}:\\ ${texBody}`,
        `running sum at ${plainWho(source)}: ${body}${sum === null ? "" : ` (${count})`}`,
        "the parts added up in the page as they arrive; torch's own sum comes at its step",
      ),
    );
  });

  if (step.accumulated) {
    const name = `${plainName(node)}.grad`;
    const own = timeline.stepsOf[timeline.nodeIndex.get(node.id)];
    const before = own.filter((at) => at < position).map((at) => timeline.backward[at - F]);
    const previous = before.reverse().find((s) => s.accumulated)?.accumulated ?? null;
    const acc = fmt(step.accumulated);
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
  const phaseText = phases > 1 ? ` · backward() call ${step.phase + 1} of ${phases}` : "";
  return {
    order: "backward",
    title: `Backward step ${index + 1} of ${timeline.B}`,
    subtitle: `the order autograd ran${phaseText}`,
    heading: backwardHeading(node, step, phase),
    node: node.id,
    lines,
  };
}

function backwardHeading(node, step, phase) {
  if (node.kind === "leaf") {
    return `${plainName(node)}: AccumulateGrad stores the gradient in ${plainName(node)}.grad`;
  }
  const starts = phase?.output === node.id ? "; backward() starts here" : "";
  return `${plainWho(node)} (${node.op}) sends its gradient back to its inputs${starts}`;
}

/** The parts `nodeId` collects for its step after `position` (or its latest one). */
function expectedParts(timeline, nodeId, position) {
  const own = timeline.stepsOf[timeline.nodeIndex.get(nodeId)];
  const next = own.find((at) => at > position) ?? Infinity;
  const previous = [...own].reverse().find((at) => at < position) ?? -1;
  return partsBetween(timeline, nodeId, previous, next);
}

/** How the gradient the step's node holds got there: the chain rule, or the sum of paths. */
function arrivalLine(timeline, position, node, phase, L, g) {
  const { model, F } = timeline;
  const Lt = texText(L);
  const parts = arrivalParts(timeline, position);
  if (parts.length === 0) {
    if (phase?.output === node.id) {
      const seeded = phase.seed !== null && phase.seed !== undefined;
      return line(
        "start",
        `${partial(Lt, Lt)} = ${texNumber(g)}`,
        `∂${L}/∂${L} = ${g}`,
        seeded ? "backward() starts with the gradient passed to it" : "backward() starts with 1",
      );
    }
    return line(
      "arrive",
      `${partial(Lt, who(node))} = ${texNumber(g)}`,
      `∂${L}/∂${plainWho(node)} = ${g}`,
    );
  }
  if (parts.length === 1) {
    const edge = model.edges[parts[0].edge];
    const consumer = model.byId.get(edge.target);
    const upstream = fmt(timeline.backward[parts[0].at - F].grad);
    const local = edge.local ? fmt(edge.local) : null;
    let tex = `${partial(Lt, who(node))} = ${partial(Lt, who(consumer))}\\,${partial(who(consumer), who(node))} = `;
    let text = `∂${L}/∂${plainWho(node)} = ∂${L}/∂${plainWho(consumer)} · ∂${plainWho(consumer)}/∂${plainWho(node)} = `;
    if (local) {
      tex += `(${texNumber(upstream)})(${texNumber(local)}) = `;
      text += `(${upstream})(${local}) = `;
    }
    return line("arrive", tex + texNumber(g), text + g);
  }
  const terms = parts.map((p) => fmt(p.grad));
  return line(
    "arrive",
    `${partial(Lt, who(node))} = \\sum_{\\text{paths}} = ${terms.map(texNumber).join(" + ")} = ${texNumber(g)}`,
    `∂${L}/∂${plainWho(node)} = ${terms.join(" + ")} = ${g}`,
    `${plainName(node)} feeds ${parts.length} paths: their gradients add up`,
  );
}

// --- the end ------------------------------------------------------------------------------

function doneCard(timeline) {
  const { model } = timeline;
  const L = outputSymbol(model);
  const leaves = model.nodes.filter((n) => n.kind === "leaf" && n.grad).slice(0, DONE_LEAVES);
  const accumulated = accumulatedGrads(model);
  const lines = leaves.map((n) => {
    const acc = accumulated.get(n.id);
    if (acc) {
      const a = fmt(acc);
      const name = `${plainName(n)}.grad`;
      return line(
        "grad",
        `${texText(name)} = ${texNumber(a)}`,
        `${name} = ${a}`,
        `accumulated over ${model.phases.length} backward() calls`,
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
  return {
    order: "done",
    title: "Done",
    subtitle: ran ? "forward, then backward" : "forward only",
    heading: ran
      ? `Values flowed forward, gradients flowed back: every leaf's .grad holds ∂${L}/∂leaf`
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
 * @returns {StepCard}
 */
export function stepCard(timeline, position) {
  const at = stepAt(timeline, position);
  if (!at) return doneCard(timeline);
  return at.order === "forward"
    ? forwardCard(timeline, position, at.step, at.index)
    : backwardCard(timeline, position, at.step, at.index);
}
