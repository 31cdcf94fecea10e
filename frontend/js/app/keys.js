/**
 * The page's keys: Space plays and pauses, ←/→ (and a clicker's PageUp/PageDown) step,
 * Home/End jump to the ends, Ctrl+Enter runs from anywhere, Esc closes the inspector and
 * menus (and leaves presenter mode); while presenting, F toggles full screen and R reveals
 * the lesson question's answer. Keys typed into fields stay there.
 */

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   actions: {run: () => void, goTo: (p: number, o?: {animate?: boolean}) => void,
 *   togglePlay: () => void, position: () => number, setMode: (mode: string) => void,
 *   toggleFullscreen: () => void, closeMenus: () => void, revealQuestion?: () => void}}} parts
 */
export function bindKeys({ store, actions }) {
  const { run, goTo, togglePlay, position, setMode, toggleFullscreen, closeMenus } = actions;
  const { revealQuestion = () => {} } = actions;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    // Ctrl+Enter runs from anywhere on the page, not only inside the editor; an editor
    // (run A's, or run B's while two runs are compared) runs its own program.
    const editing = event.defaultPrevented || target.closest?.(".editor textarea");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !editing) {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === "Escape") {
      if (store.state.selected) store.update({ selected: null });
      else if (store.state.mode === "present") setMode("edit");
      closeMenus();
      return;
    }
    const typing = target.closest?.("textarea, input, select, [contenteditable]");
    if (typing || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    // Space on a focused button presses it, except in the player bar, where it plays.
    const button = target.closest?.("button, a, summary, [role='tab'], tr[tabindex]");
    if (event.key === " " && button && !button.closest(".player")) return;
    const keys = {
      " ": togglePlay,
      ArrowLeft: () => goTo(position() - 1, { animate: true }),
      ArrowRight: () => goTo(position() + 1, { animate: true }),
      PageUp: () => goTo(position() - 1, { animate: true }),
      PageDown: () => goTo(position() + 1, { animate: true }),
      Home: () => goTo(0, { animate: true }),
      End: () => goTo(Infinity),
    };
    const presenting = store.state.mode === "present";
    if ((event.key === "f" || event.key === "F") && presenting) {
      event.preventDefault();
      toggleFullscreen();
      return;
    }
    if ((event.key === "r" || event.key === "R") && presenting) {
      event.preventDefault();
      revealQuestion();
      return;
    }
    const action = keys[event.key];
    if (!action || !store.state.timeline) return;
    event.preventDefault();
    action();
  });
}
