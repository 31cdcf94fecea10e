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
    "arrive: ∂loss/∂w = ∂loss/∂(×) · ∂(×)/∂w = (-0.4)(1.4) = -0.56",
    "acc: w.grad = -0.56",
  ]);
  assert.match(card.lines[0].tex, /\(-0\.4\)\(1\.4\) = -0\.56$/);
});

test("the card of × sends upstream times local along each edge, and says x gets nothing", () => {
  const card = stepCard(seed(), 14);
  assert.deepEqual(texts(card), [
    "arrive: ∂loss/∂(×) = ∂loss/∂z · ∂z/∂(×) = (-0.4)(1.0) = -0.4",
    "send: ∂loss/∂w = ∂loss/∂(×) · ∂(×)/∂w = (-0.4)(1.4) = -0.56",
    "nograd: x is a constant: no gradient flows to it",
  ]);
  assert.equal(card.heading, "(×) (MulBackward0) sends its gradient back to its inputs");
});

test("the first backward card starts from d loss / d loss = 1", () => {
  const card = stepCard(seed(), 9);
  assert.equal(card.lines[0].kind, "start");
  assert.equal(card.lines[0].text, "∂loss/∂loss = 1.0");
  assert.equal(card.lines[0].note, "backward() starts with 1");
  assert.match(card.heading, /backward\(\) starts here$/);
});

test("forward cards show what the op computes from which inputs", () => {
  const tl = seed();
  const mul = stepCard(tl, 4);
  assert.equal(mul.title, "Forward step 5 of 9");
  assert.equal(mul.subtitle, "teaching order · generation 1");
  assert.deepEqual(texts(mul), [
    "formula: multiplication",
    "inputs: a = w = 1.0, b = x = 1.4",
    "value: (×) = 1.4",
  ]);
  assert.equal(mul.lines[0].tex, "y = a \\cdot b");
  // A name equal to its letter is not written twice: "b = 0.5", not "b = b = 0.5".
  assert.equal(stepCard(tl, 5).lines[1].text, "a = (×) = 1.4, b = 0.5");
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
  assert.equal(toB.text, "∂loss/∂b = ∂loss/∂out · ∂out/∂b = [3.0, 3.0]");
  assert.equal(toB.note, "summed over the dimensions b was broadcast along (3×2 → 2)");
  assert.match(
    toB.tex,
    /\\left\(\\frac\{\\partial \\text\{out\}\}\{\\partial \\text\{b\}\} = 1\\right\)$/,
  );
});

test("narration says each step in words", () => {
  const tl = seed();
  assert.equal(narration(tl, 0), "Forward step 1 of 9: x = 1.4 enters the graph as a constant.");
  assert.equal(narration(tl, 4), "Forward step 5 of 9: (×) = multiplication of w and x = 1.4.");
  assert.equal(
    narration(tl, 9),
    "Backward step 1 of 7: backward() starts at loss with ∂loss/∂loss = 1.0 and sends 1.0 to (^).",
  );
  assert.equal(
    narration(tl, 14),
    "Backward step 6 of 7: (×) received ∂loss/∂(×) = -0.4 and sends -0.56 to w; nothing flows to x (a constant).",
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
    node: "(×)",
    op: "MulBackward0",
    text: "multiplication; a = w = 1.0, b = x = 1.4; (×) = 1.4",
  });
  assert.deepEqual(
    rows.slice(9).map((r) => [r.order, r.number, r.node]),
    [
      ["backward", 1, "loss"],
      ["backward", 2, "(^)"],
      ["backward", 3, "(−)"],
      ["backward", 4, "z"],
      ["backward", 5, "b"],
      ["backward", 6, "(×)"],
      ["backward", 7, "w"],
    ],
  );
});
