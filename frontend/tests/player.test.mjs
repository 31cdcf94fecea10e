import assert from "node:assert/strict";
import { test } from "node:test";
import { STEP_MS, createPlayer } from "../js/core/player.js";

/** A player on a fake animation-frame clock: `frame(ms)` runs the scheduled callback. */
function rig({ steps = 3, reducedMotion = false } = {}) {
  let position = 0;
  let pending = null;
  const frames = [];
  const player = createPlayer({
    onFrame: (t) => frames.push([position, Math.round(t * 100) / 100]),
    onStepEnd: () => {
      if (position >= steps) return false;
      position += 1;
      return true;
    },
    schedule: (fn) => {
      pending = fn;
      return 1;
    },
    cancel: () => {
      pending = null;
    },
    reducedMotion,
  });
  let now = 0;
  const frame = (ms) => {
    now += ms;
    const fn = pending;
    pending = null;
    fn?.(now);
  };
  return {
    player,
    frames,
    frame,
    get position() {
      return position;
    },
    get scheduled() {
      return pending !== null;
    },
  };
}

test("playing runs t from 0 to 1 over one step, then moves to the next position", () => {
  const r = rig();
  r.player.play();
  r.frame(0); // the first tick finds t = 1 (at rest) and asks for the next step
  assert.equal(r.position, 1);
  r.frame(STEP_MS / 2);
  r.frame(STEP_MS / 2);
  assert.deepEqual(r.frames, [
    [0, 1],
    [1, 0],
    [1, 0.5],
    [1, 1],
    [2, 0],
  ]);
  assert.ok(r.player.playing);
});

test("playing stops by itself at the last position", () => {
  const r = rig({ steps: 1 });
  r.player.play();
  r.frame(0);
  r.frame(STEP_MS);
  assert.equal(r.position, 1);
  assert.equal(r.player.playing, false);
  assert.equal(r.scheduled, false);
});

test("pause holds t where it is; speed scales the clock", () => {
  const r = rig();
  r.player.setSpeed(2);
  r.player.animateStep();
  r.frame(0);
  r.frame(STEP_MS / 4);
  assert.equal(r.player.t, 0.5);
  r.player.pause();
  assert.equal(r.scheduled, false);
  assert.equal(r.player.t, 0.5);
});

test("a step taken by hand plays its motion once and stops at t = 1", () => {
  const r = rig();
  r.player.animateStep();
  r.frame(0);
  r.frame(STEP_MS);
  assert.equal(r.player.t, 1);
  assert.equal(r.position, 0);
  assert.equal(r.scheduled, false);
});

test("with reduced motion a step jumps straight to rest", () => {
  const r = rig({ reducedMotion: true });
  r.player.animateStep();
  assert.equal(r.player.t, 1);
  assert.equal(r.scheduled, false);
  r.player.settle();
  assert.deepEqual(r.frames.at(-1), [0, 1]);
});
