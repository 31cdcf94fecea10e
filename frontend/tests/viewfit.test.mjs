import assert from "node:assert/strict";
import { test } from "node:test";
import {
  READABLE_MIN_SCALE,
  clearArea,
  clearRects,
  contains,
  fitView,
  followTransform,
  minimapFrame,
  minimapPoint,
  onScreen,
} from "../js/core/viewfit.js";

const VIEW = { width: 1000, height: 600 };
/** The caption bar across the top, the step card at the bottom right. */
const CAPTION = { x: 10, y: 10, width: 980, height: 50 };
const CARD = { x: 600, y: 400, width: 390, height: 190 };

test("the readable minimum scale is 0.6", () => {
  assert.equal(READABLE_MIN_SCALE, 0.6);
});

test("clearRects with no obstacles is the whole view", () => {
  assert.deepEqual(clearRects(VIEW, []), [{ x: 0, y: 0, width: 1000, height: 600 }]);
});

test("clearRects keeps each side of an obstacle in the corner", () => {
  assert.deepEqual(clearRects(VIEW, [CARD]), [
    { x: 0, y: 0, width: 1000, height: 400 },
    { x: 0, y: 590, width: 1000, height: 10 },
    { x: 0, y: 0, width: 600, height: 600 },
    { x: 990, y: 0, width: 10, height: 600 },
  ]);
});

test("clearRects ignores an obstacle outside the view", () => {
  assert.deepEqual(clearRects(VIEW, [{ x: 1200, y: 0, width: 50, height: 50 }]), [
    { x: 0, y: 0, width: 1000, height: 600 },
  ]);
});

test("clearArea picks the clear rectangle where a wide graph is largest: above the card", () => {
  const wide = { width: 900, height: 200 };
  assert.deepEqual(clearArea(wide, VIEW, [CAPTION, CARD]), {
    x: 0,
    y: 60,
    width: 1000,
    height: 340,
  });
});

test("clearArea picks the clear rectangle where a tall graph is largest: left of the card", () => {
  const tall = { width: 200, height: 900 };
  assert.deepEqual(clearArea(tall, VIEW, [CAPTION, CARD]), {
    x: 0,
    y: 60,
    width: 600,
    height: 540,
  });
});

test("clearArea gives the whole view when the overlays leave no useful rectangle", () => {
  const cover = { x: 0, y: 100, width: 1000, height: 450 };
  assert.deepEqual(clearArea({ width: 100, height: 100 }, VIEW, [cover]), {
    x: 0,
    y: 0,
    width: 1000,
    height: 600,
  });
});

test("fitView centres a graph readable in the area, whole", () => {
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  assert.deepEqual(fitView({ width: 400, height: 100 }, area), {
    k: 1.35,
    x: 230,
    y: 162.5,
    whole: true,
  });
});

test("fitView shrinks a graph down to the readable scale and no further", () => {
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  const at = fitView({ width: 1000, height: 200 }, area);
  assert.equal(at.k, 0.968);
  assert.equal(at.whole, true);
  const long = fitView({ width: 4000, height: 200 }, area);
  assert.deepEqual(long, { k: 0.6, x: 16, y: 60 + (340 - 120) / 2, whole: false });
});

test("onScreen maps a layout box through a transform", () => {
  assert.deepEqual(onScreen({ k: 2, x: 10, y: 20 }, { x: 5, y: 5, w: 10, h: 4 }), {
    x: 20,
    y: 30,
    width: 20,
    height: 8,
  });
});

test("followTransform keeps a view that already shows the node", () => {
  const t = { k: 0.6, x: 16, y: 100 };
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  assert.equal(followTransform(t, { x: 100, y: 50, w: 100, h: 60 }, area), t);
});

test("followTransform centres a node that is out of view, at the same zoom", () => {
  const t = { k: 0.5, x: 0, y: 0 };
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  const moved = followTransform(t, { x: 3000, y: 100, w: 100, h: 60 }, area);
  assert.deepEqual(moved, { k: 0.5, x: 500 - 3050 * 0.5, y: 230 - 130 * 0.5 });
  assert.equal(contains(area, onScreen(moved, { x: 3000, y: 100, w: 100, h: 60 })), true);
});

test("minimapFrame scales the drawing into the box and frames the visible window", () => {
  const frame = minimapFrame(
    { width: 4000, height: 400 },
    { k: 0.5, x: -500, y: 0 },
    { width: 1000, height: 600 },
    { width: 200, height: 120 },
  );
  assert.deepEqual(frame, {
    scale: 0.05,
    width: 200,
    height: 20,
    frame: { x: 50, y: 0, width: 100, height: 20 },
  });
  assert.deepEqual(minimapPoint(frame, 100, 10), { x: 2000, y: 200 });
});

test("followTransform keeps a graph that fits one way centred that way", () => {
  const t = { k: 0.5, x: 0, y: 0 };
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  const drawing = { width: 4000, height: 400 };
  const moved = followTransform(t, { x: 2000, y: 100, w: 100, h: 60 }, area, 24, drawing);
  assert.deepEqual(moved, { k: 0.5, x: 500 - 2050 * 0.5, y: 60 + (340 - 200) / 2 });
});

test("followTransform leaves no empty band past the end of a long graph", () => {
  const t = { k: 0.5, x: 500, y: 0 };
  const area = { x: 0, y: 60, width: 1000, height: 340 };
  const drawing = { width: 4000, height: 400 };
  // The first node, off the left edge: the graph's left end comes to the margin, not the middle.
  const moved = followTransform(t, { x: 0, y: 100, w: 100, h: 60 }, area, 24, drawing);
  assert.deepEqual(moved, { k: 0.5, x: 24, y: 130 });
  // The last node: the right end stops at the margin.
  const last = followTransform(t, { x: 3900, y: 100, w: 100, h: 60 }, area, 24, drawing);
  assert.deepEqual(last, { k: 0.5, x: 1000 - 24 - 2000, y: 130 });
});
