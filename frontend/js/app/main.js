/**
 * Wiring: makes the page's parts and connects their events. The editor's Run goes to the
 * run pipeline (run.js), whose answer goes into the one store; `show` (page.js) redraws
 * the page from it; the player's clock (navigation.js) only supplies t; a share link
 * (links.js) opens as a fresh page would. Nothing else happens here.
 */

import { variableRows } from "../core/embedded.js";
import { moveDuration } from "../core/handoff.js";
import { roomChanged, roomOfHash } from "../core/room.js";
import { seedProgram } from "../core/seed.js";
import { fromShared, parseHash, shareHash } from "../core/sharelink.js";
import { createStore, initialState } from "../core/state.js";
import { createGraphView } from "../draw/graphview.js";
import { graphHeight, overlayRects } from "../draw/viewport.js";
import { createArranger } from "../layout/arrange.js";
import { createLayoutEngine } from "../layout/elkengine.js";
import { examples as fetchExamples, lessons as fetchLessons } from "../net/api.js";
import { createCheckPanel } from "../panels/checkpanel.js";
import { createComparePane } from "../panels/comparepane.js";
import { createEditor } from "../panels/editor.js";
import { createInspector } from "../panels/inspector.js";
import { createLessonPanel } from "../panels/lessonpanel.js";
import { createPredictBox } from "../panels/predictbox.js";
import { createReadout } from "../panels/readout.js";
import { createRoomBar, lockForClass } from "../panels/roombar.js";
import { createRoomLink } from "../panels/roomlink.js";
import { createRoomTally } from "../panels/roomtally.js";
import { createSplitter } from "../panels/splitter.js";
import { createStepCard } from "../panels/stepcardpanel.js";
import { createStepTable } from "../panels/steptable.js";
import { createTrainingPanel } from "../panels/trainingpanel.js";
import { createVariablesTable } from "../panels/variablestable.js";
import { createClassroom } from "./classroom.js";
import { createComparer } from "./compare.js";
import { bindControls } from "./controls.js";
import { lockPage, recordedTrace } from "./embedded.js";
import { bindKeys } from "./keys.js";
import { createLinks } from "./links.js";
import { createNavigation } from "./navigation.js";
import { createPage } from "./page.js";
import { createRoomControl } from "./room.js";
import { createRunner } from "./run.js";
import { installTestHooks } from "./testing.js";

const $ = (id) => document.getElementById(id);
/** What floats over the graph, kept clear when it is fitted. */
const GRAPH_OVERLAYS = [
  "narration",
  "stepcard",
  "inspector",
  "predict",
  "minimap",
  "graph-message-text", // an error, over what ran before it
];

const hooks = installTestHooks(location.search);
/**
 * The offline player's recorded trace, program and ELK worker (app/embedded.js), left by
 * its start-up script; null on the server's page.
 * @type {import("./embedded.js").Embedded|null}
 */
const embedded = globalThis.CHAINRULE_EMBEDDED ?? null;
// ELK's worker starts (and compiles its code) while the page loads and the first trace runs.
const engine = createLayoutEngine(embedded ? { workerUrl: embedded.workerUrl } : {});
engine.warm();
const { arrange } = createArranger(engine, { elkGate: hooks.elkGate });
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;

const shared = parseHash(location.hash);
const opening = embedded
  ? { ...fromShared(null, embedded.source), variables: variableRows(embedded.variables) }
  : fromShared(shared, null); // the seed program comes with the examples
const store = createStore(initialState(opening.source, opening.variables, opening));

// --- the parts -------------------------------------------------------------------------------

const editor = createEditor(
  { textarea: $("source"), gutter: $("gutter"), marks: $("marks") },
  {
    onRun: () => runByUser(),
    onChange: (source) => store.update({ source, call: null }), // a new program: its last call
    onCaretLine: markLine,
  },
);
/**
 * The rectangles the overlays cover, measured when they or the graph's pane change size
 * (in a ResizeObserver's callback, where the page is laid out already): measuring them
 * at a render would lay out the page once more, ~20 ms for a large graph.
 */
let overlays = null;
const measureOverlays = () => (overlays = overlayRects($("graph-wrap"), GRAPH_OVERLAYS.map($)));
/** Two runs compared (app/compare.js): run B's graph follows this view's zoom. */
let comparer = null;
const view = createGraphView($("graph"), {
  onHover: (id) => store.update({ hovered: id }),
  onEdgeHover: (id) => store.update({ hoveredEdge: id }),
  onSelect: (id) => store.update({ selected: id }),
  onToggleModule: (module) => runner.toggleModule(module),
  overlay: $("graph-overlay"),
  minimap: $("minimap"),
  moveMs: moveDuration(reducedMotion),
  obstacles: () => overlays ?? measureOverlays(),
  onZoom: (transform) => comparer?.follow("a", transform),
});
const readout = createReadout($("readout"));
const inspector = createInspector($("inspector"), {
  onClose: () => store.update({ selected: null }),
});
const card = createStepCard($("stepcard"), $("narration"), {
  onFold: () => store.update({ cardOpen: !store.state.cardOpen }),
});
const table = createStepTable($("steps"), {
  onJump: (p) => byStudent(navigation.goTo)(p, { animate: true }),
});
const variables = createVariablesTable($("variables"), {
  onChange: teacherOnly((rows) => store.update({ variables: rows })),
});

const navigation = createNavigation({
  store,
  view,
  reducedMotion,
  frameCosts: hooks.frameCosts,
});
const { player, position, paint, goTo, togglePlay } = navigation;
const runner = createRunner({
  store,
  editor,
  view,
  player,
  arrange,
  variables,
  varsPanel: $("vars-panel"),
  traced: embedded ? recordedTrace(embedded) : undefined,
});
// The offline player's program cannot change: Run (and Ctrl+Enter) does nothing there.
const run = embedded ? () => {} : runner.run;
/**
 * An action a class's student may not take: it would change the teacher's program on this
 * page or show a number the class has not seen revealed. Their controls are out of use
 * (panels/roombar.js); keys and the lesson panel's links come here and do nothing.
 */
function teacherOnly(action) {
  return (...args) => (store.state.room?.role === "student" ? undefined : action(...args));
}
/** Run, as the user asks it (the editor's Ctrl+Enter, the button, the keys). */
const runByUser = teacherOnly(() => run());

// --- two runs compared ------------------------------------------------------------------

const comparePane = createComparePane(
  { editor: $("compare-editor"), wrap: $("compare-wrap") },
  {
    onRun: () => comparer.run(),
    onLeave: () => comparer.leave(),
    onChange: (source) => comparer.edit(source),
    onSelect: (id) => comparer.select(id),
    // Only the user's zoom: B's own fit (a redraw, a resize) would take A's view from it.
    onZoom: (transform, byUser) => byUser && comparer?.follow("b", transform),
    onResize: () => comparer?.follow("a", view.transform()),
  },
);
comparer = createComparer({ store, pane: comparePane, viewA: view });
$("compare-open").addEventListener("click", teacherOnly(() => comparer.open()));

// --- lessons, predictions, the gradient check, presenting -------------------------------

const classroom = createClassroom({ store, editor, variables, view, player, run, goTo, position });
const { openLesson, setMode, toggleFullscreen, checkGradients } = classroom;

// --- a class: the teacher's room, or the teacher followed -------------------------------

const roomControl = createRoomControl({
  store,
  runner,
  editor,
  variables,
  classroom,
  goTo,
  position,
  lockPage: (locked) => lockForClass(document, locked),
});
const roomLink = createRoomLink($("room-panel"), $("room-toggle"), { onStart: roomControl.start });
const roomTally = createRoomTally($("room-tally"), {
  onReveal: roomControl.reveal,
  prefix: roomControl.prefix,
  position,
});
const roomBar = createRoomBar($("room-bar"), {
  onWander: roomControl.wander,
  onCatchUp: roomControl.catchUp,
  onLeave: roomControl.leave,
  onEnd: roomControl.end,
  onAnswer: roomControl.answer,
});
/** A student following the teacher who steps on their own wanders off (and may catch up). */
function byStudent(action) {
  return (...args) => {
    roomControl.wander();
    return action(...args);
  };
}

// A lesson (or a variant) opened from its panel leaves compare: B was another program's.
const lessonPanel = createLessonPanel($("lessons-panel"), {
  onOpen: teacherOnly((id) => {
    comparer.leave();
    openLesson(id);
  }),
  onPause: byStudent(classroom.goToPause),
  onNextPause: byStudent(classroom.goToNextPause),
  onVariant: teacherOnly((source) => {
    comparer.leave();
    openLesson(store.state.lesson, { source });
  }),
  onCompare: teacherOnly((source) => comparer.open(source)),
  onAnswer: (given) =>
    store.state.room?.role === "student"
      ? roomControl.answerLesson(given)
      : classroom.answerQuestion(given),
  onClose: () => store.update({ lessonsOpen: false }),
  onTraining: () => {
    store.update({ tab: "training" });
    $("panel-training").scrollIntoView({ block: "nearest" });
  },
});
const predictBox = createPredictBox($("predict"), {
  onSubmit: classroom.submitPrediction,
  onReveal: classroom.revealPrediction,
});
const trainingPanel = createTrainingPanel($("panel-training"), {
  // Both runs show the call picked (B its last, when it ran fewer).
  onShowCall: teacherOnly((call) => {
    runner.runCall(call);
    comparer.showCall(call);
  }),
  onSelect: (id) => store.update({ selected: id }),
});
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
  trainingPanel,
});
/** Mark the nodes made on the editor's caret line. */
function markLine(line) {
  const { view: graph } = store.state;
  if (!graph) return;
  view.markLine(graph.nodes.filter((n) => n.span && n.span.line === line).map((n) => n.id));
}

store.subscribe(show);
store.subscribe(comparer.show);
store.subscribe((state, previous) => {
  if (!roomChanged(state, previous)) return;
  roomLink.show(state);
  roomBar.show(state);
  roomTally.show(state);
});
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

const { closeMenus } = bindControls({
  store,
  view,
  editor,
  table,
  variables,
  actions: {
    run: runByUser,
    goTo: byStudent(goTo),
    togglePlay: byStudent(togglePlay),
    position,
    toggleAllModules: runner.toggleAllModules,
    shareHash: () => shareHash(store.state),
    setMode,
    toggleFullscreen,
    checkGradients,
    setPredict: teacherOnly(classroom.setPredict),
  },
});
bindKeys({
  store,
  actions: {
    run: runByUser,
    goTo: byStudent(goTo),
    togglePlay: byStudent(togglePlay),
    position,
    setMode,
    toggleFullscreen,
    closeMenus,
    revealQuestion: teacherOnly(classroom.revealQuestion),
  },
});
const wrap = $("graph-wrap");
// On a phone the step card sits under the graph, inside the wrap: the drawing stops above it.
const resizeGraph = () => {
  measureOverlays();
  view.resize(wrap.clientWidth, graphHeight(wrap, ["stepcard", "predict"]));
};
resizeGraph();
new ResizeObserver(resizeGraph).observe(wrap);
// The overlays change size with each step: fit again only if they now cover the graph.
const overlaysResized = new ResizeObserver(() => {
  measureOverlays();
  view.keepClear();
});
for (const id of GRAPH_OVERLAYS) overlaysResized.observe($(id));
createSplitter($("splitter"), $("workspace"), { onResize: () => view.refit() });

// --- what the server offers, and the link the page was opened on -----------------------------

if (embedded) openRecording();
else openServerPage();

/** The offline player: its recorded trace at once, at the step a link to this file names. */
function openRecording() {
  lockPage(document);
  $("compare-open").hidden = true; // a second program needs the server
  $("room-toggle").hidden = true; // so does a class
  store.update({ examples: [], lessons: [] });
  runner.restoreAfterRun(shared ? { step: shared.step, node: shared.node } : null);
  editor.setValue(store.state.source);
  variables.setRows(store.state.variables);
  $("vars-panel").open = store.state.variables.length > 0;
  runner.run();
}

/** The server's page: the examples and lessons it offers, then the link it was opened on. */
function openServerPage() {
  // The examples fill the menu and bring the seed program; the promise says why they failed.
  const examplesLoaded = fetchExamples().then(
    (list) => {
      store.update({ examples: list, seed: seedProgram(list) });
      return null;
    },
    (err) => {
      store.update({ examples: [] });
      return err;
    },
  );
  const lessonsLoaded = fetchLessons()
    .then((list) => store.update({ lessons: list }))
    .catch(() => store.update({ lessons: [] }));

  const links = createLinks({
    store,
    editor,
    variables,
    varsPanel: $("vars-panel"),
    runner,
    classroom,
    lessonsLoaded,
    examplesLoaded,
  });
  addEventListener("hashchange", () => {
    // A class's link opened in this tab: follow it (the page's own hash says so already).
    const code = roomOfHash(location.hash);
    if (code) {
      if (store.state.room?.code !== code) roomControl.join(code);
      return;
    }
    if (store.state.room?.role === "student") roomControl.leave();
    const before = store.state.compare;
    links.onHashChange(location.hash);
    openCompared(before, parseHash(location.hash));
  });
  const code = roomOfHash(location.hash);
  if (code) {
    roomControl.join(code);
    return;
  }
  links.openLink(shared);
  openCompared(null, shared);
  roomControl.resume(); // a teacher's tab reloaded: its class goes on
}

/**
 * A link that carries a second program opens the two runs compared (else one run), run A
 * at the step the link names (else at its end, as Compare opens it).
 * @param {{source: string}|null} before  the program compared before the link
 * @param {import("../core/sharelink.js").Shared|null} link
 */
function openCompared(before, link) {
  const { compare } = store.state;
  if (compare && compare !== before)
    comparer.open(compare.source, { keepStep: Number.isInteger(link?.step) });
  else if (!compare && before) comparer.leave();
}
