// torch.autograd.grad returns gradients to the program and stores nothing in .grad: the
// cards must say so, never "stored in .grad". Fixtures from the real backend
// (frontend/scripts/make-fixtures.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../js/core/model.js";
import { narration, stepRows } from "../js/core/narration.js";
import { modelCards } from "../js/core/nodecard.js";
import { stepCard } from "../js/core/stepcard.js";
import { buildTimeline, frameAt } from "../js/core/timeline.js";
import { fixture } from "./helpers.mjs";

const timeline = (name) => buildTimeline(buildModel(fixture(name)));
const texts = (card) => card.lines.map((l) => `${l.kind}: ${l.text}`);

// w = [1, 2]; loss = (w * -3 + w * w).sum(); g = torch.autograd.grad(loss, w)[0]
test("the leaf's step says its gradient was returned by torch.autograd.grad, not stored", () => {
  const tl = timeline("autograd_grad_trace.json");
  const card = stepCard(tl, tl.end - 1);
  assert.equal(card.subtitle, "the order autograd ran · torch.autograd.grad() call");
  assert.equal(
    card.heading,
    "w: torch.autograd.grad returns this gradient to the program; w.grad is not changed",
  );
  assert.deepEqual(texts(card), [
    "arrive: ∂loss/∂w = [1.0, 2.0] + [1.0, 2.0] + [-3.0, -3.0] = [-1.0, 1.0]",
    "returned: ∂loss/∂w = [-1.0, 1.0] — returned by torch.autograd.grad; w.grad is not changed",
  ]);
  assert.ok(card.lines.every((l) => !/stored/.test(`${l.text} ${l.note}`)));
  assert.ok(!/AccumulateGrad stores/.test(card.heading));
  assert.equal(
    narration(tl, tl.end - 1),
    "Backward step 5 of 5: w adds up 3 paths: ∂loss/∂w = [-1.0, 1.0] and torch.autograd.grad returns it (w.grad is not changed).",
  );
  // The leaf's .grad row never shows a value torch did not store.
  assert.equal(frameAt(tl, tl.end - 1).base.accText[tl.nodeIndex.get("n4")], null);
});

test("the first card says torch.autograd.grad() starts with 1", () => {
  const tl = timeline("autograd_grad_trace.json");
  const card = stepCard(tl, tl.F);
  assert.equal(card.lines[0].text, "∂loss/∂loss = 1 (the seed)");
  assert.equal(card.lines[0].note, "torch.autograd.grad() starts here with 1");
  assert.match(card.heading, /; torch\.autograd\.grad\(\) starts here$/);
  assert.match(narration(tl, tl.F), /: torch\.autograd\.grad\(\) starts at loss with/);
});

test("the Done card does not claim .grad holds a returned gradient", () => {
  const tl = timeline("autograd_grad_trace.json");
  const done = stepCard(tl, tl.end);
  assert.equal(
    done.heading,
    "Values flowed forward, gradients flowed back: torch.autograd.grad returned the gradients of its inputs; no .grad was changed",
  );
  assert.deepEqual(texts(done), [
    "returned: ∂loss/∂w = [-1.0, 1.0] — returned by torch.autograd.grad; w.grad is not changed",
  ]);
});

// h = x * b; loss = (h.sin() * h).sum(); gh, gb = torch.autograd.grad(loss, [h, b])
test("a non-leaf input's gradient is returned and still sent on to the other input", () => {
  const tl = timeline("autograd_grad_inside_trace.json");
  const position = tl.F + tl.backward.findIndex((s) => s.node === "n3");
  const card = stepCard(tl, position);
  assert.equal(
    card.heading,
    "h (MulBackward0): torch.autograd.grad returns the gradient arriving here, and the node still sends it on to its inputs",
  );
  assert.deepEqual(texts(card).slice(1), [
    "nograd: x receives no gradient",
    // b is a number times x (2 elements): its gradient sums over them.
    "send: ∂loss/∂b = Σ over all 2 elements of ∂loss/∂h · ∂h/∂b = -3.552",
    "returned: ∂loss/∂h = [1.382, -2.829] — returned by torch.autograd.grad; h.grad is not changed",
  ]);
  const done = stepCard(tl, tl.end);
  assert.deepEqual(
    done.lines.map((l) => l.text),
    [
      "∂loss/∂h = [1.382, -2.829] — returned by torch.autograd.grad; h.grad is not changed",
      "∂loss/∂b = -3.552 — returned by torch.autograd.grad; b.grad is not changed",
    ],
  );
  assert.ok(stepRows(tl).every((r) => !/stored in \.grad/.test(r.text)));
});

test("backward() steps keep saying the gradient is stored in .grad", () => {
  const tl = timeline("max_builtin_trace.json");
  const card = stepCard(tl, tl.end - 1);
  assert.equal(card.subtitle, "the order autograd ran");
  assert.equal(card.heading, "m: AccumulateGrad stores the gradient in m.grad");
  assert.equal(card.lines.at(-1).note, "stored in .grad");
});

test("a bool tensor's data arrive as booleans and are shown as Python prints them", () => {
  const model = buildModel(fixture("bool_mask_trace.json"));
  const mask = model.nodes.find((n) => n.value?.dtype === "bool");
  assert.deepEqual(mask.value.data, [true, false, true]);
  assert.deepEqual(
    modelCards(model)
      .get(mask.id)
      .rows.map((r) => r.text),
    ["[True, False, True]"],
  );
});
