import assert from "node:assert/strict";
import { test } from "node:test";
import {
  broadcastSum,
  fillFormula,
  forwardFormula,
  lettersLeft,
  localFormula,
  namedFormula,
  texToPlain,
} from "../js/core/formula.js";
import { buildModel } from "../js/core/model.js";
import { fixture, seedTrace } from "./helpers.mjs";

test("fillFormula puts names in place of the formula's letters, and nothing else", () => {
  const names = { y: "\\text{w*x}", a: "\\text{w}", b: "\\text{x}" };
  assert.equal(fillFormula("y = a \\cdot b", names), "\\text{w*x} = \\text{w} \\cdot \\text{x}");
  // Command names (\cdot has a c, \frac an a) and \text{...} are never touched...
  assert.equal(
    fillFormula("\\frac{1}{b} + \\text{a b} + \\operatorname{sign}(a)", { a: "A1", b: "B1" }),
    "\\frac{1}{B1} + \\text{a b} + \\operatorname{sign}(A1)",
  );
  // ...nor a letter inside a longer word, nor one the symbols lack (e, i).
  assert.equal(fillFormula("y_i = e^{a_i} + ab", { y: "Y1", a: "A1" }), "Y1_i = e^{A1_i} + ab");
  // Ȳ, the gradient arriving at a matrix op, can be written as a derivative.
  assert.equal(
    fillFormula("\\bar{Y} B^{\\top}", { "\\bar{Y}": "G", B: "\\text{W}" }),
    "G \\text{W}^{\\top}",
  );
});

test("lettersLeft finds the lone letters a formula still has, ignoring e and commands", () => {
  assert.deepEqual(lettersLeft("\\text{w} \\cdot b + e^{n}"), ["b", "n"]);
  assert.deepEqual(lettersLeft("\\frac{1}{\\text{x}} \\sum_i"), ["i"]);
  assert.deepEqual(lettersLeft("1.0 \\cdot 1.4"), []);
});

test("texToPlain writes the op table's TeX as plain text", () => {
  assert.equal(texToPlain("\\text{w*x} = \\text{w} \\cdot \\text{x}"), "w*x = w · x");
  assert.equal(texToPlain("\\frac{1}{\\text{b}}"), "1/b");
  assert.equal(texToPlain("-\\frac{\\text{a}}{\\text{b}^{2}}"), "-a/b²");
  assert.equal(texToPlain("2\\, (\\text{y-z})^{2-1}"), "2 (y-z)²⁻¹");
  assert.equal(texToPlain("y = \\sum_i a_i"), "y = Σᵢ aᵢ");
  assert.equal(texToPlain("\\frac{1}{2\\sqrt{a}}"), "1/(2√a)");
  assert.equal(texToPlain("\\sigma(a)\\,(1 - \\sigma(a))"), "σ(a) (1 - σ(a))");
  assert.equal(texToPlain("A^{\\top} \\bar{Y}"), "Aᵀ Ȳ");
  assert.equal(
    texToPlain("\\frac{\\partial \\text{loss}}{\\partial (\\text{X@W})}"),
    "∂loss/∂(X@W)",
  );
  assert.equal(texToPlain("\\text{a\\_b \\{c\\} x\\textasciicircum{}2}"), "a_b {c} x^2");
});

test("broadcastSum says what a gradient summed over, or null when nothing was", () => {
  assert.equal(broadcastSum([3, 2], [2]), "over the batch (3 rows)");
  assert.equal(broadcastSum([3, 2], [1, 2]), "over dim 0 (3 rows)");
  assert.equal(broadcastSum([3, 4], [3, 1]), "over dim 1 (4 columns)");
  assert.equal(broadcastSum([2], []), "over all 2 elements");
  assert.equal(broadcastSum([2, 3, 4], [3, 1]), "over dims 0, 2 (8 copies, 2×3×4 → 3×1)");
  assert.equal(broadcastSum([5, 2, 3], [2, 3]), "over dim 0 (5 copies)");
  assert.equal(broadcastSum([3, 2], [3, 2]), null);
  assert.equal(broadcastSum([1, 2], [2]), null); // a size-1 dimension sums nothing
});

test("the seed program's formulas are written in its own names, never in a, b or y", () => {
  const model = buildModel(seedTrace());
  const node = (shown) => model.nodes.find((n) => n.shown === shown);
  assert.deepEqual(namedFormula(model, node("w*x")), {
    tex: "\\text{w*x} = \\text{w} \\cdot \\text{x}",
    text: "w*x = w · x",
  });
  assert.deepEqual(forwardFormula(model, node("w*x")), {
    tex: "\\text{w*x} = \\text{w} \\cdot \\text{x} = 1.0 \\cdot 1.4",
    text: "w*x = w · x = 1.0 · 1.4",
    numbers: true,
  });
  assert.equal(forwardFormula(model, node("z")).text, "z = (w*x) + b = 1.4 + 0.5");
  assert.equal(forwardFormula(model, node("(y-z)**2")).text, "(y-z)**2 = (y-z)² = 0.2²");
  // A sum over an index gets no numbers put in: Σᵢ 0.04ᵢ would say nothing.
  assert.deepEqual(forwardFormula(model, node("loss")), {
    tex: "\\text{loss} = \\sum_i (\\text{(y-z)**2})_i",
    text: "loss = Σᵢ ((y-z)**2)ᵢ",
    numbers: false,
  });
  const local = (source, target) =>
    localFormula(
      model,
      model.edges.find(
        (e) => model.byId.get(e.source).shown === source && model.byId.get(e.target).shown === target,
      ),
    )?.text ?? null;
  assert.equal(local("w", "w*x"), "x");
  assert.equal(local("x", "w*x"), "w");
  assert.equal(local("(y-z)**2", "loss"), "1");
  assert.equal(local("y-z", "(y-z)**2"), "2 (y-z)²⁻¹");
  assert.equal(local("z", "y-z"), "-1");
});

test("a matrix product's local derivative names the gradient arriving at it", () => {
  const model = buildModel(fixture("broadcast_trace.json"));
  const mm = model.nodes.find((n) => n.shown === "X@W");
  const toW = model.edges.find((e) => e.target === mm.id && model.byId.get(e.source).name === "W");
  assert.deepEqual(localFormula(model, toW, "loss"), {
    tex: "\\text{X}^{\\top} \\frac{\\partial \\text{loss}}{\\partial (\\text{X@W})}",
    text: "Xᵀ ∂loss/∂(X@W)",
  });
  assert.equal(namedFormula(model, mm).text, "X@W = X W");
});

test("a number the program wrote stands in the formula where the op has no input node", () => {
  const model = buildModel(fixture("unbind_pair_trace.json"));
  const times5 = model.nodes.find((n) => n.shown === "b * 5");
  assert.deepEqual(times5.numbers, { b: 5 });
  assert.equal(forwardFormula(model, times5).text, "b * 5 = b · 5 = 2.0 · 5");
  // Without it the formula would read "b * 5 = a · b": no formula rather than a wrong one.
  const unknown = { ...times5, numbers: {} };
  const bare = { ...model, byId: new Map(model.byId).set(unknown.id, unknown) };
  assert.equal(namedFormula(bare, unknown), null);
});
