import assert from "node:assert/strict";
import { test } from "node:test";
import {
  errorMessage,
  graphMessage,
  predictLabel,
  statusText,
  stepLabel,
} from "../js/core/captions.js";
import { buildModel } from "../js/core/model.js";
import { seedUnavailable } from "../js/core/seed.js";
import { initialState } from "../js/core/state.js";
import { buildTimeline } from "../js/core/timeline.js";
import { seedTrace } from "./helpers.mjs";

const seed = () => buildModel(seedTrace());

test("the step label counts forward and backward steps apart, then says the end", () => {
  const timeline = buildTimeline(seed());
  assert.deepEqual(
    [0, 8, 9, 15, 16].map((p) => stepLabel(timeline, p)),
    ["Forward 1 / 9", "Forward 9 / 9", "Backward 1 / 7", "Backward 7 / 7", "End: everything shown"],
  );
  assert.equal(stepLabel(null, 0), "");
});

test("the status line says what is running, the error, or the graph's size and time", () => {
  const state = { ...initialState(), model: seed(), elapsedMs: 42 };
  assert.equal(statusText({ ...state, status: "idle", model: null }), "");
  assert.equal(statusText({ ...state, status: "running" }), "Running…");
  assert.equal(
    statusText({ ...state, status: "running", progress: "Laying out 5,000 nodes…" }),
    "Laying out 5,000 nodes…",
  );
  assert.equal(statusText({ ...state, status: "error" }), "Error");
  assert.equal(statusText({ ...state, status: "done" }), "9 nodes · 8 edges · 42 ms");
  assert.equal(
    statusText({ ...state, status: "done", layoutKind: "quick" }),
    "9 nodes · 8 edges · quick layout · 42 ms",
  );
});

test("the graph area's message speaks only while there is no graph to show", () => {
  const state = initialState();
  assert.equal(graphMessage(state), "Press <strong>Run</strong> to trace the program.");
  assert.equal(graphMessage({ ...state, status: "running" }), "Tracing…");
  assert.equal(graphMessage({ ...state, status: "running", progress: "Reading…" }), "Reading…");
  assert.equal(
    graphMessage({ ...state, status: "error" }),
    "No graph: the program stopped with an error.",
  );
  // A fresh page whose examples did not bring the seed program: the error panel says why.
  assert.equal(
    graphMessage({ ...state, status: "error", error: seedUnavailable(null) }),
    "No program to trace: write one and press <strong>Run</strong>.",
  );
  const empty = { nodes: [] }; // a model of a program that made no tensor autograd tracks
  assert.equal(
    graphMessage({ ...state, status: "done", model: empty }),
    "Nothing to draw: the program made no tensor for autograd to track.",
  );
  assert.equal(graphMessage({ ...state, status: "done", model: seed() }), null);
  assert.equal(graphMessage({ ...state, status: "running", model: seed() }), null);
});

test("a prediction asks for ∂loss/∂ the node, as the cards name it", () => {
  const model = seed();
  assert.equal(predictLabel(model, "n6"), "∂loss/∂w");
  assert.equal(predictLabel(model, "n4"), "∂loss/∂(w*x)");
  assert.equal(predictLabel(model, "gone"), "∂loss/∂(gone)");
});

test("an error is said over the graph with its line, escaped, and the partial graph named", () => {
  const error = { code: "torch_error", message: "a < b: 2×3 and 4 differ", line: 6, col: 4 };
  assert.equal(
    graphMessage({ ...initialState(), status: "error", error }),
    "<strong>Error on line 6:</strong> a &lt; b: 2×3 and 4 differ",
  );
  assert.equal(
    errorMessage({ ...error, line: null, partial: true }),
    "<strong>Error:</strong> a &lt; b: 2×3 and 4 differ<br>" +
      '<span class="graph-message-note">The graph shows what ran before it.</span>',
  );
});

test("unknown names given variable rows ask for their values", () => {
  const error = { code: "unknown_name", message: "unknown name 'w'", line: 1, col: 1 };
  assert.equal(
    errorMessage({ ...error, offered: ["w", "x", "b"] }),
    "<code>w</code>, <code>x</code> and <code>b</code> have no value yet: type them under " +
      "<strong>Variables</strong>, then press <strong>Run</strong>.",
  );
  assert.equal(
    errorMessage({ ...error, offered: ["w"] }),
    "<code>w</code> has no value yet: type it under <strong>Variables</strong>, then press " +
      "<strong>Run</strong>.",
  );
});
