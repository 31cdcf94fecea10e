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
  questionAnswer,
} from "../core/lessons.js";
import { askedAt, concealment } from "../core/conceal.js";
import { markPrediction } from "../core/predict.js";
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
      step: 0,
      lessonsOpen: true,
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

  /**
   * Show torch's answer to the lesson's question without one given (presenter mode's R,
   * after the class has had its say); an answer already given stays.
   */
  function revealQuestion() {
    const { model, answers } = store.state;
    const question = lessonOf(store.state)?.question;
    if (!question || !model || answers.question) return;
    const expected =
      question.kind === "choice" ? question.answer : questionAnswer(model, question);
    if (expected === null || expected === undefined) return;
    store.update({
      answers: { ...answers, question: { given: null, expected, correct: false, revealed: true } },
    });
  }

  /**
   * Mark the prediction owed at the current step (`given` null: the student gives up):
   * a wrong first try gets a hint and another; once revealed, the step's motion plays.
   */
  function submitPrediction(given) {
    const { answers } = store.state;
    const question = askedAt(store.state, position());
    if (!question) return;
    const value = given === null ? null : parseAnswer(given);
    if (Number.isNaN(value)) return;
    const answer = markPrediction(question, value, answers[question.key]);
    store.update({ answers: { ...answers, [question.key]: answer } });
    if (answer.done) player.animateStep();
  }

  /** Predict mode on or off; turned on, it rewinds to the first step still owed. */
  function setPredict(on) {
    // A gradient check shown would give the answers away: it goes.
    const noCheck = on ? { check: null, checkStatus: "idle" } : {};
    store.update({ predict: on, playing: false, ...noCheck });
    if (!on || !store.state.timeline) return;
    const owed = concealment(store.state).frontier;
    if (owed !== null && position() > owed) goTo(owed);
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

  /**
   * Enter or leave presenter mode (leaving also leaves full screen); presenting shows the
   * open lesson's question beside the code and the graph.
   */
  function setMode(mode) {
    const lessonsOpen = mode === "present" ? store.state.lesson !== null : store.state.lessonsOpen;
    store.update({ mode, lessonsOpen });
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
    revealQuestion,
    submitPrediction,
    revealPrediction: () => submitPrediction(null),
    setPredict,
    checkGradients,
    setMode,
    toggleFullscreen,
  };
}
