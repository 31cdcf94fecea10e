/**
 * The classroom actions: open a lesson, jump to its pauses, mark its question and the
 * student's predictions against torch's numbers, check the gradients by finite
 * differences, present. Each reads and updates the one store; none touches the DOM except
 * the Fullscreen API.
 */

import {
  isRight,
  lessonOf,
  lessonPauses,
  nextPause,
  parseAnswer,
  predictionTarget,
  questionAnswer,
} from "../core/lessons.js";
import { requestVariables } from "../core/variables.js";
import { trace } from "../net/api.js";

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>, editor: object,
 *   variables: object, view: object, player: object, run: () => Promise<void>,
 *   goTo: (p: number, o?: {animate?: boolean}) => void, position: () => number}} parts
 */
export function createClassroom({ store, editor, variables, view, player, run, goTo, position }) {
  /** Open a lesson: its program (or `source`, a variant's) in the editor, run. */
  function openLesson(id, { source = null } = {}) {
    const lesson = store.state.lessons?.find((l) => l.id === id);
    if (!lesson) return;
    const program = source ?? lesson.source;
    editor.setValue(program);
    variables.setRows([]);
    store.update({
      lesson: id,
      source: program,
      variables: [],
      selected: null,
      step: null,
      lessonsOpen: store.state.mode !== "present",
    });
    run();
  }

  function goToPause(index) {
    const p = lessonPauses(store.state)[index];
    if (p !== null && p !== undefined) goTo(p, { animate: true });
  }

  function goToNextPause() {
    const p = nextPause(lessonPauses(store.state), store.state.timeline ? position() : -1);
    if (p !== null) goTo(p, { animate: true });
  }

  /** Mark the lesson's question: a number against the traced one, or the chosen option. */
  function answerQuestion(given) {
    const { model, answers } = store.state;
    const question = lessonOf(store.state)?.question;
    if (!question || !model) return;
    let answer;
    if (question.kind === "choice") {
      answer = { given, expected: question.answer, correct: given === question.answer };
    } else {
      const value = parseAnswer(given);
      if (Number.isNaN(value)) return;
      const expected = questionAnswer(model, question);
      answer = { given: value, expected, correct: isRight(value, expected, question.tolerance) };
    }
    store.update({ answers: { ...answers, question: answer } });
  }

  /** Reveal the current backward step: mark the prediction, then play the step's motion. */
  function submitPrediction(given) {
    const { timeline, answers } = store.state;
    if (!timeline) return;
    const p = position();
    const target = predictionTarget(timeline, p);
    const value = parseAnswer(given);
    if (!target || Number.isNaN(value)) return;
    const correct = isRight(value, target.expected, target.tolerance);
    const answer = { given: value, expected: target.expected, correct };
    store.update({ answers: { ...answers, [`p${p}`]: answer } });
    player.animateStep();
  }

  /** Re-post the program with check=true and keep the answer's gradient check. */
  async function checkGradients() {
    const { source, run: runId } = store.state;
    store.update({ checkStatus: "running", check: null });
    try {
      const inputs = requestVariables(store.state.variables);
      const request = { source, check: true };
      if (Object.keys(inputs).length) request.variables = inputs;
      const result = await trace(request);
      if (store.state.run !== runId) return;
      store.update({ check: result.check, checkStatus: result.check ? "done" : "error" });
    } catch (err) {
      if (store.state.run !== runId) return;
      const error = String(err?.message ?? err);
      store.update({ check: { step: 0, error, leaves: [] }, checkStatus: "error" });
    }
  }

  /** Enter or leave presenter mode (leaving also leaves full screen). */
  function setMode(mode) {
    store.update({ mode, lessonsOpen: mode === "present" ? false : store.state.lessonsOpen });
    if (mode !== "present" && document.fullscreenElement) toggleFullscreen();
    requestAnimationFrame(() => view.refit());
  }

  /** The Fullscreen API, when the browser lets the page use it (headless may not). */
  function toggleFullscreen() {
    try {
      const done = document.fullscreenElement
        ? document.exitFullscreen()
        : document.documentElement.requestFullscreen();
      done?.catch?.(() => {});
    } catch {
      // no full screen here: presenting still works in the window
    }
  }
  return {
    openLesson,
    goToPause,
    goToNextPause,
    answerQuestion,
    submitPrediction,
    checkGradients,
    setMode,
    toggleFullscreen,
  };
}
