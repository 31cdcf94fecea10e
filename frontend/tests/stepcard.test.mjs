import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import { narration, stepRows } from "../js/core/narration.js";
import { stepCard } from "../js/core/stepcard.js";
import { buildTimeline } from "../js/core/timeline.js";
import { fixture, seedTrace } from "./helpers.mjs";

const seed = () => buildTimeline(buildModel(seedTrace()));
const texts = (card) => card.lines.map((l) => `${l.kind}: ${l.text}`);

test("the card at w's step reads the chain rule with the trace's numbers", () => {
  const tl = seed();
  const card = stepCard(tl, 15); // backward step 7: w's AccumulateGrad
  assert.equal(card.order, "backward");
  assert.equal(card.title, "Backward step 7 of 7");
  assert.equal(card.subtitle, "the order autograd ran");
  assert.equal(card.node, "n6");
  assert.deepEqual(texts(card), [
    "arrive: ∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = (-0.4)(1.4) = -0.56",
    "acc: w.grad = -0.56",
  ]);
  assert.match(card.lines[0].tex, /\(-0\.4\)\(1\.4\) = -0\.56$/);
});

test("the card of × sends upstream times local along each edge, and says x gets nothing", () => {
  const card = stepCard(seed(), 14);
  assert.deepEqual(texts(card), [
    "arrive: ∂loss/∂(w*x) = ∂loss/∂z · ∂z/∂(w*x) = (-0.4)(1.0) = -0.4",
    "send: ∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = (-0.4)(1.4) = -0.56",
    "nograd: x is a constant: no gradient flows to it",
  ]);
  assert.equal(card.heading, "w*x (MulBackward0) sends its gradient back to its inputs");
  // The local derivative in the program's names: ∂(w*x)/∂w is x.
  assert.equal(card.lines[1].note, "∂(w*x)/∂w = x");
});

test("the first backward card starts from the seed, never from ∂loss/∂loss in itself", () => {
  const card = stepCard(seed(), 9);
  assert.deepEqual(texts(card), [
    "start: ∂loss/∂loss = 1 (the seed)",
    "send: ∂loss/∂((y-z)**2) = seed · 1 = (1.0)(1.0) = 1.0",
  ]);
  assert.equal(card.lines[0].tex, "\\frac{\\partial \\text{loss}}{\\partial \\text{loss}} = 1\\quad \\text{(the seed)}");
  assert.equal(card.lines[0].note, "backward() starts here with 1");
  assert.match(card.heading, /backward\(\) starts here$/);
  // The next step reads what arrived the same way: seed times local.
  assert.equal(
    stepCard(seed(), 10).lines[0].text,
    "∂loss/∂((y-z)**2) = seed · 1 = (1.0)(1.0) = 1.0",
  );
});

test("forward cards show what the op computes from which inputs", () => {
  const tl = seed();
  const mul = stepCard(tl, 4);
  assert.equal(mul.title, "Forward step 5 of 9");
  assert.equal(mul.subtitle, "teaching order · generation 1");
  assert.equal(mul.heading, "w*x: multiplication of w and x");
  assert.deepEqual(texts(mul), ["formula: w*x = w · x = 1.0 · 1.4", "value: w*x = 1.4"]);
  assert.equal(
    mul.lines[0].tex,
    "\\text{w*x} = \\text{w} \\cdot \\text{x} = 1.0 \\cdot 1.4",
  );
  assert.equal(mul.lines[0].note, "multiplication");
  // The program's own y is never a letter of a formula: y - z is written in y and z.
  assert.deepEqual(texts(stepCard(tl, 6)), [
    "formula: y-z = y - z = 2.1 - 1.9",
    "value: y-z = 0.2",
  ]);
  assert.deepEqual(texts(stepCard(tl, 5)), [
    "formula: z = (w*x) + b = 1.4 + 0.5",
    "value: z = 1.9",
  ]);
  // A power is written as one, with its exponent.
  assert.deepEqual(texts(stepCard(tl, 7)), [
    "formula: (y-z)**2 = (y-z)² = 0.2²",
    "value: (y-z)**2 = 0.04",
  ]);
  // A sum over elements is written with its index; its input is listed beside it.
  assert.deepEqual(texts(stepCard(tl, 8)), [
    "formula: loss = Σᵢ ((y-z)**2)ᵢ",
    "inputs: ((y-z)**2) = 0.04",
    "value: loss = 0.04",
  ]);
  assert.deepEqual(texts(stepCard(tl, 2)), ["value: w = 1.0"]);
  assert.equal(stepCard(tl, 0).lines[0].note, "no gradient is tracked for a constant");
});

test("where paths meet, the running sum grows and the node's step shows torch's sum", () => {
  const tl = buildTimeline(buildModel(fixture("used_twice_trace.json")));
  assert.deepEqual(texts(stepCard(tl, 5)).at(-1), "sum: running sum at x: 2.0 (1 of 3 paths)");
  assert.deepEqual(
    texts(stepCard(tl, 6)).at(-1),
    "sum: running sum at x: 2.0 + 3.0 + 3.0 = 8.0 (3 of 3 paths)",
  );
  const own = stepCard(tl, 7);
  assert.deepEqual(texts(own), ["arrive: ∂y/∂x = 2.0 + 3.0 + 3.0 = 8.0", "acc: x.grad = 8.0"]);
  assert.equal(own.lines[0].note, "x feeds 3 paths: their gradients add up");
  assert.match(own.lines[0].tex, /\\sum_\{\\text\{paths\}\} = 2\.0 \+ 3\.0 \+ 3\.0 = 8\.0$/);
});

test("a second backward() call adds into .grad, and the card says so", () => {
  const tl = buildTimeline(buildModel(fixture("accumulate_trace.json")));
  const last = stepCard(tl, tl.end - 1);
  assert.equal(last.subtitle, "the order autograd ran · backward() call 2 of 2");
  assert.deepEqual(texts(last).at(-1), "acc: w.grad = 4.0 + 4.0 = 8.0");
  assert.equal(last.lines.at(-1).note, "backward() adds into .grad; it never overwrites it");
  assert.deepEqual(texts(stepCard(tl, tl.end)), ["grad: w.grad = 8.0"]);
});

test("a broadcast bias's gradient is summed over the batch, and the card says along what", () => {
  const tl = buildTimeline(buildModel(fixture("broadcast_trace.json")));
  const add = stepCard(tl, tl.F + 1);
  const toB = add.lines.find((l) => l.kind === "send" && l.text.startsWith("∂loss/∂b"));
  assert.equal(toB.text, "∂loss/∂b = Σ over the batch (3 rows) of ∂loss/∂out · ∂out/∂b = [3.0, 3.0]");
  assert.equal(toB.note, "b was broadcast (3×2 → 2): its gradient adds up the copies");
  // b's own step says where its gradient came from the same way.
  const atB = stepCard(tl, tl.F + 2);
  assert.equal(
    atB.lines[0].text,
    "∂loss/∂b = Σ over the batch (3 rows) of ∂loss/∂out · ∂out/∂b = [3.0, 3.0]",
  );
  assert.match(
    toB.tex,
    /\\left\(\\frac\{\\partial \\text\{out\}\}\{\\partial \\text\{b\}\} = 1\\right\)$/,
  );
});

test("narration says each step in words", () => {
  const tl = seed();
  assert.equal(narration(tl, 0), "Forward step 1 of 9: x = 1.4 enters the graph as a constant.");
  assert.equal(narration(tl, 4), "Forward step 5 of 9: w*x = multiplication of w and x = 1.4.");
  assert.equal(
    narration(tl, 9),
    "Backward step 1 of 7: backward() starts at loss with ∂loss/∂loss = 1.0 and sends 1.0 to (y-z)**2.",
  );
  assert.equal(
    narration(tl, 14),
    "Backward step 6 of 7: w*x received ∂loss/∂(w*x) = -0.4 and sends -0.56 to w; nothing flows to x (a constant).",
  );
  assert.equal(
    narration(tl, 15),
    "Backward step 7 of 7: w received ∂loss/∂w = -0.56 and stores it: w.grad = -0.56.",
  );
  assert.match(narration(tl, 16), /^Done\. Values flowed forward, gradients flowed back/);
});

test("the text view has one row per step, labelled with its order", () => {
  const rows = stepRows(seed());
  assert.equal(rows.length, 16);
  assert.deepEqual(rows[4], {
    position: 4,
    order: "forward",
    number: 5,
    phase: null,
    node: "w*x",
    op: "MulBackward0",
    text: "w*x = w · x = 1.0 · 1.4; w*x = 1.4",
  });
  assert.deepEqual(
    rows.slice(9).map((r) => [r.order, r.number, r.node]),
    [
      ["backward", 1, "loss"],
      ["backward", 2, "(y-z)**2"],
      ["backward", 3, "y-z"],
      ["backward", 4, "z"],
      ["backward", 5, "b"],
      ["backward", 6, "w*x"],
      ["backward", 7, "w"],
    ],
  );
});
