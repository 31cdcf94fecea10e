/**
 * Draws the page from the state: `show(state, previous)` hands each part of the state that
 * changed to the part that shows it (the bars, the program pane, the graph, the step's card
 * and narration, the inspector, the hover marks) and keeps the URL hash up to date. It reads
 * the state and writes the DOM; it never updates the state.
 */

import { graphMessage, statusText, stepLabel } from "../core/captions.js";
import { occupiedModules } from "../core/collapse.js";
import { askedAt, shownOf } from "../core/conceal.js";
import { formatError } from "../core/format.js";
import { lessonPauses, score } from "../core/lessons.js";
import { narration, stepRows } from "../core/narration.js";
import { predictScore } from "../core/predict.js";
import { shareHash } from "../core/sharelink.js";
import { stepCard } from "../core/stepcard.js";
import { frameAt } from "../core/timeline.js";
import { createGraphBar } from "../panels/graphbar.js";
import { createPlayerBar } from "../panels/playerbar.js";
import { createProgramPane } from "../panels/programpane.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {{editor: object, view: object, readout: object, inspector: object, card: object,
 *   table: object, player: object, paint: () => void,
 *   position: (state?: import("../core/state.js").AppState) => number,
 *   lessonPanel: object, predictBox: object, checkPanel: object, trainingPanel: object}} parts
 */
export function createPage({
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
}) {
  const graphBar = createGraphBar();
  const playerBar = createPlayerBar($("player"));
  const programPane = createProgramPane(editor);
  /** What the panels were last handed (core/conceal.js): the numbers they may show. */
  let lastShown = null;
  let outputHidden = false;
  /** The training records the Training tab shows (null: none, or concealed). */
  let shownTraining = null;
  /** ...and those of the run compared with them (app/compare.js; null: one run). */
  let shownCompared = null;

  /**
   * @param {import("../core/state.js").AppState} state
   * @param {import("../core/state.js").AppState} prev
   */
  function show(state, prev) {
    document.body.dataset.status = state.status; // for tests and styling: idle|running|done|error
    document.body.dataset.layout = state.layoutKind ?? ""; // elk|quick|interim (ELK's to come)
    $("run").setAttribute("aria-busy", String(state.status === "running"));
    graphBar.showStatus(state.status, statusText(state), graphMessage(state));
    // Every panel shows `shown`: the model and timeline without the numbers not to be shown yet.
    const shown = shownOf(state);
    const concealedNow = shown !== lastShown;
    lastShown = shown;
    // The program's output would give answers away: it waits for them, or for "Show output".
    const hideOutput = shown.conceal.active && !state.outputShown;
    if (state.stdout !== prev.stdout || hideOutput !== outputHidden) {
      programPane.showOutput(hideOutput ? "" : state.stdout);
      $("output-concealed").hidden = !hideOutput;
      $("stdout").hidden = hideOutput;
      outputHidden = hideOutput;
    }
    // Nor may the gradient check show them, nor the offline player (it holds every number).
    $("check").disabled = shown.conceal.active;
    $("export-html").disabled = shown.conceal.active || !state.recording;
    if (state.notes !== prev.notes) programPane.showNotes(state.notes);
    // Every call's loss and gradient sizes (none while predict mode conceals numbers),
    // drawn again only when they change: the scrubber keeps the call being picked.
    let training = shownTraining;
    if (state.trace !== prev.trace || concealedNow)
      training = state.trace && !shown.conceal.active ? (state.trace.training ?? null) : null;
    const compared =
      training && state.compare ? (state.compared?.trace?.training ?? null) : null;
    if (training !== shownTraining || compared !== shownCompared) {
      shownTraining = training;
      shownCompared = compared;
      $("tab-training").hidden = training === null;
      trainingPanel.show(training, state.trace, compared);
      lessonPanel.showTraining(training !== null && training.calls > 1);
      if (training === null && state.tab === "training") programPane.showTab("output");
    }
    if (state.error !== prev.error)
      programPane.showError(state.error, state.error ? formatError(state.error) : "");

    if (state.mode !== prev.mode) {
      const presenting = state.mode === "present";
      document.body.classList.toggle("presenting", presenting);
      document.body.dataset.mode = state.mode;
      $("present").setAttribute("aria-pressed", String(presenting));
      editor.remeasure();
    }
    if (state.predict !== prev.predict) graphBar.showPredict(state.predict);

    // The step first: its card and narration are overlays a new graph's first view avoids.
    const moved =
      state.step !== prev.step ||
      state.timeline !== prev.timeline ||
      state.cardOpen !== prev.cardOpen ||
      state.predict !== prev.predict ||
      state.answers !== prev.answers ||
      concealedNow;
    if (moved) showStep(state, shown);

    // The same graph at new coordinates (ELK's after the quick layout's): it moves there.
    const relaid = Boolean(state.layout && prev.layout) && state.view === prev.view;
    if (state.layout !== prev.layout) {
      if (relaid) {
        view.move(state.layout);
        paint();
      } else if (state.layout) {
        const toggled = state.model === prev.model && prev.layout !== null;
        view.render(state.model, state.view, state.cards, state.layout, { keepView: toggled });
        paint();
      } else {
        view.clear();
      }
      graphBar.showModules(state.model ? occupiedModules(state.model) : [], state.collapsed);
    }

    if (moved && state.layout === prev.layout) paint();
    if (moved && state.timeline && state.layout)
      view.reveal(frameAt(state.timeline, position(state)).node);
    if (state.timeline !== prev.timeline || concealedNow) {
      table.setRows(shown.timeline && state.tab === "steps" ? stepRows(shown.timeline) : []);
      table.setCurrent(position(state));
    }
    if (state.tab !== prev.tab) showTab(state, shown);

    if (state.playing !== prev.playing) {
      playerBar.showPlaying(state.playing);
      if (state.playing) player.play();
      else player.pause();
    }
    if (state.speed !== prev.speed) player.setSpeed(state.speed);
    if (state.examples !== prev.examples) programPane.fillExamples(state.examples);
    const lessonChanged = ["lessons", "lesson", "lessonsOpen", "answers", "timeline"].some(
      (key) => state[key] !== prev[key],
    );
    if (lessonChanged) {
      lessonPanel.show({
        lessons: state.lessons,
        lesson: state.lesson,
        open: state.lessonsOpen,
        pauses: lessonPauses(state),
        answer: state.answers.question ?? null,
        score: score(state.answers),
      });
      $("lessons-toggle").setAttribute("aria-expanded", String(state.lessonsOpen));
    }
    if (state.check !== prev.check || state.checkStatus !== prev.checkStatus)
      checkPanel.show(state.check, state.checkStatus);
    if (state.check !== prev.check) view.decorate("check", checkPanel.badges(state.check));

    if (
      state.selected !== prev.selected ||
      state.model !== prev.model ||
      concealedNow ||
      (state.layout !== prev.layout && !relaid)
    ) {
      const node =
        state.selected && shown.model ? (shown.model.byId.get(state.selected) ?? null) : null;
      view.select(node?.id ?? null);
      inspector.show(node, shown.model, state.source);
      $("graph-wrap").classList.toggle("has-inspector", node !== null);
    }
    if (
      state.hovered !== prev.hovered ||
      state.hoveredEdge !== prev.hoveredEdge ||
      state.selected !== prev.selected ||
      state.model !== prev.model ||
      concealedNow
    ) {
      view.conceal?.(shown.conceal.active ? shown.model : null);
      showHover(state, shown);
    }

    const hash = shareHash(state);
    const waiting = state.lesson !== null && state.lessons === null; // its program not known yet
    // In a notebook's iframe (about:srcdoc) the address can't change: the link stays.
    const addressable = location.protocol !== "about:";
    if (addressable && !state.playing && state.status !== "running" && !waiting
        && hash !== shareHash(prev)) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  /**
   * The position shown: the player's bar, the card and narration (their concealed numbers
   * written "?"), a prediction owed.
   */
  function showStep(state, shown) {
    const { timeline } = state;
    const p = position(state);
    document.body.dataset.step = timeline ? String(p) : "";
    playerBar.showPosition(timeline, p, stepLabel(timeline, p));
    const stepShown = shown.timeline ? stepCard(shown.timeline, p) : null;
    const owed = askedAt(state, p);
    // A class's student answers in the class bar, sent to the teacher.
    const ask = state.room?.role === "student" ? "Answer the class's question above." : "Predict it, then check.";
    const told = owed
      ? `${stepLabel(timeline, p)}: what is ${owed.label}? ${ask}`
      : shown.timeline
        ? narration(shown.timeline, p, stepShown)
        : "";
    card.show(stepShown, told, state.cardOpen);
    // Over a graph that ran partway, the error speaks (the graph's message), not the narration.
    if (state.status === "error") $("narration").hidden = true;
    // The program's line that made this step, marked in the editor while stepping and playing.
    const stepNode = timeline ? frameAt(timeline, p).node : null;
    editor.markStep((stepNode && state.model?.byId.get(stepNode)?.span) || null);
    const answer = state.predict ? (state.answers[`p${p}`] ?? null) : null;
    // A class's student answers in the class's own box (panels/roombar.js), sent to the room.
    const asking = state.room?.role === "student" ? null : owed;
    predictBox.show(asking, answer, state.predict ? predictScore(state.answers) : null);
    table.setCurrent(p);
  }

  /** The hovered (else selected) node's source in the editor; its or the edge's readout. */
  function showHover(state, shown) {
    const model = shown.model;
    const node = state.hovered && model ? model.byId.get(state.hovered) : null;
    const edge =
      state.hoveredEdge && model ? model.edges.find((e) => e.id === state.hoveredEdge) : null;
    const selected = state.selected && model ? model.byId.get(state.selected) : null;
    editor.highlightSpan(node?.span ?? selected?.span ?? null);
    if (node) readout.showNode(node, model);
    else readout.showEdge(edge ?? null, model);
  }

  function showTab(state, shown) {
    programPane.showTab(state.tab);
    if (state.tab === "steps" && shown.timeline) {
      table.setRows(stepRows(shown.timeline));
      table.setCurrent(position(state));
    }
  }

  return { show };
}
