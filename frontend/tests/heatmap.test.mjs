import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DIVERGING_STOPS,
  NAN_COLOUR,
  divergingColour,
  flatten,
  heatmapGrid,
  heatmapOf,
  maxAbs,
} from "../js/core/heatmap.js";

test("one-element tensors are numbers, not heatmaps", () => {
  assert.equal(heatmapGrid([]), null);
  assert.equal(heatmapGrid([1]), null);
  assert.equal(heatmapGrid([1, 1]), null);
});

test("the last dimension runs across, leading ones stack down, cells sized to fit", () => {
  assert.deepEqual(heatmapGrid([3, 2]), {
    rows: 3,
    cols: 2,
    cell: 12,
    width: 24,
    height: 36,
    folded: false,
  });
  // 8 rows of 32: 160/32 = 5 px wide, 64/8 = 8 px tall allowed -> 5.
  assert.deepEqual(heatmapGrid([8, 32]), {
    rows: 8,
    cols: 32,
    cell: 5,
    width: 160,
    height: 40,
    folded: false,
  });
  assert.deepEqual(heatmapGrid([2, 2, 3]), {
    rows: 4,
    cols: 3,
    cell: 12,
    width: 36,
    height: 48,
    folded: false,
  });
  assert.deepEqual(heatmapGrid([5]).rows, 1);
});

test("views too wide or too tall are folded into rows of 32, cells never under 2 px", () => {
  assert.deepEqual(heatmapGrid([1024]), {
    rows: 32,
    cols: 32,
    cell: 2,
    width: 64,
    height: 64,
    folded: true,
  });
  assert.deepEqual(heatmapGrid([4, 256]), {
    rows: 32,
    cols: 32,
    cell: 2,
    width: 64,
    height: 64,
    folded: true,
  });
  assert.equal(heatmapGrid([64, 2]).folded, true);
});

test("the diverging scale runs blue, white, orange and clamps beyond its limit", () => {
  const [neg, , zero, , pos] = DIVERGING_STOPS.map(([, c]) => c);
  assert.equal(divergingColour(-2, 2), neg);
  assert.equal(divergingColour(0, 2), zero);
  assert.equal(divergingColour(2, 2), pos);
  assert.equal(divergingColour(9, 2), pos);
  assert.equal(divergingColour(-9, 2), neg);
  assert.equal(divergingColour(5, 0), zero); // an all-zero tensor is all white
  assert.equal(divergingColour("nan", 1), NAN_COLOUR);
  assert.equal(divergingColour("inf", 1), pos);
  assert.equal(divergingColour(true, 1), pos);
  // Halfway to the first stop mixes the two stops' channels evenly.
  assert.equal(divergingColour(-0.25, 1), "#c3dbea");
});

test("flatten keeps row-major order; maxAbs skips non-finite values", () => {
  assert.deepEqual(
    flatten([
      [1, 2],
      [3, [4, 5]],
    ]),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(flatten(7), [7]);
  assert.equal(maxAbs([1, -3, "inf", "nan", 2]), 3);
  assert.equal(maxAbs([]), 0);
});

test("heatmapOf colours each element on the tensor's own symmetric scale", () => {
  const heat = heatmapOf({ shape: [2], dtype: "float32", data: [-0.5, 0.25], summary: {} });
  assert.equal(heat.limit, 0.5);
  assert.deepEqual(heat.colours, [DIVERGING_STOPS[0][1], divergingColour(0.25, 0.5)]);
  assert.equal(heatmapOf({ shape: [2000], dtype: "float32", data: null, summary: {} }), null);
  assert.equal(heatmapOf(null), null);
});
