/**
 * The drawn part of a large drawing. Of all the items of a layout (nodes, edges), only
 * those in or near the visible window are in the DOM: as the view pans and zooms, what
 * enters the window is drawn and what leaves it is removed (culling.plan).
 *
 * Elements are built outside the document, a few milliseconds a task, so the page never
 * freezes however much there is to build, and put into it all at once when a batch is
 * complete (first the window itself, then, once that has been painted, its margin): the
 * browser then styles, lays out and rasterises each batch once, instead of again after
 * every few milliseconds of work.
 */

import { plan } from "../core/culling.js";

/** Time for building elements in one task, in ms. */
export const TASK_BUDGET_MS = 12;

/** Run `fn` in a new task soon, without setTimeout's clamping to 4 ms. */
function nextTask(fn) {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    fn();
  };
  channel.port2.postMessage(null);
  return () => channel.port1.close();
}

/** Run `fn` in a task after the next frame has been painted. */
function afterPaint(fn) {
  let cancelTask = null;
  const frame = requestAnimationFrame(() => {
    cancelTask = nextTask(fn);
  });
  return () => {
    cancelAnimationFrame(frame);
    cancelTask?.();
  };
}

/**
 * @param {{build: (item: import("../core/culling.js").Item) => void,
 *   attach: (items: import("../core/culling.js").Item[]) => void,
 *   erase: (item: import("../core/culling.js").Item) => void,
 *   now?: () => number, later?: (fn: () => void) => (() => void),
 *   afterPaint?: (fn: () => void) => (() => void)}} parts  build makes one item's elements
 *   (not in the document yet), attach puts built items into it, erase takes an attached
 *   item out; now, later (a new task) and afterPaint (a task after the next paint) are
 *   replaceable in tests, and the last two return a function that cancels
 */
export function createScene({
  build,
  attach,
  erase,
  now = () => performance.now(),
  later = nextTask,
  afterPaint: afterNextPaint = afterPaint,
}) {
  /** @type {import("../core/culling.js").Item[]} */
  let items = [];
  /** Items in the document. @type {Set<import("../core/culling.js").Item>} */
  let drawn = new Set();
  /** Batches to build and attach, in order: the window itself, then its margin. */
  let batches = [];
  /** Items of the first batch built so far (not in the document yet). */
  let built = [];
  let next = 0;
  let cancel = null;
  /** Resolvers waiting for the window to be drawn. */
  let waiting = [];

  function stop() {
    cancel?.();
    cancel = null;
  }

  /** Forget everything drawn (the caller emptied the layers) and take new items. */
  function reset(nextItems = []) {
    stop();
    items = nextItems;
    drawn = new Set();
    batches = [];
    built = [];
    next = 0;
    settle();
  }

  /**
   * The same items at new places (a new layout of the same view): what is drawn or built
   * stays (an item no longer there is erased), and what is left to build waits for the
   * next show(), which plans by the new places.
   * @param {import("../core/culling.js").Item[]} nextItems
   */
  function move(nextItems) {
    stop();
    const key = (item) => `${item.kind}:${item.id}`;
    const before = new Map(items.map((item) => [key(item), item]));
    items = nextItems.map((fresh) => {
      const old = before.get(key(fresh));
      if (!old) return fresh;
      before.delete(key(fresh));
      old.bounds = fresh.bounds;
      return old;
    });
    const gone = new Set(before.values());
    for (const item of gone) {
      if (!drawn.has(item)) continue;
      erase(item);
      drawn.delete(item);
    }
    built = built.filter((item) => !gone.has(item));
    batches = [];
    next = 0;
  }

  /**
   * Show a window: remove what is now far away, then build what is in it, for at most
   * `budgetMs` now and the rest in later tasks.
   * @param {{view: import("../core/culling.js").Rect, near: import("../core/culling.js").Rect,
   *   keep: import("../core/culling.js").Rect}} rects  see culling.plan
   */
  function show(rects, budgetMs = TASK_BUDGET_MS) {
    stop();
    // What was built for the last window goes in: the plan below removes it if far.
    if (built.length) {
      attach(built);
      for (const item of built) drawn.add(item);
      built = [];
    }
    const { now: inView, later: inMargin, remove } = plan(items, drawn, rects);
    for (const item of remove) {
      erase(item);
      drawn.delete(item);
    }
    batches = [
      { items: inView, view: true },
      { items: inMargin, view: false },
    ].filter((batch) => batch.items.length);
    built = [];
    next = 0;
    if (isShown()) settle();
    work(budgetMs);
  }

  function work(budgetMs) {
    stop();
    const until = now() + budgetMs;
    while (batches.length) {
      const batch = batches[0].items;
      while (next < batch.length && now() < until) {
        build(batch[next]);
        built.push(batch[next++]);
      }
      if (next < batch.length) break;
      attach(built);
      for (const item of built) drawn.add(item);
      const wasView = batches.shift().view;
      built = [];
      next = 0;
      if (isShown()) settle();
      // The window goes to the screen alone: its margin is built once it has been painted.
      if (wasView && batches.length) {
        cancel = afterNextPaint(() => work(TASK_BUDGET_MS));
        return;
      }
    }
    if (batches.length) cancel = later(() => work(TASK_BUDGET_MS));
  }

  /** Is nothing of the window itself left to build? (Its margin may be.) */
  function isShown() {
    return !batches.some((batch) => batch.view);
  }

  function settle() {
    const done = waiting;
    waiting = [];
    for (const resolve of done) resolve();
  }

  return {
    reset,
    move,
    show,
    /** Resolves once everything in the window last shown is in the document. */
    shown: () => (isShown() ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    /** How many items are in the document, and how many the layout has. */
    counts: () => ({ drawn: drawn.size, total: items.length }),
  };
}
