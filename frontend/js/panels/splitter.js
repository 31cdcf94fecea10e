/**
 * The draggable bar between the panes: sets the left pane's width as a CSS variable.
 * Arrow keys move it too, for keyboards.
 */

/** Bounds of the left pane, as a fraction of the workspace width. */
const MIN_FRACTION = 0.2;
const MAX_FRACTION = 0.7;
/** One arrow-key press moves the bar this fraction. */
const KEY_STEP = 0.02;

/**
 * @param {HTMLElement} bar  the separator
 * @param {HTMLElement} workspace  the grid whose --left it sets
 * @param {{onResize?: () => void}} [handlers]
 */
export function createSplitter(bar, workspace, { onResize = () => {} } = {}) {
  let fraction = null;

  function set(next) {
    fraction = Math.min(MAX_FRACTION, Math.max(MIN_FRACTION, next));
    workspace.style.setProperty("--left", `${(fraction * 100).toFixed(2)}%`);
    bar.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
    onResize();
  }

  function current() {
    if (fraction !== null) return fraction;
    const left = bar.previousElementSibling.getBoundingClientRect().width;
    return left / workspace.getBoundingClientRect().width;
  }

  bar.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    bar.setPointerCapture(event.pointerId);
    bar.classList.add("dragging");
    const rect = workspace.getBoundingClientRect();
    const move = (e) => set((e.clientX - rect.left) / rect.width);
    const up = () => {
      bar.classList.remove("dragging");
      bar.removeEventListener("pointermove", move);
      bar.removeEventListener("pointerup", up);
      bar.removeEventListener("pointercancel", up);
    };
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", up);
    bar.addEventListener("pointercancel", up);
  });

  bar.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") set(current() - KEY_STEP);
    else if (event.key === "ArrowRight") set(current() + KEY_STEP);
    else return;
    event.preventDefault();
  });

  bar.setAttribute("aria-valuemin", String(MIN_FRACTION * 100));
  bar.setAttribute("aria-valuemax", String(MAX_FRACTION * 100));
}
