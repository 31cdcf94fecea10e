import assert from "node:assert/strict";
import { test } from "node:test";
import { pointsAt, polylineTween, vertexFractions } from "../js/core/morph.js";

const P = (x, y) => ({ x, y });
/** The polyline without points in the middle of straight runs (or repeated). */
function corners(points) {
  return points.filter((p, i) => {
    if (i === 0 || i === points.length - 1) return true;
    const [a, b] = [points[i - 1], points[i + 1]];
    const cross = (p.x - a.x) * (b.y - p.y) - (p.y - a.y) * (b.x - p.x);
    return Math.abs(cross) > 1e-9;
  });
}

test("vertices sit at fractions of the polyline's length", () => {
  assert.deepEqual(vertexFractions([P(0, 0), P(10, 0), P(10, 30)]), [0, 0.25, 1]);
  assert.deepEqual(vertexFractions([P(5, 5)]), [0]);
  assert.deepEqual(vertexFractions([P(5, 5), P(5, 5)]), [0, 0]);
});

test("points at fractions of the length, vertices exactly", () => {
  const line = [P(0, 0), P(10, 0), P(10, 30)];
  assert.deepEqual(pointsAt(line, [0, 0.125, 0.25, 0.5, 1]), [
    P(0, 0),
    P(5, 0),
    P(10, 0),
    P(10, 10),
    P(10, 30),
  ]);
  assert.deepEqual(pointsAt([P(3, 4)], [0, 0.5, 1]), [P(3, 4), P(3, 4), P(3, 4)]);
});

test("the tween starts on one polyline and ends on the other, corners included", () => {
  const from = [P(0, 0), P(100, 0)];
  const to = [P(0, 50), P(40, 50), P(40, 90), P(120, 90)];
  const tween = polylineTween(from, to);
  assert.deepEqual(corners(tween(0)), from);
  assert.deepEqual(corners(tween(1)), to);
  const half = tween(0.5);
  assert.deepEqual(half[0], P(0, 25));
  assert.deepEqual(half.at(-1), P(110, 45));
  assert.equal(tween(0).length, tween(1).length);
});
