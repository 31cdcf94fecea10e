import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describeTensor,
  formatError,
  formatNumber,
  formatShape,
  formatTensor,
} from "../js/core/format.js";

const t = (data, shape, extra = {}) => ({
  shape,
  dtype: "float32",
  data,
  summary: { min: 0, max: 1, mean: 0.5, std: 0.25 },
  ...extra,
});

test("formatNumber keeps four significant digits and drops trailing zeros", () => {
  assert.equal(formatNumber(-0.5599997639656067), "-0.56");
  assert.equal(formatNumber(0.03999997302889824), "0.04");
  assert.equal(formatNumber(1.899999976158142), "1.9");
  assert.equal(formatNumber(3.14159265), "3.142");
  assert.equal(formatNumber(123.456), "123.5");
  assert.equal(formatNumber(1898.63), "1899");
});

test("formatNumber shows integral floats with .0 and ints without", () => {
  assert.equal(formatNumber(1), "1.0");
  assert.equal(formatNumber(2.0000001), "2.0");
  assert.equal(formatNumber(1899), "1899.0");
  assert.equal(formatNumber(0), "0.0");
  assert.equal(formatNumber(-0), "0.0");
  assert.equal(formatNumber(7, { float: false }), "7");
  assert.equal(formatNumber(123456789, { float: false }), "123456789");
});

test("formatNumber uses exponents for very small and very large magnitudes", () => {
  assert.equal(formatNumber(0.000015), "1.5e-5");
  assert.equal(formatNumber(-2.5e-9), "-2.5e-9");
  assert.equal(formatNumber(1234567), "1.235e6");
  assert.equal(formatNumber(12345.6), "12346");
  assert.equal(formatNumber(0.0001), "0.0001");
});

test("formatNumber passes non-finite strings through and names booleans as Python does", () => {
  assert.equal(formatNumber("nan"), "nan");
  assert.equal(formatNumber("inf"), "inf");
  assert.equal(formatNumber("-inf"), "-inf");
  assert.equal(formatNumber(Number.NaN), "nan");
  assert.equal(formatNumber(-Infinity), "-inf");
  assert.equal(formatNumber(true), "True");
  assert.equal(formatNumber(null), "—");
});

test("formatTensor shows 0-d and 1-element tensors as their number", () => {
  assert.equal(formatTensor(t(-0.5599997639656067, [])), "-0.56");
  assert.equal(formatTensor(t([1.399999976158142], [1])), "1.4");
  assert.equal(formatTensor(t([[5]], [1, 1])), "5.0");
  assert.equal(formatTensor(t("nan", [])), "nan");
});

test("formatTensor lists small tensors compactly", () => {
  assert.equal(formatTensor(t([1.4, 2.0], [2])), "[1.4, 2.0]");
  assert.equal(
    formatTensor(
      t(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
      ),
    ),
    "[[1.0, 2.0], [3.0, 4.0]]",
  );
  assert.equal(formatTensor(t([1, 2, 3], [3], { dtype: "int64" })), "[1, 2, 3]");
  assert.equal(formatTensor(t([true, false], [2], { dtype: "bool" })), "[True, False]");
  assert.equal(formatTensor(t(["nan", 1, "-inf"], [3])), "[nan, 1.0, -inf]");
});

test("formatTensor summarises large tensors by bracketed shape and mean", () => {
  assert.equal(formatTensor(t(null, [3, 400])), "[3×400] μ=0.5");
  assert.equal(formatTensor(t([1, 2, 3, 4, 5, 6, 7], [7])), "[7] μ=0.5");
  // Six elements fit by count but not in characters.
  assert.equal(formatTensor(t([1.234, 2.345, 3.456, 4.567, 5.678, 6.789], [6])), "[6] μ=0.5");
});

test("formatTensor marks missing and empty tensors", () => {
  assert.equal(formatTensor(null), "—");
  assert.equal(formatTensor(t([], [0])), "empty 0");
});

test("formatShape names 0-d tensors scalar", () => {
  assert.equal(formatShape([]), "scalar");
  assert.equal(formatShape([2, 3]), "2×3");
});

test("describeTensor gives shape, data and statistics on separate lines", () => {
  assert.equal(
    describeTensor(t([1, 2], [2])),
    "2 float32\n[1.0, 2.0]\nmin 0 · max 1 · mean 0.5 · std 0.25",
  );
  assert.equal(describeTensor(t(0.5, [])), "scalar float32\n0.5");
  assert.equal(describeTensor(null), "none");
});

test("formatError shows 0-based columns 1-based", () => {
  assert.equal(
    formatError({ message: "unknown name 'q'", line: 3, col: 4 }),
    "Line 3, column 5: unknown name 'q'",
  );
  assert.equal(formatError({ message: "bad", line: 2, col: null }), "Line 2: bad");
  assert.equal(formatError({ message: "server down", line: null, col: null }), "server down");
});
