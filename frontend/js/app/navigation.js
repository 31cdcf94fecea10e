/**
 * Moving through the steps: the position shown, going to a position (its step's motion
 * played once, or shown at rest), playing and pausing, the next position while playing (a
 * prediction owed stops it there); and the player's clock, which draws each frame on the
 * graph.
 */

import { askedAt, concealment, maskFrame, shownOf } from "../core/conceal.js";
import { createPlayer } from "../core/player.js";
import { clampPosition, frameAt } from "../core/timeline.js";

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   view: ReturnType<typeof import("../draw/graphview.js").createGraphView>,
 *   reducedMotion: boolean, frameCosts?: () => number[]|null}} parts  frameCosts: where
 *   each drawn frame's cost in ms goes, when a benchmark asks (app/testing.js)
 */
export function createNavigation({ store, view, reducedMotion, frameCosts = () => null }) {
  const player = createPlayer({
    onFrame: paint,
    onStepEnd: advance,
    schedule: (fn) => requestAnimationFrame(fn),
    cancel: (handle) => cancelAnimationFrame(handle),
    reducedMotion,
  });

  /** The position shown: the state's step, or the end. */
  function position(state = store.state) {
    return state.timeline ? (state.step ?? state.timeline.end) : 0;
  }

  /** Draw the frame of the current position at `t` (the player's clock calls this). */
  function paint(t = player.t) {
    const { timeline, layout } = store.state;
    if (!timeline || !layout) return;
    const costs = frameCosts();
    const started = costs ? performance.now() : 0;
    // The numbers not to be shown yet read "?" (core/conceal.js).
    const shown = shownOf(store.state);
    view.paint(maskFrame(frameAt(shown.timeline, position(), t), shown));
    if (costs) costs.push(performance.now() - started);
  }

  /** Move to the next position while playing; false at the end. */
  function advance() {
    const { timeline } = store.state;
    const p = position();
    // The end, or (predict mode) a prediction owed here: nothing to play past.
    if (!timeline || p >= timeline.end || askedAt(store.state, p)) {
      store.update({ playing: false });
      return false;
    }
    // Predict mode: playing stops where the student owes a prediction.
    const owed = askedAt(store.state, p + 1);
    store.update({ step: p + 1, playing: owed === null });
    return owed === null;
  }

  /**
   * Show a position; animate plays its step's motion once. In predict mode, no further
   * than the first step still owed a prediction.
   */
  function goTo(p, { animate = false } = {}) {
    const { timeline } = store.state;
    if (!timeline) return;
    const { frontier } = concealment(store.state);
    const to = clampPosition(timeline, frontier === null ? p : Math.min(p, frontier));
    store.update({ step: to, playing: false });
    if (animate) player.animateStep();
    else player.settle();
  }

  function togglePlay() {
    const { timeline, playing } = store.state;
    if (!timeline) return;
    if (playing) {
      store.update({ playing: false });
      return;
    }
    if (position() >= timeline.end) store.update({ step: 0 });
    store.update({ playing: true });
  }

  return { player, position, paint, goTo, togglePlay };
}
