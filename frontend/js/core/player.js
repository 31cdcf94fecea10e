/**
 * The clock of the step player. While playing, t runs from 0 to 1 over one step and then
 * the player asks for the next step; a step taken by hand plays its motion once.
 *
 * It owns only time: the position lives in the state object, and what a (position, t)
 * looks like is timeline.frameAt's business. The scheduler is given: the page passes
 * requestAnimationFrame, tests a fake clock.
 */

/** Duration of one step at speed 1, in ms. */
export const STEP_MS = 1100;

/**
 * @param {{
 *   onFrame: (t: number) => void,
 *   onStepEnd: () => boolean,
 *   schedule: (fn: (time: number) => void) => number,
 *   cancel: (handle: number) => void,
 *   reducedMotion?: boolean,
 * }} options
 *   onFrame: draw the current position at t; onStepEnd: move to the next position and say
 *   whether there was one (false ends playing); schedule: call fn at the next frame with
 *   its time in ms (requestAnimationFrame), cancel: undo that; reducedMotion: steps jump,
 *   nothing moves
 */
export function createPlayer({
  onFrame,
  onStepEnd,
  schedule,
  cancel,
  reducedMotion = false,
}) {
  let t = 1;
  /** idle: nothing moves; play: step after step; once: finish this step's motion. */
  let mode = "idle";
  let speed = 1;
  let last = null;
  let handle = null;

  function tick(time) {
    handle = null;
    const dt = last === null ? 0 : Math.max(0, time - last);
    last = time;
    t = reducedMotion ? 1 : Math.min(1, t + (dt * speed) / STEP_MS);
    onFrame(t);
    if (t >= 1) {
      if (mode === "play" && onStepEnd()) {
        t = reducedMotion ? 1 : 0;
        onFrame(t);
      } else {
        mode = "idle";
      }
    }
    if (mode === "idle") last = null;
    else handle = schedule(tick);
  }

  function start() {
    if (handle === null) {
      last = null;
      handle = schedule(tick);
    }
  }

  function stop() {
    if (handle !== null) cancel(handle);
    handle = null;
    last = null;
  }

  return {
    /** Advance step after step until onStepEnd says there are no more. */
    play() {
      mode = "play";
      start();
    },
    /** Stop where it is (mid-step too). */
    pause() {
      mode = "idle";
      stop();
    },
    /** The position just changed by hand: play its motion once from the start. */
    animateStep() {
      mode = "once";
      t = reducedMotion ? 1 : 0;
      onFrame(t);
      if (reducedMotion) {
        mode = "idle";
        return;
      }
      start();
    },
    /** Show the current position at rest (t = 1), no motion. */
    settle() {
      mode = "idle";
      stop();
      t = 1;
      onFrame(t);
    },
    setSpeed(next) {
      speed = next;
    },
    get t() {
      return t;
    },
    get playing() {
      return mode === "play";
    },
  };
}
