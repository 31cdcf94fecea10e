/**
 * Draws the page from the state: `show(state, previous)` updates only what changed (the
 * status, the error, the graph, the step's card and narration, the inspector, the hover
 * marks, the URL hash). It reads the state and writes the DOM; it never updates the state.
 */

import { occupiedModules } from "./collapse.js";
import { stepCard } from "./explain.js";
import { formatError } from "./format.js";
import { outputSymbol } from "./labels.js";
import { pausePosition, pendingPrediction, score } from "./lessons.js";
import { resultOf } from "./model.js";
import { narration, stepRows } from "./narrate.js";
import { SEED_PROGRAM, toHash } from "./state.js";
import { plainWho } from "./tex.js";
import { frameAt } from "./timeline.js";

const $ = (id) => document.getElementById(id);

/** The open lesson of a state, once the lessons are loaded. */
export function openLesson(state) {
  return (state.lesson && state.lessons?.find((l) => l.id === state.lesson)) || null;
}

/** Each pause of the open lesson as a timeline position (null: not in this trace). */
export function lessonPauses(state) {
  const lesson = openLesson(state);
  if (!lesson) return [];
  return lesson.pauses.map((p) => (state.timeline ? pausePosition(state.timeline, p) : null));
}

/** The link that reopens this page as it is; a lesson's unedited program is left out. */
export function shareHash(state) {
  const plain =
    state.source === SEED_PROGRAM &&
    !state.variables.length &&
    state.step === null &&
    !state.selected &&
    !state.lesson &&
    state.mode !== "present";
  if (plain) return "";
  const lesson = openLesson(state);
  return toHash({
    source: lesson && state.source === lesson.source ? null : state.source,
    variables: state.variables,
    step: state.step,
    node: state.selected,
    lesson: state.lesson,
    mode: state.mode === "present" ? "present" : null,
  });
}

/**
 * @param {{editor: object, view: object, readout: object, inspector: object, card: object,
 *   table: object, player: object, paint: () => void,
 *   position: (state?: import("./state.js").AppState) => number,
 *   lessonPanel: object, predictBox: object, checkPanel: object}} parts
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
}) {
  /** Text over the graph area, or null when the graph speaks for itself. */
  function graphMessage(state) {
    if (state.status === "idle") return "Press <strong>Run</strong> to trace the program.";
    if (state.status === "running" && !state.model) return state.progress ?? "Tracing…";
    if (state.status === "error") return "No graph: the program stopped with an error.";
    if (state.model && state.model.nodes.length === 0) {
      return "Nothing to draw: the program made no tensor for autograd to track.";
    }
    return null;
  }

  function statusText(state) {
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

  function stepLabel(timeline, p) {
    if (!timeline) return "";
    if (p < timeline.F) return `Forward ${p + 1} / ${timeline.F}`;
    if (p < timeline.end) return `Backward ${p - timeline.F + 1} / ${timeline.B}`;
    return "End: everything shown";
  }

  /** The run's notes under its output: what chainrule did not do (plots are not drawn). */
  function showNotes(notes) {
    const list = $("notes");
    list.replaceChildren(
      ...(notes ?? []).map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }),
    );
    list.hidden = !notes?.length;
  }

  /** @param {import("./state.js").AppState} state  @param {import("./state.js").AppState} prev */
  function show(state, prev) {
    document.body.dataset.status = state.status; // for tests and styling: idle|running|done|error
    document.body.dataset.layout = state.layoutKind ?? ""; // elk|quick|interim (ELK's to come)
    $("run").setAttribute("aria-busy", String(state.status === "running"));
    $("status").textContent = statusText(state);
    $("status").className = `status ${state.status}`;

    const message = graphMessage(state);
    $("graph-message").hidden = message === null;
    if (message !== null) $("graph-message").firstElementChild.innerHTML = message;
    if (state.stdout !== prev.stdout) $("stdout").textContent = state.stdout;
    if (state.notes !== prev.notes) showNotes(state.notes);
    if (state.error !== prev.error) showError(state.error);

    if (state.mode !== prev.mode) {
      const presenting = state.mode === "present";
      document.body.classList.toggle("presenting", presenting);
      document.body.dataset.mode = state.mode;
      $("present").setAttribute("aria-pressed", String(presenting));
    }
    if (state.predict !== prev.predict)
      $("predict-toggle").setAttribute("aria-pressed", String(state.predict));

    // The step first: its card and narration are overlays a new graph's first view avoids.
    const moved =
      state.step !== prev.step ||
      state.timeline !== prev.timeline ||
      state.cardOpen !== prev.cardOpen ||
      state.predict !== prev.predict ||
      state.answers !== prev.answers;
    if (moved) showStep(state);

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
      const modules = state.model ? occupiedModules(state.model) : [];
      $("modules-toggle").hidden = modules.length === 0;
      $("modules-toggle").textContent = state.collapsed.length
        ? "Expand modules"
        : "Collapse modules";
      document.querySelector(".legend-module").hidden = modules.length === 0;
    }

    if (moved && state.layout === prev.layout) paint();
    if (moved && state.timeline && state.layout)
      view.reveal(frameAt(state.timeline, position(state)).node);
    if (state.timeline !== prev.timeline) {
      table.setRows(state.timeline && state.tab === "steps" ? stepRows(state.timeline) : []);
      table.setCurrent(position(state));
    }
    if (state.tab !== prev.tab) showTab(state);

    if (state.playing !== prev.playing) {
      $("play").classList.toggle("is-playing", state.playing);
      $("play").setAttribute("aria-label", state.playing ? "Pause" : "Play");
      $("play").title = state.playing ? "Pause (Space)" : "Play (Space)";
      if (state.playing) player.play();
      else player.pause();
    }
    if (state.speed !== prev.speed) player.setSpeed(state.speed);
    if (state.examples !== prev.examples) fillExamples(state.examples);
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
      (state.layout !== prev.layout && !relaid)
    ) {
      const node =
        state.selected && state.model ? (state.model.byId.get(state.selected) ?? null) : null;
      view.select(node?.id ?? null);
      inspector.show(node, state.model, state.source);
      $("graph-wrap").classList.toggle("has-inspector", node !== null);
    }
    if (
      state.hovered !== prev.hovered ||
      state.hoveredEdge !== prev.hoveredEdge ||
      state.selected !== prev.selected ||
      state.model !== prev.model
    ) {
      showHover(state);
    }

    const hash = shareHash(state);
    const waiting = state.lesson !== null && state.lessons === null; // its program not known yet
    if (!state.playing && state.status !== "running" && !waiting && hash !== shareHash(prev)) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function showError(error) {
    $("error").hidden = error === null;
    if (error) {
      $("error-code").textContent = error.code.replace(/_/g, " ");
      $("error-message").textContent = formatError(error);
      if (error.line) editor.markError(error.line, error.col);
      else editor.clearError();
    } else {
      editor.clearError();
    }
  }

  function showStep(state) {
    const { timeline } = state;
    const p = position(state);
    document.body.dataset.step = timeline ? String(p) : "";
    const scrubber = $("scrubber");
    scrubber.max = String(timeline ? timeline.end : 0);
    scrubber.value = String(p);
    scrubber.disabled = !timeline;
    const split = timeline && timeline.end ? (timeline.F / timeline.end) * 100 : 100;
    $("player").style.setProperty("--split", `${split}%`);
    $("step-label").textContent = stepLabel(timeline, p);
    for (const id of ["play", "step-back", "step-next", "jump-forward", "jump-end"])
      $(id).disabled = !timeline;
    $("jump-backward").disabled = !timeline || timeline.B === 0;
    const shown = timeline ? stepCard(timeline, p) : null;
    // Predict mode: the step's gradient stays hidden (card, narration, node) until answered.
    const owed = pendingPrediction(timeline, p, state.predict, state.answers);
    const label = owed ? predictLabel(state, owed.node) : "";
    const told = owed
      ? `${stepLabel(timeline, p)}: what is ${label}? Predict it, then reveal.`
      : timeline
        ? narration(timeline, p, shown)
        : "";
    card.show(shown, told, state.cardOpen);
    $("stepcard").classList.toggle("is-concealed", owed !== null);
    if (owed) $("graph").setAttribute("data-conceal", owed.node);
    else $("graph").removeAttribute("data-conceal");
    const answer = state.predict ? (state.answers[`p${p}`] ?? null) : null;
    predictBox.show(owed ? { label, kind: owed.kind } : null, answer);
    table.setCurrent(p);
  }

  /**
   * ∂loss/∂w for a named node, ∂loss/∂(×) for an op; for an op with several outputs, its
   * output 0, whose gradient a step's `grad` is. Named as the cards name them.
   */
  function predictLabel(state, id) {
    const node = state.model.byId.get(id);
    const who = node ? plainWho(resultOf(node, 0)) : `(${id})`;
    return `∂${outputSymbol(state.model)}/∂${who}`;
  }

  function showHover(state) {
    const model = state.model;
    const node = state.hovered && model ? model.byId.get(state.hovered) : null;
    const edge =
      state.hoveredEdge && model ? model.edges.find((e) => e.id === state.hoveredEdge) : null;
    const selected = state.selected && model ? model.byId.get(state.selected) : null;
    editor.highlightSpan(node?.span ?? selected?.span ?? null);
    if (node) readout.showNode(node, model);
    else readout.showEdge(edge ?? null, model);
  }

  function showTab(state) {
    const steps = state.tab === "steps";
    $("tab-output").setAttribute("aria-selected", String(!steps));
    $("tab-steps").setAttribute("aria-selected", String(steps));
    $("panel-output").hidden = steps;
    $("panel-steps").hidden = !steps;
    $("copy-steps").hidden = !steps;
    if (steps && state.timeline) {
      table.setRows(stepRows(state.timeline));
      table.setCurrent(position(state));
    }
  }

  function fillExamples(list) {
    const select = $("examples");
    select.replaceChildren(new Option("Examples…", ""));
    const groups = new Map();
    for (const ex of list ?? []) {
      if (!groups.has(ex.topic)) {
        const group = document.createElement("optgroup");
        group.label = ex.topic;
        groups.set(ex.topic, group);
        select.append(group);
      }
      groups.get(ex.topic).append(new Option(ex.title, ex.id));
    }
  }

  return { show };
}
