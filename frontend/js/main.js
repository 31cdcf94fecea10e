/**
 * Wiring: the editor's Run goes to the API, the answer becomes a model, a timeline, a view
 * (modules collapsed or not), a layout and a drawing. All of it passes through the one
 * store; `show` redraws the page from it, and the player's clock only supplies t.
 */

import { ApiError, examples as fetchExamples, lessons as fetchLessons, trace } from "./api.js";
import { createArranger } from "./arrange.js";
import { createCheckPanel } from "./checkpanel.js";
import { createClassroom } from "./classroom.js";
import { buildView, initialCollapsed } from "./collapse.js";
import { bindControls } from "./controls.js";
import { createEditor } from "./editor.js";
import { LayoutCancelled, createLayoutEngine } from "./elk.js";
import { ELK_BUDGET_MS, moveDuration, nextStep } from "./handoff.js";
import { createInspector } from "./inspector.js";
import { modelCards } from "./labels.js";
import { measureCard } from "./layout.js";
import { createLessonPanel } from "./lessonpanel.js";
import { pendingPrediction } from "./lessons.js";
import { buildModel } from "./model.js";
import { createPage, openLesson as lessonOf, shareHash } from "./page.js";
import { createPlayer } from "./player.js";
import { createPredictBox } from "./predictbox.js";
import { createReadout } from "./readout.js";
import { createGraphView } from "./render.js";
import { createSplitter } from "./splitter.js";
import { SEED_PROGRAM, createStore, fromShared, initialState, parseHash } from "./state.js";
import { createStepCard } from "./stepcard.js";
import { createStepTable } from "./steptable.js";
import { buildTimeline, clampPosition, frameAt } from "./timeline.js";
import { VariableError, createVariablesTable, requestVariables } from "./variables.js";

/** Graphs with more nodes (after collapsing modules) are not drawn. */
const MAX_DRAWN_NODES = 6000;
/**
 * Past this many nodes the page catches its breath between the steps of preparing a graph
 * (model, view, layout), so it never freezes for long, and says what it is doing.
 */
const STEPWISE_NODES = 1000;

const $ = (id) => document.getElementById(id);

// ELK's worker starts (and compiles its code) while the page loads and the first trace runs.
const engine = createLayoutEngine();
engine.warm();
const { arrange } = createArranger(engine);
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;

const shared = parseHash(location.hash);
const opening = fromShared(shared);
const store = createStore(initialState(opening.source, opening.variables, opening));
/** The step and node a shared link asks for, applied once its program has been traced. */
let restore = null;
/** Counts the links opened, so a lesson link whose lessons come late yields to a newer one. */
let opened = 0;

const editor = createEditor(
  { textarea: $("source"), gutter: $("gutter"), marks: $("marks") },
  { onRun: run, onChange: (source) => store.update({ source }), onCaretLine: markLine },
);

const view = createGraphView($("graph"), {
  onHover: (id) => store.update({ hovered: id }),
  onEdgeHover: (id) => store.update({ hoveredEdge: id }),
  onSelect: (id) => store.update({ selected: id }),
  onToggleModule: toggleModule,
  overlay: $("graph-overlay"),
  moveMs: moveDuration(reducedMotion),
  insets: () => ({
    top: $("narration").hidden ? 0 : $("narration").offsetHeight + 14,
    bottom: $("stepcard").hidden ? 0 : $("stepcard").offsetHeight + 14,
    right: $("inspector").hidden ? 0 : $("inspector").offsetWidth,
  }),
});
const readout = createReadout($("readout"));
const inspector = createInspector($("inspector"), {
  onClose: () => store.update({ selected: null }),
});
const card = createStepCard($("stepcard"), $("narration"), {
  onFold: () => store.update({ cardOpen: !store.state.cardOpen }),
});
const table = createStepTable($("steps"), { onJump: (p) => goTo(p, { animate: true }) });
const variables = createVariablesTable($("variables"), {
  onChange: (rows) => store.update({ variables: rows }),
});
const player = createPlayer({ onFrame: paint, onStepEnd: advance, reducedMotion });
/** Aborts the request of the run in flight. */
let inFlight = null;

// --- running -------------------------------------------------------------------------------

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
    const request = Object.keys(inputs).length ? { source, variables: inputs } : { source };
    const result = await trace(request, { signal: inFlight.signal });
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
      model,
      timeline,
      collapsed,
      ...drawing,
      stdout: model.stdout,
      notes: model.notes,
      elapsedMs: Math.round(performance.now() - started),
      step: Number.isInteger(asked?.step) ? clampPosition(timeline, asked.step) : null,
      selected: asked?.node && model.byId.has(asked.node) ? asked.node : null,
      answers: {},
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
    store.update({
      status: "error",
      error,
      model: null,
      timeline: null,
      view: null,
      layout: null,
      cards: null,
      stdout: "",
      notes: [],
      selected: null,
      step: null,
      check: null,
      checkStatus: "idle",
      progress: null,
    });
  }
}

/** Thrown when a newer run started while this one caught its breath. */
class Superseded extends Error {}

/** Let the page handle input and paint before going on. */
function breathe() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

class TooLarge extends Error {
  constructor(count) {
    super(`the graph has ${count} nodes to draw; chainrule draws at most ${MAX_DRAWN_NODES}`);
    this.code = "graph_too_large";
  }
}

/**
 * Everything to draw a model with the modules in `collapsed` shown as boxes (`drawing`),
 * and, when its layout is the quick one standing in for ELK's, ELK's to come (`later`,
 * arrange.js).
 * @param {(progress: string) => Promise<void>} [pause]  called between the steps
 * @param {{since?: number, budgetMs?: number}} [timing]  how long ELK may make the first
 *   paint wait, from when (arrange.js); by default as long as it takes
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

// --- the player ---------------------------------------------------------------------------

/** The position shown: the state's step, or the end. */
function position(state = store.state) {
  return state.timeline ? (state.step ?? state.timeline.end) : 0;
}

/**
 * Draw the frame of the current position at `t` (the player's clock calls this).
 * benchmarks/browser.py sets `__chainruleFrameCosts` to an array to collect each call's ms.
 */
function paint(t = player.t) {
  const { timeline, layout } = store.state;
  if (!timeline || !layout) return;
  const costs = globalThis.__chainruleFrameCosts;
  const started = costs ? performance.now() : 0;
  view.paint(frameAt(timeline, position(), t));
  if (costs) costs.push(performance.now() - started);
}

/** Move to the next position while playing; false at the end. */
function advance() {
  const { timeline } = store.state;
  const p = position();
  if (!timeline || p >= timeline.end) {
    store.update({ playing: false });
    return false;
  }
  // Predict mode: playing stops where the student owes a prediction.
  const owed = pendingPrediction(timeline, p + 1, store.state.predict, store.state.answers);
  store.update({ step: p + 1, playing: owed === null });
  return owed === null;
}

/** Show a position; animate plays its step's motion once. */
function goTo(p, { animate = false } = {}) {
  const { timeline } = store.state;
  if (!timeline) return;
  store.update({ step: clampPosition(timeline, p), playing: false });
  if (animate) player.animateStep();
  else player.settle();
}

function togglePlay() {
  const { timeline, playing } = store.state;
  if (!timeline) return;
  if (playing) {
    store.update({ playing: false });
    return;
  }
  if (position() >= timeline.end) store.update({ step: 0 });
  store.update({ playing: true });
}

// --- lessons, predictions, the gradient check, presenting -------------------------------

const classroom = createClassroom({ store, editor, variables, view, player, run, goTo, position });
const { openLesson, setMode, toggleFullscreen, checkGradients } = classroom;

const lessonPanel = createLessonPanel($("lessons-panel"), {
  onOpen: (id) => openLesson(id),
  onPause: classroom.goToPause,
  onNextPause: classroom.goToNextPause,
  onVariant: (source) => openLesson(store.state.lesson, { source }),
  onAnswer: classroom.answerQuestion,
  onClose: () => store.update({ lessonsOpen: false }),
});
const predictBox = createPredictBox($("predict"), { onSubmit: classroom.submitPrediction });
const checkPanel = createCheckPanel($("check-panel"), {
  onClose: () => store.update({ checkStatus: "idle", check: null }),
});

// --- drawing the page from the state ------------------------------------------------------

const { show } = createPage({
  editor,
  view,
  readout,
  inspector,
  card,
  table,
  player,
  paint,
  position,
  lessonPanel,
  predictBox,
  checkPanel,
});
/** Mark the nodes made on the editor's caret line. */
function markLine(line) {
  const { view: graph } = store.state;
  if (!graph) return;
  view.markLine(graph.nodes.filter((n) => n.span && n.span.line === line).map((n) => n.id));
}

store.subscribe(show);
show(store.state, {
  ...initialState(""),
  examples: undefined,
  tab: undefined,
  mode: undefined,
  predict: undefined,
  lessons: undefined,
  playing: undefined,
  speed: undefined,
});

// --- controls -------------------------------------------------------------------------------

/** Fold every module to the level a large graph opens with, or open them all. */
async function toggleAllModules() {
  const { model, collapsed, run: runId } = store.state;
  if (!model) return;
  const next = collapsed.length ? [] : initialCollapsed(model, -1);
  const { drawing } = await prepare(model, next);
  if (store.state.run === runId)
    store.update({ collapsed: next, ...drawing, hovered: null, hoveredEdge: null });
}

bindControls({
  store,
  view,
  editor,
  table,
  variables,
  actions: {
    run,
    goTo,
    togglePlay,
    position,
    toggleAllModules,
    shareHash: () => shareHash(store.state),
    setMode,
    toggleFullscreen,
    checkGradients,
  },
});
const wrap = $("graph-wrap");
view.resize(wrap.clientWidth, wrap.clientHeight);
new ResizeObserver(() => view.resize(wrap.clientWidth, wrap.clientHeight)).observe(wrap);
createSplitter($("splitter"), $("workspace"), { onResize: () => view.refit() });

fetchExamples()
  .then((list) => store.update({ examples: list }))
  .catch(() => store.update({ examples: [] }));
const lessonsLoaded = fetchLessons()
  .then((list) => store.update({ lessons: list }))
  .catch(() => store.update({ lessons: [] }));

/**
 * Open what a link carries (parseHash; null: the seed program) and run it, as a fresh page
 * does: the store already holds its program, inputs, lesson and mode (fromShared); its
 * step and node are shown once traced. A lesson link waits for the lessons (its program is
 * theirs); any other runs at once.
 */
function openLink(link) {
  const ticket = ++opened;
  restore = link ? { step: link.step, node: link.node } : null;
  editor.setValue(store.state.source);
  variables.setRows(store.state.variables);
  $("vars-panel").open = store.state.variables.length > 0;
  if (!link?.lesson) {
    run();
    return;
  }
  lessonsLoaded.then(() => {
    if (ticket !== opened) return;
    const lesson = lessonOf(store.state);
    if (lesson && link.source === null) openLesson(lesson.id);
    else {
      if (!lesson) store.update({ lesson: null, source: link.source ?? SEED_PROGRAM });
      editor.setValue(store.state.source);
      run();
    }
  });
}

/**
 * A share link opened in this tab (a same-document hash change): run its program, as a
 * fresh load would. The page keeps its own hash up to date with history.replaceState,
 * which fires no hashchange; a hash that says what the page already shows is ignored.
 */
function onHashChange() {
  if (location.hash === shareHash(store.state)) return;
  const link = parseHash(location.hash);
  const { mode, ...opens } = fromShared(link);
  inFlight?.abort();
  // Running from here: the hash the page writes waits for the link's program to be traced.
  store.update({
    ...opens,
    status: "running",
    selected: null,
    step: null,
    answers: {},
    lessonsOpen: false,
  });
  if (mode !== store.state.mode) setMode(mode);
  openLink(link);
}

addEventListener("hashchange", onHashChange);
openLink(shared);
