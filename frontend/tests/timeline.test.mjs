import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import {
  arrivalParts,
  buildTimeline,
  clampPosition,
  frameAt,
  runningSum,
  stageAt,
} from "../js/core/timeline.js";
import { fixture, seedTrace } from "./helpers.mjs";

// Seed graph ids: n0 loss Σ, n1 ^, n2 −, n3 z +, n4 ×, n5 b, n6 w, n7 y, n8 x.
// Edges: e0 n1→n0, e1 n2→n1, e2 n7→n2, e3 n3→n2, e4 n4→n3, e5 n5→n3, e6 n6→n4, e7 n8→n4.
const seed = () => buildTimeline(buildModel(seedTrace()));

/** node id -> state, for the nodes of a frame */
function states(timeline, frame) {
  return Object.fromEntries(timeline.model.nodes.map((n, i) => [n.id, frame.base.nodeState[i]]));
}

test("positions run through the forward steps, then the backward steps, then the end", () => {
  const tl = seed();
  assert.equal(tl.F, 9);
  assert.equal(tl.B, 7);
  assert.equal(tl.end, 16);
  assert.deepEqual(
    [0, 8, 9, 15, 16].map((p) => stageAt(tl, p)),
    ["forward", "forward", "backward", "backward", "done"],
  );
  assert.equal(clampPosition(tl, -3), 0);
  assert.equal(clampPosition(tl, 99), 16);
  assert.equal(clampPosition(tl, Infinity), 16);
  assert.equal(clampPosition(tl, 4.4), 4);
});

test("forward step 4 computes × from w and x: inputs done, later nodes pending, its edges pulse", () => {
  const tl = seed();
  const frame = frameAt(tl, 4, 0.25);
  assert.equal(frame.stage, "forward");
  assert.equal(frame.node, "n4");
  assert.equal(frame.index, 4);
  assert.equal(frame.count, 9);
  assert.equal(frame.phase, null);
  assert.deepEqual(states(tl, frame), {
    n0: "pending",
    n1: "pending",
    n2: "pending",
    n3: "pending",
    n4: "current",
    n5: "computed",
    n6: "computed",
    n7: "computed",
    n8: "computed",
  });
  assert.deepEqual(frame.base.edgeState, [
    "unread",
    "unread",
    "unread",
    "unread",
    "unread",
    "unread",
    "reading",
    "reading",
  ]);
  assert.deepEqual(frame.active, [
    { edge: 6, direction: "forward", progress: 0.25 },
    { edge: 7, direction: "forward", progress: 0.25 },
  ]);
});

test("backward step 6 (×) sends -0.56 to w and nothing to the constant x", () => {
  const tl = seed();
  const frame = frameAt(tl, 9 + 5, 0.5);
  assert.equal(frame.stage, "backward");
  assert.equal(frame.node, "n4");
  assert.equal(frame.index, 5);
  assert.equal(frame.count, 7);
  assert.equal(frame.phase, 0);
  assert.deepEqual(states(tl, frame), {
    n0: "received",
    n1: "received",
    n2: "received",
    n3: "received",
    n4: "current",
    n5: "received",
    n6: "arrived",
    n7: "none",
    n8: "none",
  });
  const grad = (id) => frame.base.gradText[tl.nodeIndex.get(id)];
  assert.equal(grad("n4"), "-0.4");
  assert.equal(grad("n6"), "-0.56");
  assert.equal(grad("n8"), null);
  assert.deepEqual(frame.base.edgeState, [
    "carried",
    "carried",
    "nograd",
    "carried",
    "carried",
    "carried",
    "flowing",
    "blocked",
  ]);
  // Only edges something flows along move; x's edge carries nothing.
  assert.deepEqual(frame.active, [{ edge: 6, direction: "backward", progress: 0.5 }]);
});

test("the highlighted node of each backward position is the node of that backward step", () => {
  const tl = seed();
  const order = tl.backward.map((_, j) => frameAt(tl, tl.F + j).node);
  assert.deepEqual(order, ["n0", "n1", "n2", "n3", "n5", "n4", "n6"]);
});

test("the end shows everything and moves nothing", () => {
  const tl = seed();
  const frame = frameAt(tl, tl.end, 0.3);
  assert.equal(frame.stage, "done");
  assert.equal(frame.node, null);
  assert.deepEqual(frame.active, []);
  assert.ok(frame.base.nodeState.every((s) => s === "done"));
  assert.ok(frame.base.gradText.every((g) => g === null));
});

test("t only moves the travelling edges: frames of one position share their base", () => {
  const tl = seed();
  const a = frameAt(tl, 12, 0);
  const b = frameAt(tl, 12, 0.9);
  assert.equal(a.base, b.base);
  assert.deepEqual(
    b.active.map((x) => x.progress),
    [0.9, 0.9],
  );
  assert.equal(frameAt(tl, 12, 7).t, 1);
  assert.equal(frameAt(tl, 12, -1).t, 0);
});

test("a node fed by three paths collects a running sum until its own step", () => {
  // y = x*x + 2*x: e2, e3 from x into the first ×, e4 into the second; x is n3.
  const tl = buildTimeline(buildModel(fixture("used_twice_trace.json")));
  const x = tl.nodeIndex.get("n3");
  assert.equal(tl.F, 4);
  const after1 = frameAt(tl, 5);
  assert.equal(after1.base.nodeState[x], "partial");
  assert.equal(after1.base.gradText[x], "2.0");
  assert.deepEqual(after1.base.partial.get("n3"), { delivered: 1, expected: 3, sum: "2.0" });
  const after3 = frameAt(tl, 6);
  assert.equal(after3.base.nodeState[x], "arrived");
  assert.equal(after3.base.gradText[x], "8.0"); // torch's own sum, from the next step
  const own = frameAt(tl, 7);
  assert.equal(own.base.nodeState[x], "current");
  assert.deepEqual(
    arrivalParts(tl, 7).map((p) => [p.edge, p.at]),
    [
      [4, 5],
      [2, 6],
      [3, 6],
    ],
  );
});

test("a second backward() call accumulates into the leaf's .grad", () => {
  const tl = buildTimeline(buildModel(fixture("accumulate_trace.json")));
  const w = tl.nodeIndex.get("n1");
  assert.equal(tl.B, 4);
  assert.deepEqual(
    tl.backward.map((s) => s.phase),
    [0, 0, 1, 1],
  );
  assert.equal(frameAt(tl, tl.F + 1).base.accText[w], "4.0");
  assert.equal(frameAt(tl, tl.F + 2).base.accText[w], "4.0");
  assert.equal(frameAt(tl, tl.F + 2).phase, 1);
  assert.equal(frameAt(tl, tl.F + 3).base.accText[w], "8.0");
});

test("runningSum adds one-number parts and gives up on larger tensors", () => {
  const t = (data, shape) => ({ shape, dtype: "float32", data, summary: {} });
  assert.equal(runningSum([t(2, []), t([3], [1]), t([[3]], [1, 1])]), "8.0");
  assert.equal(runningSum([t([1, 2], [2])]), null);
  assert.equal(runningSum([t(null, [])]), null);
});
