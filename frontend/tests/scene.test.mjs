import assert from "node:assert/strict";
import { test } from "node:test";
import { createScene } from "../js/draw/scene.js";

const node = (id, x) => ({ id, kind: "node", bounds: { x0: x, y0: 0, x1: x + 10, y1: 10 } });
const RECTS = {
  view: { x0: 0, y0: 0, x1: 100, y1: 100 },
  near: { x0: -100, y0: -100, x1: 200, y1: 200 },
  keep: { x0: -300, y0: -300, x1: 300, y1: 300 },
};

/**
 * A scene with a fake clock (each build takes 5 ms) and hand-run schedulers: `tasks` and
 * `paints` hold what later and afterPaint were asked to run; `log` what happened.
 */
function fixture() {
  let clock = 0;
  const log = [];
  const tasks = [];
  const paints = [];
  const queue = (list) => (fn) => {
    list.push(fn);
    return () => list.splice(list.indexOf(fn), 1);
  };
  const scene = createScene({
    build: (item) => {
      clock += 5;
      log.push(`build ${item.id}`);
    },
    attach: (items) => log.push(`attach ${items.map((i) => i.id).join(",")}`),
    erase: (item) => log.push(`erase ${item.id}`),
    now: () => clock,
    later: queue(tasks),
    afterPaint: queue(paints),
  });
  const run = (list) => list.shift()();
  return { scene, log, tasks, paints, run };
}

test("the window is built and attached first; its margin once the window is painted", async () => {
  const { scene, log, tasks, paints, run } = fixture();
  scene.reset([node("a", 0), node("b", 50), node("c", 150), node("far", 250), node("out", 900)]);
  scene.show(RECTS, 100);
  assert.deepEqual(log, ["build a", "build b", "attach a,b"]);
  await scene.shown(); // resolved: the window is in
  assert.equal(tasks.length, 0);
  assert.equal(paints.length, 1);
  run(paints);
  assert.deepEqual(log.slice(3), ["build c", "attach c"]);
  assert.deepEqual(scene.counts(), { drawn: 3, total: 5 });
});

test("a window too large for one task is built over several, then attached at once", async () => {
  const { scene, log, tasks, paints, run } = fixture();
  scene.reset(["a", "b", "c", "d", "e"].map((id, i) => node(id, i * 10)));
  let shown = false;
  scene.show(RECTS, 12); // 5 ms a build: three builds fit in 12 ms
  scene.shown().then(() => (shown = true));
  assert.deepEqual(log, ["build a", "build b", "build c"]);
  await Promise.resolve();
  assert.equal(shown, false);
  run(tasks);
  assert.deepEqual(log.slice(3), ["build d", "build e", "attach a,b,c,d,e"]);
  await Promise.resolve();
  assert.equal(shown, true);
  assert.equal(tasks.length + paints.length, 0);
});

test("moving the window erases what left the kept area and builds only what is new", () => {
  const { scene, log, paints, run } = fixture();
  const items = [node("a", 0), node("b", 90), node("c", 290), node("d", 390)];
  scene.reset(items);
  scene.show(RECTS, 100);
  assert.deepEqual(log, ["build a", "build b", "attach a,b"]);
  const shift = (r) => ({ x0: r.x0 + 320, y0: r.y0, x1: r.x1 + 320, y1: r.y1 });
  scene.show({ view: shift(RECTS.view), near: shift(RECTS.near), keep: shift(RECTS.keep) }, 100);
  // Now view 320..420, near 220..520, keep 20..620: a (0..10) is gone, b stays drawn,
  // d is in view, c in the margin.
  assert.deepEqual(log.slice(3), ["erase a", "build d", "attach d"]);
  run(paints);
  assert.deepEqual(log.slice(6), ["build c", "attach c"]);
  assert.deepEqual(scene.counts(), { drawn: 3, total: 4 });
});

test("reset drops the work pending for the last graph", () => {
  const { scene, log, tasks } = fixture();
  scene.reset(["a", "b", "c", "d"].map((id, i) => node(id, i * 10)));
  scene.show(RECTS, 5); // one build, the rest pending
  assert.equal(tasks.length, 1);
  scene.reset([]);
  assert.equal(tasks.length, 0);
  assert.deepEqual(log, ["build a"]);
  assert.deepEqual(scene.counts(), { drawn: 0, total: 0 });
});

test("a new layout of the same items keeps what is drawn and culls by the new places", () => {
  const { scene, log, paints, tasks, run } = fixture();
  scene.reset([node("a", 0), node("b", 50), node("c", 150), node("far", 900)]);
  scene.show(RECTS, 100);
  run(paints);
  assert.deepEqual(log, ["build a", "build b", "attach a,b", "build c", "attach c"]);
  // The same ids at new places: b moves far away, far moves into the window; the old
  // edge-free item "c" is gone from the new layout.
  scene.move([node("a", 10), node("b", 700), node("far", 60)]);
  assert.deepEqual(log.slice(5), ["erase c"]);
  assert.deepEqual(scene.counts(), { drawn: 2, total: 3 });
  scene.show(RECTS, 100);
  // Nothing drawn is built again: a stays, b leaves the kept area, far comes in.
  assert.deepEqual(log.slice(6), ["erase b", "build far", "attach far"]);
  assert.equal(tasks.length + paints.length, 0);
});

test("moving drops the work pending for the old places; the next show plans it anew", async () => {
  const { scene, log, tasks } = fixture();
  scene.reset(["a", "b", "c", "d"].map((id, i) => node(id, i * 10)));
  scene.show(RECTS, 5); // a built, the rest pending
  assert.equal(tasks.length, 1);
  scene.move(["a", "b", "c", "d"].map((id, i) => node(id, 40 - i * 10)));
  assert.equal(tasks.length, 0);
  scene.show(RECTS, 100);
  // a (built, not yet attached) goes in first; it is not built twice.
  assert.deepEqual(log, ["build a", "attach a", "build b", "build c", "build d", "attach b,c,d"]);
  assert.deepEqual(scene.counts(), { drawn: 4, total: 4 });
});
