/**
 * Predict, then reveal: at a step whose number is concealed, a form asks for the
 * student's number (or sign); a wrong first try shows the hint and asks again; "Reveal"
 * gives up; after the last try, the verdict against torch's number. The running score
 * shows beside it.
 */

import { formatNumber } from "../core/format.js";

/**
 * @param {HTMLFormElement} form  #predict, holding #predict-label, #predict-input,
 *   #predict-hint, #predict-verdict, #predict-score and #predict-reveal
 * @param {{onSubmit: (given: string) => void, onReveal: () => void}} handlers
 */
export function createPredictBox(form, { onSubmit, onReveal }) {
  const input = form.querySelector("#predict-input");
  const ask = form.querySelector(".predict-ask");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(input.value);
  });
  form.querySelector("#predict-reveal").addEventListener("click", onReveal);
  let asked = null;

  return {
    /**
     * @param {import("../core/predict.js").Question|null} question  owed here; null: none
     * @param {import("../core/predict.js").Prediction|null} answer  given here, if any
     * @param {{right: number, total: number}|null} score  null: not in predict mode
     */
    show(question, answer, score) {
      form.hidden = question === null && answer === null;
      ask.hidden = question === null;
      const key = question ? `${question.key}:${answer?.tries ?? 0}` : null;
      if (question && asked !== key) {
        form.querySelector("#predict-label").textContent =
          question.kind === "number"
            ? `What is ${question.label}? Work it out, then check.`
            : `The sign of ${question.label}: −1, 0 or 1`;
        input.value = "";
        input.placeholder = question.kind === "number" ? "a number" : "-1, 0 or 1";
        requestAnimationFrame(() => input.focus({ preventScroll: true }));
      }
      asked = key;
      const hint = form.querySelector("#predict-hint");
      const retry = Boolean(question && answer && !answer.done);
      hint.hidden = !retry;
      hint.textContent = retry
        ? `✗ Not ${answer.given}. Hint: ${answer.hint}. One more try.`
        : "";
      const verdict = form.querySelector("#predict-verdict");
      const done = Boolean(answer?.done);
      verdict.hidden = !done;
      verdict.className = `verdict${done ? (answer.correct ? " is-right" : " is-wrong") : ""}`;
      verdict.textContent = done ? predictVerdict(answer) : "";
      form.querySelector("#predict-score").textContent =
        score && score.total ? `${score.right} / ${score.total} right` : "";
    },
  };
}

/** The verdict of a revealed prediction, with torch's number as the page writes numbers. */
export function predictVerdict(answer) {
  const torch = formatNumber(answer.expected);
  if (answer.given === null) return `Revealed: torch says ${torch}`;
  return answer.correct
    ? `✓ Right: ${answer.given} (torch: ${torch})`
    : `✗ Not quite: you said ${answer.given}; torch says ${torch}`;
}
