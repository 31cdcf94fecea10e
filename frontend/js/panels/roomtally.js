/**
 * The class's answers, on the teacher's class bar: the question open at the step, how many
 * have answered and how (a bar per histogram bin or per option), and Reveal; once revealed,
 * the bar holding torch's answer is marked and right and wrong are counted. Never who
 * answered what: the server sends counts only.
 */

import { openQuestion, tallyBars } from "../core/room.js";

/**
 * @param {HTMLElement} box  #room-tally
 * @param {{onReveal: () => void, prefix: (state: object) => string,
 *   position: (state: object) => number}} handlers  prefix: the run's part of question
 *   ids (app/room.js), to find the open question
 */
export function createRoomTally(box, { onReveal, prefix, position }) {
  const $ = (id) => /** @type {HTMLElement} */ (box.querySelector(`#${id}`));
  $("room-reveal").addEventListener("click", onReveal);

  return {
    /** @param {import("../core/state.js").AppState} state */
    show(state) {
      const room = state.room;
      const open =
        room?.role === "teacher" && room.status !== "ended" && state.timeline
          ? openQuestion(state, position(state), prefix(state))
          : null;
      box.hidden = !open;
      if (!open) return;
      $("room-prompt").textContent = open.request.prompt;
      const tally = room.tally?.question === open.request.id ? room.tally : null;
      const count = tally?.count ?? 0;
      $("room-count").textContent =
        count === 1 ? "1 student has answered" : `${count.toLocaleString("en")} students have answered`;
      $("room-bars").replaceChildren(...(tally ? tallyBars(tally, open) : []).map((bar) => row(bar, open.revealed)));
      const right = $("room-right");
      right.hidden = !open.revealed || typeof tally?.right !== "number";
      right.textContent = right.hidden ? "" : `${tally.right} right · ${tally.wrong} wrong`;
      $("room-reveal").hidden = open.revealed;
    },
  };
}

/** One bar; which holds torch's answer stays unmarked until the answer is revealed. */
function row(bar, revealed) {
  const item = document.createElement("li");
  item.className = `room-bar-row${revealed && bar.right ? " is-right" : ""}`;
  const label = document.createElement("span");
  label.className = "room-bar-label";
  label.textContent = bar.label;
  const track = document.createElement("span");
  track.className = "room-bar-track";
  const fill = document.createElement("span");
  fill.className = "room-bar-fill";
  fill.style.width = `${Math.round(bar.share * 100)}%`;
  track.append(fill);
  const count = document.createElement("span");
  count.className = "room-bar-count";
  count.textContent = String(bar.count);
  item.append(label, track, count);
  return item;
}
