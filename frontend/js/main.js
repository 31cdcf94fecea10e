/**
 * Wiring: the editor's Run goes to the API, the answer becomes a model, a layout and a
 * drawing. All of it passes through the one store; `show` redraws the page from it.
 */

import { ApiError, trace } from "./api.js";
import { createEditor } from "./editor.js";
import { LayoutCancelled, LayoutTimeout, createLayoutEngine } from "./elk.js";
import { formatError } from "./format.js";
import { modelCards } from "./labels.js";
import { assignLayers, layoutWork, quickLayout } from "./layers.js";
import { FAST_PLACEMENT, fromElkResult, measureCard, toElkGraph } from "./layout.js";
import { buildModel, forwardOrder } from "./model.js";
import { createReadout } from "./readout.js";
import { createGraphView } from "./render.js";
import { createSplitter } from "./splitter.js";
import { SEED_PROGRAM, createStore, fromHash, initialState, toHash } from "./state.js";

/** Graphs with more nodes are not drawn: the page would be too slow to be useful. */
const MAX_DRAWN_NODES = 1500;
/** ELK lays out graphs up to this work (nodes plus dummy nodes, see layers.js)... */
const ELK_MAX_WORK = 1500;
/** ...with its tidiest, slowest node placement up to this work... */
const TIDY_MAX_WORK = 100;
/** ...and gets this long before the quick layout takes over. */
const ELK_TIMEOUT_MS = 8000;

const $ = (id) => document.getElementById(id);

const store = createStore(initialState(fromHash(location.hash) ?? SEED_PROGRAM));

const editor = createEditor(
  { textarea: $("source"), gutter: $("gutter"), marks: $("marks") },
  { onRun: run, onChange: (source) => store.update({ source }) },
);
editor.setValue(store.state.source);

const view = createGraphView($("graph"), {
  onHover: (id) => store.update({ hovered: id }),
  onEdgeHover: (id) => store.update({ hoveredEdge: id }),
});
const readout = createReadout($("readout"));
const engine = createLayoutEngine();
/** Aborts the request of the run in flight. */
let inFlight = null;

/** Trace the editor's program and lay out its graph; answers to older runs are dropped. */
async function run() {
  const runId = store.state.run + 1;
  const source = editor.getValue();
  inFlight?.abort();
  inFlight = new AbortController();
  const started = performance.now();
  store.update({
    run: runId,
    status: "running",
    source,
    error: null,
    hovered: null,
    hoveredEdge: null,
  });
  history.replaceState(
    null,
    "",
    source === SEED_PROGRAM ? location.pathname + location.search : toHash(source),
  );

  const current = () => store.state.run === runId;
  try {
    const result = await trace({ source }, { signal: inFlight.signal });
    if (!current()) return;
    const model = buildModel(result);
    if (model.nodes.length > MAX_DRAWN_NODES) {
      store.update({
        status: "error",
        model: null,
        layout: null,
        cards: null,
        stdout: model.stdout,
        error: {
          code: "graph_too_large",
          message: `the graph has ${model.nodes.length} nodes; chainrule draws at most ${MAX_DRAWN_NODES}`,
          line: null,
          col: null,
        },
      });
      return;
    }
    const cards = modelCards(model);
    const sizes = new Map([...cards].map(([id, card]) => [id, measureCard(card)]));
    const { layout, layoutKind } = await layOut(model, sizes);
    if (!current()) return;
    store.update({
      status: "done",
      model,
      cards,
      layout,
      layoutKind,
      stdout: model.stdout,
      elapsedMs: Math.round(performance.now() - started),
    });
  } catch (err) {
    if (!current() || err?.name === "AbortError" || err instanceof LayoutCancelled) return;
    const error =
      err instanceof ApiError
        ? { code: err.code, message: err.message, line: err.line, col: err.col }
        : { code: "client_error", message: String(err?.message ?? err), line: null, col: null };
    if (!(err instanceof ApiError)) console.error(err);
    store.update({ status: "error", error, model: null, layout: null, cards: null, stdout: "" });
  }
}

/**
 * Coordinates for a model: ELK's when it can finish in time, else the quick layout.
 * @returns {Promise<{layout: import("./layout.js").Layout, layoutKind: "elk"|"quick"}>}
 */
async function layOut(model, sizes) {
  const order = forwardOrder(model);
  const layers = assignLayers(model, order);
  const work = layoutWork(model, layers);
  if (work <= ELK_MAX_WORK) {
    const graph = toElkGraph(model, sizes, order, work <= TIDY_MAX_WORK ? {} : FAST_PLACEMENT);
    try {
      const result = await engine.layout(graph, { timeoutMs: ELK_TIMEOUT_MS });
      return { layout: fromElkResult(result, model), layoutKind: "elk" };
    } catch (err) {
      if (!(err instanceof LayoutTimeout)) throw err;
    }
  }
  return { layout: quickLayout(model, sizes, order, layers), layoutKind: "quick" };
}

// --- drawing the page from the state ------------------------------------------------------

/** Text over the graph area, or null when the graph speaks for itself. */
function graphMessage(state) {
  if (state.status === "idle") return "Press <strong>Run</strong> to trace the program.";
  if (state.status === "running" && !state.model) return "Tracing…";
  if (state.status === "error") return "No graph: the program stopped with an error.";
  if (state.model && state.model.nodes.length === 0) {
    return "Nothing to draw: the program made no tensor for autograd to track.";
  }
  return null;
}

function statusText(state) {
  if (state.status === "running") return "Running…";
  if (state.status === "error") return "Error";
  if (state.status === "done" && state.model) {
    const n = state.model.nodes.length;
    const e = state.model.edges.length;
    const quick = state.layoutKind === "quick" ? " · quick layout" : "";
    return `${n} node${n === 1 ? "" : "s"} · ${e} edge${e === 1 ? "" : "s"}${quick} · ${state.elapsedMs} ms`;
  }
  return "";
}

/** @param {import("./state.js").AppState} state  @param {import("./state.js").AppState} prev */
function show(state, prev) {
  document.body.dataset.status = state.status; // for tests and styling: idle|running|done|error
  $("run").setAttribute("aria-busy", String(state.status === "running"));
  const status = $("status");
  status.textContent = statusText(state);
  status.className = `status ${state.status}`;

  const message = graphMessage(state);
  $("graph-message").hidden = message === null;
  if (message !== null) $("graph-message").firstElementChild.innerHTML = message;

  if (state.stdout !== prev.stdout) $("stdout").textContent = state.stdout;

  if (state.error !== prev.error) {
    const panel = $("error");
    panel.hidden = state.error === null;
    if (state.error) {
      $("error-code").textContent = state.error.code.replace(/_/g, " ");
      $("error-message").textContent = formatError(state.error);
      if (state.error.line) editor.markError(state.error.line, state.error.col);
      else editor.clearError();
    } else {
      editor.clearError();
    }
  }

  if (state.layout !== prev.layout) {
    if (state.layout) view.render(state.model, state.cards, state.layout);
    else view.clear();
  }

  if (
    state.hovered !== prev.hovered ||
    state.hoveredEdge !== prev.hoveredEdge ||
    state.model !== prev.model
  ) {
    const node = state.hovered && state.model ? state.model.byId.get(state.hovered) : null;
    const edge =
      state.hoveredEdge && state.model
        ? state.model.edges.find((e) => e.id === state.hoveredEdge)
        : null;
    editor.highlightSpan(node?.span ?? null);
    if (node) readout.showNode(node, state.model);
    else readout.showEdge(edge ?? null, state.model);
  }
}

store.subscribe(show);
show(store.state, initialState(""));

// --- controls -------------------------------------------------------------------------------

$("run").addEventListener("click", run);
$("fit").addEventListener("click", () => view.fit());
document.addEventListener("keydown", (event) => {
  // Ctrl+Enter runs from anywhere on the page, not only inside the editor.
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target !== $("source")) {
    event.preventDefault();
    run();
  }
});
createSplitter($("splitter"), $("workspace"), { onResize: () => view.refit() });
new ResizeObserver(() => view.refit()).observe($("graph"));

run();
