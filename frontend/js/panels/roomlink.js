/**
 * "Start a class" and the class's link: the top bar's button starts a class (the first
 * time) and then shows or hides a panel with the students' address, the room's code and
 * a QR code of the address, for the projector. A click elsewhere or Escape hides it.
 */

import { spokenCode } from "../core/room.js";
import { qrSvg } from "../draw/qr.js";

/**
 * @param {HTMLElement} panel  #room-panel
 * @param {HTMLButtonElement} toggle  #room-toggle
 * @param {{onStart: () => void}} handlers
 */
export function createRoomLink(panel, toggle, { onStart }) {
  const $ = (id) => /** @type {HTMLElement} */ (panel.querySelector(`#${id}`));
  const label = /** @type {HTMLElement} */ (toggle.querySelector("span"));
  let drawn = null;
  toggle.addEventListener("click", () => {
    if (toggle.dataset.live === "true") setOpen(panel.hidden);
    else {
      onStart();
      setOpen(true);
    }
  });
  document.addEventListener("pointerdown", (event) => {
    const target = /** @type {Node} */ (event.target);
    if (!panel.hidden && !panel.contains(target) && !toggle.contains(target)) setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) setOpen(false);
  });
  $("room-copy").addEventListener("click", () => {
    const link = /** @type {HTMLAnchorElement} */ ($("room-link")).href;
    navigator.clipboard?.writeText(link).then(
      () => ($("room-copy").textContent = "Copied"),
      () => {},
    );
  });

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }

  return {
    /** @param {import("../core/state.js").AppState} state */
    show(state) {
      const room = state.room?.role === "teacher" ? state.room : null;
      const live = room !== null && room.code !== "" && room.status !== "ended";
      // Ended, or never started: the button starts a new class.
      toggle.dataset.live = String(live);
      label.textContent = live ? `Class ${spokenCode(room.code)}` : "Start a class";
      if (!live) {
        if (!room || room.status === "ended" || room.status === "error") setOpen(false);
        $("room-join").hidden = true;
        drawn = null;
        return;
      }
      $("room-join").hidden = false;
      if (room.link === drawn) return;
      drawn = room.link;
      const link = /** @type {HTMLAnchorElement} */ ($("room-link"));
      link.href = room.link;
      link.textContent = room.link.replace(/^https?:\/\//, "");
      $("room-code").textContent = spokenCode(room.code);
      $("room-qr").replaceChildren(qrSvg(room.link, `QR code of ${room.link}`));
      $("room-copy").textContent = "Copy link";
    },
  };
}
