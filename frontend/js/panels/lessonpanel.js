/**
 * The lessons panel: the list of lessons, and the open lesson's explanation, its pauses
 * (each a button to its step, and "Next pause"), its question with the verdict, its
 * variants, a way to the Training tab once it may be shown (a program that trains), and the
 * lesson's score. It draws what it is given and reports clicks.
 */

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className, text, onClick) {
  const b = el("button", className, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/**
 * @param {HTMLElement} element  the panel (holds #lesson-list, #lesson, #lesson-score)
 * @param {{onOpen: (id: string) => void, onPause: (index: number) => void,
 *   onNextPause: () => void, onVariant: (source: string) => void,
 *   onAnswer: (given: string) => void, onClose: () => void, onTraining: () => void,
 *   onCompare: (source: string) => void}} handlers  onCompare: a variant traced beside
 *   the lesson's program (two runs compared)
 */
export function createLessonPanel(element, handlers) {
  $("lessons-close").addEventListener("click", handlers.onClose);
  let shownList = null;
  let shownLesson = null;
  /** The Training tab may be shown, for a program that called backward() more than once. */
  let training = false;

  function fillList(lessons, current) {
    const list = $("lesson-list");
    list.replaceChildren(
      ...(lessons ?? []).map((lesson) => {
        const item = el("li");
        const open = button("lesson-link", "", () => handlers.onOpen(lesson.id));
        open.dataset.lesson = lesson.id;
        open.append(el("span", "lesson-number", String(lesson.number)), lesson.title);
        if (lesson.id === current) open.setAttribute("aria-current", "true");
        item.append(open);
        return item;
      }),
    );
  }

  function fillLesson(lesson) {
    const box = $("lesson");
    box.hidden = lesson === null;
    if (!lesson) return box.replaceChildren();
    box.dataset.lesson = lesson.id;
    const pauses = el("div", "lesson-pauses");
    pauses.append(el("span", "lesson-label", "Pause at:"));
    lesson.pauses.forEach((pause, k) => {
      const b = button("button small lesson-pause", `${pause.phase} ${pause.node}`, () =>
        handlers.onPause(k),
      );
      b.dataset.index = String(k);
      pauses.append(b);
    });
    const next = button("button primary small", "Next pause", handlers.onNextPause);
    next.id = "next-pause";
    pauses.append(next);

    const question = el("form", "lesson-question");
    question.id = "question";
    question.append(el("p", "lesson-prompt", lesson.question.prompt));
    const row = el("div", "question-row");
    if (lesson.question.kind === "choice") {
      for (const option of lesson.question.options) {
        const b = button("button small question-option", option, () => handlers.onAnswer(option));
        b.dataset.option = option;
        row.append(b);
      }
    } else {
      const input = el("input", "question-input");
      input.id = "question-answer";
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.setAttribute("aria-label", "Your answer");
      const submit = el("button", "button primary small", "Answer");
      submit.type = "submit";
      row.append(input, submit);
    }
    question.append(row, el("p", "verdict"));
    question.lastChild.id = "question-verdict";
    question.lastChild.setAttribute("aria-live", "polite");
    question.addEventListener("submit", (event) => {
      event.preventDefault();
      handlers.onAnswer($("question-answer")?.value ?? "");
    });

    const toTraining = button("button small lesson-training", "Open the Training tab", () =>
      handlers.onTraining(),
    );
    toTraining.id = "lesson-training";
    toTraining.setAttribute("aria-controls", "panel-training");
    toTraining.hidden = !training;

    const variants = el("div", "lesson-variants");
    for (const variant of lesson.variants) {
      const compare = button("button small lesson-compare", "Compare", () =>
        handlers.onCompare(variant.source),
      );
      compare.title = "Keep the lesson's run and trace this variant beside it";
      compare.setAttribute("aria-label", `Compare with: ${variant.title}`);
      variants.append(
        button("button small lesson-variant", `Try this: ${variant.title}`, () =>
          handlers.onVariant(variant.source),
        ),
        compare,
      );
    }
    box.replaceChildren(
      el("h3", "lesson-title", `${lesson.number}. ${lesson.title}`),
      el("p", "lesson-explanation", lesson.explanation),
      pauses,
      question,
      toTraining,
      variants,
    );
  }

  return {
    /** Offer the Training tab (it is shown: the program trains and no question hides it). */
    showTraining(available) {
      training = available;
      const b = $("lesson-training");
      if (b) b.hidden = !available;
    },
    /**
     * @param {{lessons: import("../core/contract.js").Lesson[]|null, lesson: string|null,
     *   open: boolean, pauses: (number|null)[], answer: import("../core/state.js").Answer|null,
     *   score: {right: number, total: number}}} shown
     *   pauses: each pause's timeline position (null: not in this trace)
     */
    show({ lessons, lesson: id, open, pauses, answer, score }) {
      element.hidden = !open;
      const lesson = lessons?.find((l) => l.id === id) ?? null;
      if (lessons !== shownList || lesson !== shownLesson) {
        fillList(lessons, id);
        fillLesson(lesson);
        shownList = lessons;
        shownLesson = lesson;
      }
      $("lesson-score").textContent =
        lesson && score.total ? `Score ${score.right} / ${score.total}` : "";
      if (!lesson) return;
      for (const b of element.querySelectorAll(".lesson-pause"))
        b.disabled = pauses[Number(b.dataset.index)] === null;
      const verdict = $("question-verdict");
      verdict.className = `verdict${answer ? (answer.correct ? " is-right" : " is-wrong") : ""}`;
      verdict.textContent = answer ? verdictText(answer) : "";
    },
  };
}

/** "Right" or "Not quite", with the traced number (or option) it was checked against. */
export function verdictText(answer) {
  if (answer.revealed) return `Torch's answer: ${shortNumber(answer.expected)}`;
  const expected =
    typeof answer.expected === "number" ? Number(answer.expected.toPrecision(4)) : answer.expected;
  return answer.correct
    ? `✓ Right: ${answer.given} (torch: ${expected})`
    : `✗ Not quite: you said ${answer.given}; torch says ${expected}`;
}

/** A traced number to 4 significant digits (an option as it is). */
function shortNumber(value) {
  return typeof value === "number" ? Number(value.toPrecision(4)) : value;
}
