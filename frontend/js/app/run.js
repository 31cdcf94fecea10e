/**
 * The run pipeline: the editor's program goes to the API, and the answer becomes a model, a
 * timeline, a view (modules collapsed or not), its cards and a layout, which go into the
 * store at once; the page draws itself from there. A large graph is prepared step by step,
 * the page catching its breath in between; a newer run supersedes an older one. Also: a
 * module opened or folded (a new view and layout of the same run), and ELK's layout taking
 * over from the quick one drawn while ELK finished.
 */

import { buildView, initialCollapsed } from "../core/collapse.js";
import { ELK_BUDGET_MS, nextStep } from "../core/handoff.js";
import { buildModel } from "../core/model.js";
import { modelCards } from "../core/nodecard.js";
import { failedRun } from "../core/state.js";
import { buildTimeline, clampPosition } from "../core/timeline.js";
import { isOneLine, offeredMessage, offerRows, requestVariables, VariableError } from "../core/variables.js";
import { LayoutCancelled } from "../layout/elkengine.js";
import { measureCard } from "../layout/measure.js";
import { ApiError, traceWithWire } from "../net/api.js";

/** Graphs with more nodes (after collapsing modules) are not drawn. */
const MAX_DRAWN_NODES = 6000;
/**
 * Past this many nodes the page catches its breath between the steps of preparing a graph
 * (model, view, layout), so it never freezes for long, and says what it is doing.
 */
const STEPWISE_NODES = 1000;

/** Thrown when a newer run started while this one caught its breath. */
class Superseded extends Error {}

class TooLarge extends Error {
  constructor(count) {
    super(`the graph has ${count} nodes to draw; chainrule draws at most ${MAX_DRAWN_NODES}`);
    this.code = "graph_too_large";
  }
}

/** Let the page handle input and paint before going on. */
function breathe() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Performance marks for benchmarks/browser.py: response received -> graph painted. */
function markPainted() {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark("chainrule:painted");
      try {
        performance.measure(
          "chainrule:response-to-paint",
          "chainrule:response",
          "chainrule:painted",
        );
      } catch {
        // no response mark (a restored page): nothing to measure
      }
    }),
  );
}

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   editor: {getValue: () => string},
 *   view: ReturnType<typeof import("../draw/graphview.js").createGraphView>,
 *   player: {pause: () => void},
 *   arrange: ReturnType<typeof import("../layout/arrange.js").createArranger>["arrange"],
 *   variables?: {setRows: (rows: import("../core/state.js").VariableRow[], focus?: string) => void},
 *   varsPanel?: HTMLDetailsElement, traced?: typeof traceWithWire}} parts  variables,
 *   varsPanel: the table an expression's unknown names are offered rows in, and its panel;
 *   traced: what answers a request (by default the API; the offline player's recorded trace)
 */
export function createRunner({
  store,
  editor,
  view,
  player,
  arrange,
  variables,
  varsPanel,
  traced = traceWithWire,
}) {
  /** Aborts the request of the run in flight. */
  let inFlight = null;
  /** The step and node a shared link asks for, applied once its program has been traced. */
  let restore = null;

  /** Trace the editor's program and lay out its graph; answers to older runs are dropped. */
  async function run() {
    const runId = store.state.run + 1;
    const source = editor.getValue();
    inFlight?.abort();
    inFlight = new AbortController();
    player.pause();
    const started = performance.now();
    store.update({
      run: runId,
      status: "running",
      source,
      error: null,
      hovered: null,
      hoveredEdge: null,
      playing: false,
    });
    const current = () => store.state.run === runId;
    try {
      const inputs = requestVariables(store.state.variables);
      /** @type {import("../core/contract.js").TraceRequest} */
      const request = Object.keys(inputs).length ? { source, variables: inputs } : { source };
      if (store.state.call !== null) request.call = store.state.call;
      // A class's students all trace their teacher's program: the server runs it once.
      const shared = store.state.room?.role === "student";
      const { trace: result, wire } = await traced(request, { signal: inFlight.signal, shared });
      if (!current()) return;
      performance.mark("chainrule:response");
      const responded = performance.now();
      const stepwise = result.nodes.length > STEPWISE_NODES;
      const count = result.nodes.length.toLocaleString("en");
      const pause = async (progress) => {
        if (!stepwise) return;
        store.update({ progress });
        await breathe();
        if (!current()) throw new Superseded();
      };
      await pause(`Reading ${count} nodes…`);
      const model = buildModel(result);
      const collapsed = initialCollapsed(model);
      await pause("Ordering the steps…");
      const timeline = buildTimeline(model);
      const { drawing, later } = await prepare(model, collapsed, pause, {
        since: responded,
        budgetMs: ELK_BUDGET_MS,
      });
      if (!current()) return;
      if (stepwise) await pause(`Drawing ${count} nodes…`);
      performance.mark("chainrule:laid-out");
      const asked = restore;
      restore = null;
      store.update({
        status: "done",
        trace: result,
        recording: { trace: wire, source, variables: request.variables ?? {} },
        model,
        timeline,
        collapsed,
        ...drawing,
        stdout: model.stdout,
        notes: model.notes,
        elapsedMs: Math.round(performance.now() - started),
        // A run opens at the start of the forward pass, unless a link asks for a step.
        step: Number.isInteger(asked?.step) ? clampPosition(timeline, asked.step) : 0,
        selected: asked?.node && model.byId.has(asked.node) ? asked.node : null,
        answers: {},
        outputShown: false,
        check: null,
        checkStatus: "idle",
        progress: null,
      });
      view.shown().then(() => {
        performance.mark("chainrule:drawn");
        markPainted();
      });
      if (later) handOver(later, drawing.view);
    } catch (err) {
      // A superseded run (Superseded, AbortError, LayoutCancelled) leaves the page to the new one.
      if (!current() || err?.name === "AbortError" || err instanceof LayoutCancelled) return;
      let error;
      if (err instanceof ApiError || err instanceof TooLarge) {
        error = {
          code: err.code,
          message: err.message,
          line: err.line ?? null,
          col: err.col ?? null,
        };
      } else if (err instanceof VariableError) {
        error = { code: "bad_variable", message: err.message, line: null, col: null };
      } else {
        console.error(err);
        error = { code: "client_error", message: String(err?.message ?? err), line: null, col: null };
      }
      if (err instanceof ApiError) {
        if (err.torchMessage) error.torchMessage = err.torchMessage;
        if (err.partial?.nodes.length) error.partial = true;
      }
      const offer = err instanceof ApiError ? offeredRows(err, source) : null;
      if (offer) {
        error.offered = offer.added;
        error.message = offeredMessage(offer.added);
      }
      store.update({
        ...failedRun(error, err instanceof ApiError ? (err.stdout ?? "") : ""),
        ...(offer ? { variables: offer.rows } : {}),
      });
      if (offer) {
        // After the error is drawn (which marks its line, focusing the editor): the first
        // new row's value takes the focus.
        if (varsPanel) varsPanel.open = true;
        variables?.setRows(offer.rows, offer.added[0]);
      }
      if (error.partial) await showPartial(err.partial, current);
    }
  }

  /**
   * The variables table with a row for each unknown name of an expression
   * (ErrorDetail.names) it has none for, and those names; null when there are none.
   * @param {ApiError} err
   * @param {string} source
   */
  function offeredRows(err, source) {
    if (err.code !== "unknown_name" || !err.names?.length || !isOneLine(source)) return null;
    const offer = offerRows(store.state.variables, err.names);
    return offer.added.length ? offer : null;
  }

  /**
   * Draw the graph of what ran before an error (ErrorDetail.partial, forward values only)
   * under the error, every step shown; a newer run drops it.
   * @param {import("../core/contract.js").TraceOut} partial
   * @param {() => boolean} current
   */
  async function showPartial(partial, current) {
    try {
      const model = buildModel(partial);
      const collapsed = initialCollapsed(model);
      const timeline = buildTimeline(model);
      const { drawing, later } = await prepare(model, collapsed);
      if (!current()) return;
      store.update({
        trace: partial,
        recording: null, // not a whole trace: no offline player of it
        model,
        timeline,
        collapsed,
        ...drawing,
        step: null,
      });
      if (later) handOver(later, drawing.view);
    } catch (err) {
      if (!(err instanceof LayoutCancelled || err instanceof TooLarge)) console.error(err);
    }
  }

  /**
   * Everything to draw a model with the modules in `collapsed` shown as boxes (`drawing`),
   * and, when its layout is the quick one standing in for ELK's, ELK's to come (`later`,
   * layout/arrange.js).
   * @param {(progress: string) => Promise<void>} [pause]  called between the steps
   * @param {{since?: number, budgetMs?: number}} [timing]  how long ELK may make the first
   *   paint wait, from when (layout/arrange.js); by default as long as it takes
   */
  async function prepare(model, collapsed, pause = async () => {}, timing = {}) {
    const graph = buildView(model, collapsed);
    if (graph.nodes.length > MAX_DRAWN_NODES) throw new TooLarge(graph.nodes.length);
    const cards = modelCards(model, graph);
    const sizes = new Map([...cards].map(([id, c]) => [id, measureCard(c)]));
    await pause(`Laying out ${graph.nodes.length.toLocaleString("en")} nodes…`);
    const { layout, layoutKind, later } = await arrange(graph, sizes, timing);
    return { drawing: { view: graph, cards, layout, layoutKind }, later };
  }

  /**
   * The quick layout of `graph` is drawn while ELK finishes: move the drawing to ELK's
   * coordinates when they come, if it still shows that graph (no newer run, no module opened
   * or folded since). The zoom, the step, the selection stay.
   */
  async function handOver(later, graph) {
    let layout;
    try {
      layout = await later;
    } catch {
      return; // a newer layout replaced ELK's
    }
    const current = store.state.view === graph && store.state.layoutKind === "interim";
    const elk = layout ? "answered" : "failed";
    const step = nextStep({ elk, shown: "quick", elapsedMs: 0, current });
    if (step.action === "move") {
      performance.mark("chainrule:relaid-out");
      store.update({ layout, layoutKind: "elk" });
    } else if (current) {
      store.update({ layoutKind: "quick" }); // ELK gave up: the quick layout stays
    }
  }

  /** Open or fold a module cluster, keeping the step and the zoom. */
  async function toggleModule(module) {
    const { model, collapsed, run: runId } = store.state;
    if (!model) return;
    const next = collapsed.includes(module)
      ? collapsed.filter((m) => m !== module)
      : [...collapsed, module];
    const { drawing } = await prepare(model, next);
    if (store.state.run !== runId) return;
    store.update({ collapsed: next, ...drawing, hovered: null, hoveredEdge: null });
  }

  /** Fold every module to the level a large graph opens with, or open them all. */
  async function toggleAllModules() {
    const { model, collapsed, run: runId } = store.state;
    if (!model) return;
    const next = collapsed.length ? [] : initialCollapsed(model, -1);
    const { drawing } = await prepare(model, next);
    if (store.state.run === runId)
      store.update({ collapsed: next, ...drawing, hovered: null, hoveredEdge: null });
  }

  /** Trace the program again, showing call `call` of backward() (the training panel's). */
  function runCall(call) {
    store.update({ call });
    return run();
  }

  return {
    run,
    runCall,
    toggleModule,
    toggleAllModules,
    /** Abort the request of the run in flight (a link opened meanwhile takes over). */
    abort: () => inFlight?.abort(),
    /**
     * Show this step and node when the next run is traced (a shared link's; null: none).
     * @param {{step: number|null, node: string|null}|null} asked
     */
    restoreAfterRun(asked) {
      restore = asked;
    },
  };
}
