import assert from "node:assert/strict";
import { test } from "node:test";
import {
  boxBounds,
  intersects,
  layoutItems,
  plan,
  polylineBounds,
  visibleRect,
} from "../js/core/culling.js";

test("visibleRect turns the view into layout coordinates, grown by a margin in px", () => {
  const t = { k: 0.5, x: 100, y: -50 };
  assert.deepEqual(visibleRect(t, { width: 800, height: 600 }), {
    x0: -200,
    y0: 100,
    x1: 1400,
    y1: 1300,
  });
  assert.deepEqual(visibleRect(t, { width: 800, height: 600 }, 40), {
    x0: -280,
    y0: 20,
    x1: 1480,
    y1: 1380,
  });
});

test("boxBounds and polylineBounds are the rectangles around a box and a polyline", () => {
  assert.deepEqual(boxBounds({ x: 10, y: 20, w: 30, h: 40 }), { x0: 10, y0: 20, x1: 40, y1: 60 });
  const points = [
    { x: 5, y: 9 },
    { x: -3, y: 2 },
    { x: 7, y: 4 },
  ];
  assert.deepEqual(polylineBounds(points), { x0: -3, y0: 2, x1: 7, y1: 9 });
  assert.deepEqual(polylineBounds(points, 1), { x0: -4, y0: 1, x1: 8, y1: 10 });
});

test("intersects counts touching rectangles as overlapping", () => {
  const a = { x0: 0, y0: 0, x1: 10, y1: 10 };
  assert.equal(intersects(a, { x0: 10, y0: 10, x1: 20, y1: 20 }), true);
  assert.equal(intersects(a, { x0: 2, y0: 2, x1: 3, y1: 3 }), true);
  assert.equal(intersects(a, { x0: 10.5, y0: 0, x1: 20, y1: 10 }), false);
  assert.equal(intersects(a, { x0: 0, y0: -5, x1: 10, y1: -0.1 }), false);
});

test("layoutItems lists the nodes, then the edges with their padded bounds", () => {
  const layout = {
    width: 200,
    height: 100,
    nodes: { a: { x: 0, y: 0, w: 50, h: 40 }, b: { x: 100, y: 10, w: 50, h: 40 } },
    edges: [
      { id: "e0", source: "a", target: "b", points: [{ x: 50, y: 20 }, { x: 100, y: 30 }] },
      { id: "e1", source: "a", target: "b", points: [] },
    ],
  };
  assert.deepEqual(layoutItems(layout, 10), [
    { id: "a", kind: "node", bounds: { x0: 0, y0: 0, x1: 50, y1: 40 } },
    { id: "b", kind: "node", bounds: { x0: 100, y0: 10, x1: 150, y1: 50 } },
    { id: "e0", kind: "edge", bounds: { x0: 40, y0: 10, x1: 110, y1: 40 } },
  ]);
});

test("plan draws the window first, then its margin, and removes what left the kept area", () => {
  const at = (id, x) => ({ id, kind: "node", bounds: { x0: x, y0: 0, x1: x + 10, y1: 10 } });
  const [a, b, c, d, e] = [at("a", 0), at("b", 50), at("c", 150), at("d", 400), at("e", 900)];
  const rects = {
    view: { x0: 0, y0: 0, x1: 100, y1: 100 },
    near: { x0: -100, y0: -100, x1: 200, y1: 200 },
    keep: { x0: -500, y0: -500, x1: 500, y1: 500 },
  };
  // a is drawn already; d is drawn and still within keep; e is drawn and far away.
  const result = plan([a, b, c, d, e], new Set([a, d, e]), rects);
  assert.deepEqual(result.now.map((i) => i.id), ["b"]);
  assert.deepEqual(result.later.map((i) => i.id), ["c"]);
  assert.deepEqual(result.remove.map((i) => i.id), ["e"]);
});
