import assert from "node:assert/strict";
import { test } from "node:test";
import { fitTransform, initialTransform, midpoint, roundedPath } from "../js/core/geometry.js";

test("roundedPath draws straight lines as they are", () => {
  assert.equal(
    roundedPath([
      { x: 0, y: 0 },
      { x: 10, y: 0 },
    ]),
    "M0,0L10,0",
  );
  assert.equal(roundedPath([]), "");
});

test("roundedPath rounds each bend with a quadratic curve", () => {
  const path = roundedPath(
    [
      { x: 0, y: 0 },
      { x: 20, y: 0 },
      { x: 20, y: 30 },
    ],
    8,
  );
  assert.equal(path, "M0,0L12,0Q20,0 20,8L20,30");
});

test("roundedPath shrinks the radius on short segments", () => {
  const path = roundedPath(
    [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 4, y: 30 },
    ],
    8,
  );
  assert.equal(path, "M0,0L2,0Q4,0 4,2L4,30");
});

test("midpoint lies halfway along the polyline's length", () => {
  assert.deepEqual(
    midpoint([
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
    ]),
    { x: 10, y: 0 },
  );
  assert.deepEqual(
    midpoint([
      { x: 0, y: 0 },
      { x: 30, y: 0 },
      { x: 30, y: 10 },
    ]),
    { x: 20, y: 0 },
  );
});

test("fitTransform centres the drawing and scales it to fit", () => {
  assert.deepEqual(
    fitTransform(
      { width: 200, height: 100 },
      { width: 432, height: 432 },
      { margin: 16, maxScale: 5 },
    ),
    {
      k: 2,
      x: 16,
      y: 116,
    },
  );
});

test("fitTransform never magnifies past maxScale", () => {
  assert.deepEqual(
    fitTransform({ width: 100, height: 100 }, { width: 1000, height: 500 }, { maxScale: 1.25 }),
    {
      k: 1.25,
      x: 437.5,
      y: 187.5,
    },
  );
});

test("initialTransform shows a graph whole when that keeps it readable", () => {
  const drawing = { width: 200, height: 100 };
  const viewport = { width: 432, height: 432 };
  assert.deepEqual(
    initialTransform(drawing, viewport, { maxScale: 5, minScale: 0.75 }),
    fitTransform(drawing, viewport, { maxScale: 5 }),
  );
});

test("initialTransform keeps a long graph readable with its inputs in view", () => {
  assert.deepEqual(
    initialTransform({ width: 2000, height: 200 }, { width: 800, height: 600 }, { minScale: 0.75 }),
    {
      k: 0.75,
      x: 16,
      y: 225,
    },
  );
  assert.deepEqual(
    initialTransform(
      { width: 2000, height: 2000 },
      { width: 800, height: 600 },
      { minScale: 0.75 },
    ),
    {
      k: 0.75,
      x: 16,
      y: 16,
    },
  );
});
