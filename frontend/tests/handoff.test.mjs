import assert from "node:assert/strict";
import { test } from "node:test";
import { ELK_BUDGET_MS, MOVE_MS, moveDuration, nextStep } from "../js/core/handoff.js";

test("ELK answering within the budget makes the one and only paint", () => {
  assert.deepEqual(nextStep({ elk: "answered", shown: "none", elapsedMs: 5 }), {
    action: "paint-elk",
  });
  // Answered by the time it is asked, even at the budget's end: ELK's still comes first.
  assert.deepEqual(nextStep({ elk: "answered", shown: "none", elapsedMs: ELK_BUDGET_MS + 1 }), {
    action: "paint-elk",
  });
});

test("before the budget is spent the first paint waits for ELK, for what is left of it", () => {
  assert.deepEqual(nextStep({ elk: "waiting", shown: "none", elapsedMs: 20, budgetMs: 70 }), {
    action: "wait",
    ms: 50,
  });
  assert.deepEqual(nextStep({ elk: "waiting", shown: "none", elapsedMs: 0 }), {
    action: "wait",
    ms: ELK_BUDGET_MS,
  });
});

test("a cold ELK past the budget: the quick layout is painted now and moved later", () => {
  assert.deepEqual(nextStep({ elk: "waiting", shown: "none", elapsedMs: 70, budgetMs: 70 }), {
    action: "paint-quick",
  });
  // Preparing a graph can take the whole budget: then the quick layout at once.
  assert.deepEqual(nextStep({ elk: "waiting", shown: "none", elapsedMs: 400, budgetMs: 70 }), {
    action: "paint-quick",
  });
  assert.deepEqual(nextStep({ elk: "waiting", shown: "quick", elapsedMs: 400 }), {
    action: "wait",
    ms: Infinity,
  });
  assert.deepEqual(nextStep({ elk: "answered", shown: "quick", elapsedMs: 450 }), {
    action: "move",
  });
});

test("without a budget the first paint waits for ELK however long it takes", () => {
  const slow = { elk: "waiting", shown: "none", elapsedMs: 5000, budgetMs: Infinity };
  assert.deepEqual(nextStep(slow), { action: "wait", ms: Infinity });
});

test("ELK giving up leaves the quick layout; a graph replaced since is not moved", () => {
  assert.deepEqual(nextStep({ elk: "failed", shown: "none", elapsedMs: 10 }), {
    action: "paint-quick",
  });
  assert.deepEqual(nextStep({ elk: "failed", shown: "quick", elapsedMs: 8000 }), {
    action: "keep",
  });
  assert.deepEqual(nextStep({ elk: "answered", shown: "quick", elapsedMs: 450, current: false }), {
    action: "keep",
  });
  assert.deepEqual(nextStep({ elk: "answered", shown: "elk", elapsedMs: 10 }), { action: "keep" });
});

test("the move is a short transition, or a jump when motion is reduced", () => {
  assert.equal(moveDuration(false), MOVE_MS);
  assert.ok(MOVE_MS > 0 && MOVE_MS <= 400);
  assert.equal(moveDuration(true), 0);
  assert.ok(ELK_BUDGET_MS >= 50 && ELK_BUDGET_MS <= 100);
});
