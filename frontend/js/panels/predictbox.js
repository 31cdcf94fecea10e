/**
 * Predict, then reveal: at a backward step whose gradient is hidden, a form asks for the
 * student's number (or sign); after the answer, the verdict against torch's number.
 */

import { verdictText } from "./lessonpanel.js";

/**
 * @param {HTMLFormElement} form  #predict, holding #predict-label, #predict-input, #predict-verdict
 * @param {{onSubmit: (given: string) => void}} handlers
 */
export function createPredictBox(form, { onSubmit }) {
  const input = form.querySelector("#predict-input");
  const ask = form.querySelector(".predict-ask");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(input.value);
  });
  let asked = null;

  return {
    /**
     * @param {{label: string, kind: "number"|"sign"}|null} question  null: nothing to ask
     * @param {import("../core/state.js").Answer|null} answer  the verdict to show, if answered
     */
    show(question, answer) {
      form.hidden = question === null && answer === null;
      ask.hidden = question === null;
      if (question && asked !== question.label) {
        form.querySelector("#predict-label").textContent =
          question.kind === "number"
            ? `Your prediction for ${question.label}`
            : `The sign of ${question.label}[0], the first element: −1, 0 or 1`;
        input.value = "";
        input.placeholder = question.kind === "number" ? "a number" : "-1, 0 or 1";
        asked = question.label;
        requestAnimationFrame(() => input.focus({ preventScroll: true }));
      }
      if (!question) asked = null;
      const verdict = form.querySelector("#predict-verdict");
      verdict.hidden = answer === null;
      verdict.className = `verdict${answer ? (answer.correct ? " is-right" : " is-wrong") : ""}`;
      verdict.textContent = answer ? verdictText(answer) : "";
    },
  };
}
