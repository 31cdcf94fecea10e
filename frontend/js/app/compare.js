/**
 * Two runs compared: "Compare" keeps the run shown (A) and opens a second program (B, at
 * first a copy of A's) under it; Run B traces it (POST /api/v2/trace, as any run), and its
 * graph is drawn where A's nodes are (layout/aligned.js), at A's zoom, each paired node
 * marked by how its gradient differs. The Training tab charts both runs (page.js). While
 * numbers are concealed (predict mode, a lesson's open question), B's graph is not drawn.
 */

import { buildView } from "../core/collapse.js";
import { differences, matchNodes } from "../core/compare.js";
import { callOfB, callsShown, compareStatus } from "../core/comparestatus.js";
import { shownOf } from "../core/conceal.js";
import { buildModel } from "../core/model.js";
import { modelCards } from "../core/nodecard.js";
import { buildTimeline, frameAt } from "../core/timeline.js";
import { requestVariables, VariableError } from "../core/variables.js";
import { alignedLayout } from "../layout/aligned.js";
import { measureCard } from "../layout/measure.js";
import { ApiError, traceWithWire } from "../net/api.js";

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   pane: ReturnType<typeof import("../panels/comparepane.js").createComparePane>,
 *   viewA: ReturnType<typeof import("../draw/graphview.js").createGraphView>,
 *   traced?: typeof traceWithWire}} parts
 */
export function createComparer({ store, pane, viewA, traced = traceWithWire }) {
  let inFlight = null;
  let runs = 0;
  /** What B's drawing was made from; a change of any draws it again. */
  let drawnFrom = {};
  /** The pairing of the two runs' nodes and their differences (null: no B graph drawn). */
  let paired = null;
  /** The selection the readout was last drawn for. */
  let selectedShown;
  let ownShown;
  /** Run A's next trace opens at its end (compare just opened, with A still to come). */
  let showEnd = false;
  /** A node of B with no node of A, clicked (the state's selection is A's ids). */
  let ownB = null;
  /** A zoom being copied from one view to the other (its echo is not copied back). */
  let following = false;
  /** The call of backward() B's graph shows (null: its last), A's call when it has one. */
  let callB = null;
  /** Was the step card open before compare folded it (null: compare is not open)? */
  let cardBefore = null;

  /**
   * Keep the run shown and open program B beside it (by default a copy of A's); A shows
   * its end, every value and gradient, as B does, its step card folded to leave room;
   * `keepStep`: A keeps the step it shows or will show (a share link's).
   * @param {string} [source]
   * @param {{keepStep?: boolean}} [options]
   */
  function open(source = store.state.source, { keepStep = false } = {}) {
    pane.editor.setValue(source);
    showEnd = !keepStep;
    callB = null;
    if (cardBefore === null) cardBefore = store.state.cardOpen;
    store.update({
      compare: { source },
      compared: null,
      cardOpen: false,
      ...(keepStep ? {} : { step: null }),
    });
    return run();
  }

  /** Back to one run, the step card as it was before compare folded it. */
  function leave() {
    inFlight?.abort();
    runs += 1;
    showEnd = false;
    callB = null;
    const card = cardBefore === null ? {} : { cardOpen: cardBefore };
    cardBefore = null;
    if (store.state.compare || store.state.compared) store.update({ compare: null, compared: null, ...card });
  }

  /** Program B edited: it runs at its last call until the scrubber picks one. */
  function edit(source) {
    callB = null;
    store.update({ compare: { source } });
  }

  /**
   * Run A shows call `call` of backward() (the training tab's scrubber): B shows the same
   * call, or its last when it ran fewer.
   * @param {number} call
   */
  function showCall(call) {
    const { compare, compared } = store.state;
    if (!compare) return;
    const next = callOfB(call, compared?.trace?.training ?? null);
    if (next === null) return;
    callB = next;
    run();
  }

  /** Trace program B with run A's variables; an older answer is dropped. */
  async function run() {
    const source = pane.editor.getValue();
    const id = ++runs;
    inFlight?.abort();
    inFlight = new AbortController();
    const base = { source, trace: null, model: null, error: null };
    store.update({ compare: { source }, compared: { ...base, status: "running" } });
    try {
      const inputs = requestVariables(store.state.variables);
      /** @type {import("../core/contract.js").TraceRequest} */
      const request = Object.keys(inputs).length ? { source, variables: inputs } : { source };
      if (callB !== null) request.call = callB;
      const { trace } = await traced(request, { signal: inFlight.signal });
      if (id !== runs) return;
      store.update({ compared: { ...base, status: "done", trace, model: buildModel(trace) } });
    } catch (err) {
      if (id !== runs || err?.name === "AbortError") return;
      const error =
        err instanceof ApiError
          ? { code: err.code, message: err.message, line: err.line ?? null, col: err.col ?? null }
          : err instanceof VariableError
            ? { code: "bad_variable", message: err.message, line: null, col: null }
            : { code: "client_error", message: String(err?.message ?? err), line: null, col: null };
      store.update({ compared: { ...base, status: "error", error } });
    }
  }

  /** Copy one view's zoom to the other, so paired nodes stay at the same place. */
  function follow(from, transform) {
    if (following || !store.state.compare) return;
    following = true;
    try {
      (from === "a" ? pane.view : viewA).follow(transform);
    } finally {
      following = false;
    }
  }

  /**
   * Draw B from the state: its status, its graph aligned to A's (drawn again when either
   * changes), the selected node's difference.
   * @param {import("../core/state.js").AppState} state
   */
  function show(state) {
    const { compare, compared } = state;
    pane.showOpen(compare !== null);
    document.body.classList.toggle("comparing", compare !== null);
    if (!compare) {
      if (paired || drawnFrom.compared) pane.clear();
      paired = null;
      drawnFrom = {};
      return;
    }
    // A's run failed: the end it was to open at is not shown later, on another run.
    if (showEnd && state.status === "error") showEnd = false;
    if (showEnd && state.status === "done" && state.timeline) {
      showEnd = false;
      // After this change has reached every part of the page.
      if (state.step !== null) queueMicrotask(() => store.update({ step: null }));
    }
    const concealed = shownOf(state).conceal.active;
    const from = { compared, view: state.view, layout: state.layout, model: state.model, concealed };
    const same = Object.keys(from).every((k) => from[k] === drawnFrom[k]);
    if (!same) {
      drawnFrom = from;
      draw(state, concealed);
    }
    // After drawing: the pairing counted is this drawing's.
    pane.showStatus(
      compareStatus(compared, paired ? paired.matching.toA.size : null),
      compared?.status ?? "idle",
    );
    // What the readout shows changes with the selection and the pairing only (not a hover).
    if (!same || state.selected !== selectedShown || ownB !== ownShown) showSelected(state);
  }

  function draw(state, concealed) {
    const { compared, model, view, layout, collapsed } = state;
    paired = null;
    if (compared?.status !== "done" || !model || !view || !layout) {
      pane.clear();
      pane.showMessage(compared?.status === "error" ? `Run B failed: ${compared.error.message}` : "");
      return;
    }
    if (concealed) {
      pane.clear();
      pane.showMessage("Run B's numbers show once the numbers of run A are revealed.");
      return;
    }
    pane.showMessage("");
    const modelB = compared.model;
    const matching = matchNodes(model, modelB);
    const modules = new Set(modelB.modules.map((m) => m.name));
    const graph = buildView(modelB, collapsed.filter((m) => modules.has(m)));
    const cards = modelCards(modelB, graph);
    const sizes = new Map([...cards].map(([id, c]) => [id, measureCard(c)]));
    const aligned = alignedLayout(layout, view, graph, matching.toA, sizes);
    const diffs = differences(model, modelB, matching, {
      a: state.trace?.training ?? null,
      b: compared.trace.training ?? null,
    });
    const timeline = buildTimeline(modelB);
    pane.render(modelB, graph, cards, aligned, frameAt(timeline, timeline.end), diffs, matching.changed);
    paired = { matching, diffs, modelB };
    pane.view.follow(viewA.transform());
  }

  /** The selected node (A's, or B's own) with its gradient in both runs. */
  function showSelected(state) {
    if (state.selected !== null) ownB = null;
    selectedShown = state.selected;
    ownShown = ownB;
    const idB = state.selected !== null ? paired?.matching.toB.get(state.selected) : ownB;
    pane.view.select(paired ? (idB ?? null) : null);
    if (!paired || idB === undefined || idB === null) {
      pane.showDifference(null);
      return;
    }
    const { matching, diffs, modelB } = paired;
    const nodeB = modelB.byId.get(idB);
    const nodeA = state.model?.byId.get(matching.toA.get(idB)) ?? null;
    pane.showDifference({
      name: nodeB.name ?? nodeB.shown ?? nodeB.label,
      opA: nodeA ? (nodeA.op ?? nodeA.kind) : null,
      opB: nodeB.op ?? nodeB.kind,
      calls: callsShown(state.trace?.training ?? null, state.compared?.trace?.training ?? null),
      difference: diffs.get(idB) ?? null,
    });
  }

  /** A node of B clicked: select the node of A it stands for (or B's own, apart). */
  function select(idB) {
    const idA = idB === null ? undefined : paired?.matching.toA.get(idB);
    ownB = idA === undefined ? idB : null;
    store.update({ selected: idA ?? null });
  }

  return { open, leave, edit, run, showCall, show, follow, select };
}
