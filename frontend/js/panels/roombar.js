/**
 * The class bar, under the top bar while the page is in a class. The teacher's: the room's
 * code, whether students see this step, End the class (the class's answers beside it are
 * panels/roomtally.js). A student's: whether the page follows the teacher or wanders (with
 * Wander / Catch up), Leave; the question the teacher has open, answered here and sent to
 * the room, and the verdict once the teacher reveals it. While in a class a student's
 * program is the teacher's: the editor is read-only and Run, the examples, the lessons,
 * Compare, Predict, Show output and the Training tab's Show this call are out of use.
 */

import { stepLabel } from "../core/captions.js";
import { answerKey, runKey, spokenCode } from "../core/room.js";
import { formatNumber } from "../core/format.js";

/** The controls a class's student may not use, and what they say instead. */
const TEACHERS = [
  "run",
  "examples",
  "lessons-toggle",
  "compare-open",
  "predict-toggle",
  "room-toggle",
  "show-output", // the output waits, as the numbers do, for the class's reveal
  "training-show", // the call shown is the teacher's
];
const FOLLOWING = "The teacher's program: leave the class to change it";

/**
 * Put the page in a student's form, or back.
 * @param {Document} doc
 * @param {boolean} locked
 */
export function lockForClass(doc, locked) {
  doc.body.classList.toggle("in-class", locked);
  const source = /** @type {HTMLTextAreaElement} */ (doc.getElementById("source"));
  source.readOnly = locked;
  // The inputs are the teacher's too: the table takes no clicks or keys while in a class.
  const inputs = doc.getElementById("variables");
  if (inputs) inputs.inert = locked;
  for (const id of TEACHERS) {
    const control = /** @type {HTMLButtonElement} */ (doc.getElementById(id));
    if (!control) continue;
    control.disabled = locked;
    if (locked) {
      control.dataset.title ??= control.title;
      control.title = FOLLOWING;
    } else if (control.dataset.title !== undefined) {
      control.title = control.dataset.title;
      delete control.dataset.title;
    }
  }
}

/**
 * @param {HTMLElement} bar  #room-bar
 * @param {{onWander: () => void, onCatchUp: () => void, onLeave: () => void,
 *   onEnd: () => void, onAnswer: (typed: string) => void}} handlers
 */
export function createRoomBar(bar, { onWander, onCatchUp, onLeave, onEnd, onAnswer }) {
  const $ = (id) => /** @type {HTMLElement} */ (bar.querySelector(`#${id}`));
  const form = /** @type {HTMLFormElement} */ ($("room-answer"));
  const input = /** @type {HTMLInputElement} */ ($("room-answer-input"));
  $("room-wander").addEventListener("click", onWander);
  $("room-catch-up").addEventListener("click", onCatchUp);
  $("room-leave").addEventListener("click", onLeave);
  $("room-end").addEventListener("click", onEnd);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onAnswer(input.value);
  });
  let asked = null;

  return {
    /** @param {import("../core/state.js").AppState} state */
    show(state) {
      const room = state.room;
      bar.hidden = room === null;
      if (!room) return;
      const teacher = room.role === "teacher";
      $("room-bar-code").textContent = room.code ? `Class ${spokenCode(room.code)}` : "Class";
      $("room-bar-status").textContent = teacher ? teacherStatus(room) : studentStatus(room, state);
      bar.dataset.role = room.role;
      bar.dataset.status = room.status;
      bar.dataset.following = String(room.following);
      const live = room.status === "live" && room.shown !== null;
      $("room-wander").hidden = teacher || !live || !room.following;
      // Catch up also runs the teacher's program again when it did not run here.
      const failed = state.status === "error";
      $("room-catch-up").hidden = teacher || !live || (room.following && !failed);
      $("room-leave").hidden = teacher;
      $("room-end").hidden = !teacher;
      $("room-end").textContent = room.status === "ended" ? "Close" : "End the class";
      showQuestion(teacher ? null : room, state);
    },
  };

  /** The teacher's open question: a number or the options, Send; then what happened. */
  function showQuestion(room, state) {
    const question = room?.status === "live" ? room.shown?.question : null;
    form.hidden = !question;
    if (!question) {
      asked = null;
      return;
    }
    const key = answerKey(question.id);
    const revealed = room.shown.revealed;
    const sent = room.sent[key];
    if (asked !== question.id) {
      asked = question.id;
      input.value = "";
      $("room-answer-prompt").textContent = question.prompt;
      $("room-answer-options").replaceChildren(
        ...question.options.map((option) => {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "button small";
          button.textContent = option;
          button.addEventListener("click", () => onAnswer(option));
          return button;
        }),
      );
    }
    const choice = question.kind === "choice";
    const answered = sent !== undefined || room.sending === "sending";
    input.hidden = choice;
    $("room-answer-send").hidden = choice;
    for (const control of [input, $("room-answer-send"), ...$("room-answer-options").children]) {
      /** @type {HTMLButtonElement} */ (control).disabled = answered || revealed;
    }
    $("room-answer-note").textContent = note(room, state, key, revealed, sent);
    form.dataset.state = revealed ? "revealed" : sent !== undefined ? "sent" : room.sending;
  }
}

/** The teacher's status line: students see this step, or why not. */
function teacherStatus(room) {
  if (room.message) return room.message;
  return room.status === "joining" ? "Starting the class…" : "Students follow every step you take.";
}

/** A student's status line: following, wandering, or why neither. */
function studentStatus(room, state) {
  const shown = room.shown;
  if (room.status !== "live" || !shown) return room.message ?? "Joining the class…";
  // The teacher's step as the player names it, once this page shows the teacher's run.
  const mine = state.timeline && room.showing === runKey(shown);
  const at = mine ? stepLabel(state.timeline, shown.step) : `step ${shown.step + 1}`;
  if (room.following && state.status === "error" && state.error) {
    return `The teacher's program did not run here: ${state.error.message}`;
  }
  return room.following
    ? `Following the teacher: ${at}`
    : `Wandering on your own: the teacher is at ${at}`;
}

/** What the student is told about their answer. */
function note(room, state, key, revealed, sent) {
  if (revealed) {
    const mine = state.answers[key];
    if (!mine) return "Revealed.";
    if (typeof mine.expected !== "number") {
      // A choice: the right option, not a number of torch's.
      if (sent === undefined) return `Revealed: the answer is ${mine.expected}.`;
      return mine.correct ? `✓ Right: ${sent}` : `✗ You chose ${sent}; the answer is ${mine.expected}.`;
    }
    const torch = formatNumber(mine.expected);
    if (sent === undefined) return `Revealed: torch says ${torch}.`;
    return mine.correct ? `✓ Right: ${sent} (torch: ${torch})` : `✗ You said ${sent}; torch says ${torch}.`;
  }
  if (sent !== undefined) return `Sent: ${sent}. Waiting for the teacher to reveal the answer.`;
  if (room.sending === "sending") return room.message ?? "Sending…";
  if (room.sending === "refused") return room.message ?? "Not sent.";
  return "Your answer is anonymous: the teacher sees only how the class answered.";
}
