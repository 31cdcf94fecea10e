/**
 * The page's words for its state: the status line, the message over the graph area, the
 * player's step label, and how a prediction names the gradient it asks for. Pure, no DOM.
 */

import { resultOf } from "./model.js";
import { SEED_UNAVAILABLE } from "./seed.js";
import { outputSymbol } from "./symbols.js";
import { plainWho } from "./tex.js";

/**
 * Text over the graph area (HTML), or null when the graph speaks for itself.
 * @param {import("./state.js").AppState} state
 */
export function graphMessage(state) {
  if (state.status === "idle") return "Press <strong>Run</strong> to trace the program.";
  if (state.status === "running" && !state.model) return state.progress ?? "Tracing…";
  if (state.status === "error" && state.error?.code === SEED_UNAVAILABLE) {
    return "No program to trace: write one and press <strong>Run</strong>.";
  }
  if (state.status === "error" && state.error) return errorMessage(state.error);
  if (state.status === "error") return "No graph: the program stopped with an error.";
  if (state.model && state.model.nodes.length === 0) {
    return "Nothing to draw: the program made no tensor for autograd to track.";
  }
  return null;
}

/** Text as HTML that shows it as it is. */
function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch],
  );
}

/** "w", "w and x", "w, x and b". */
function listed(names) {
  return names.length < 2
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * The error over the graph (HTML): where and what, and whether the graph drawn under it
 * is what ran before it; unknown names given a row in the variables table ask for values.
 * @param {import("./state.js").ErrorShown} error
 */
export function errorMessage(error) {
  if (error.offered?.length) {
    const names = listed(error.offered.map((n) => `<code>${escapeHtml(n)}</code>`));
    const have = error.offered.length === 1 ? "has" : "have";
    return `${names} ${have} no value yet: type ${error.offered.length === 1 ? "it" : "them"} under <strong>Variables</strong>, then press <strong>Run</strong>.`;
  }
  const where = error.line ? `Error on line ${error.line}` : "Error";
  const partial = error.partial
    ? '<br><span class="graph-message-note">The graph shows what ran before it.</span>'
    : "";
  return `<strong>${where}:</strong> ${escapeHtml(error.message)}${partial}`;
}

/**
 * The status line: what is running, or the size of the graph and how long it took.
 * @param {import("./state.js").AppState} state
 */
export function statusText(state) {
  if (state.status === "running") return state.progress ?? "Running…";
  if (state.status === "error") return "Error";
  if (state.status === "done" && state.model) {
    const n = state.model.nodes.length;
    const e = state.model.edges.length;
    const quick = state.layoutKind === "quick" ? " · quick layout" : "";
    return `${n} node${n === 1 ? "" : "s"} · ${e} edge${e === 1 ? "" : "s"}${quick} · ${state.elapsedMs} ms`;
  }
  return "";
}

/**
 * The player's label of position `p`: "Forward 2 / 5", "Backward 1 / 4", or the end.
 * @param {import("./timeline.js").Timeline|null} timeline
 * @param {number} p
 */
export function stepLabel(timeline, p) {
  if (!timeline) return "";
  if (p < timeline.F) return `Forward ${p + 1} / ${timeline.F}`;
  if (p < timeline.end) return `Backward ${p - timeline.F + 1} / ${timeline.B}`;
  return "End: everything shown";
}

/**
 * ∂loss/∂w for a named node, ∂loss/∂(×) for an op; for an op with several outputs, its
 * output 0, whose gradient a step's `grad` is. Named as the cards name them.
 * @param {import("./model.js").Model} model
 * @param {string} id  the node whose gradient is to be predicted
 */
export function predictLabel(model, id) {
  const node = model.byId.get(id);
  const who = node ? plainWho(resultOf(node, 0)) : `(${id})`;
  return `∂${outputSymbol(model)}/∂${who}`;
}
