import assert from "node:assert/strict";
import { test } from "node:test";
import {
  VariableError,
  isOneLine,
  offeredMessage,
  offerRows,
  parseValue,
  requestVariables,
} from "../js/core/variables.js";

test("values are numbers, True/False, or nested lists of them", () => {
  assert.equal(parseValue(" 1.5 "), 1.5);
  assert.deepEqual(parseValue("[1.4, 2]"), [1.4, 2]);
  assert.deepEqual(parseValue("[[1, 2], [3, 4]]"), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(parseValue("True"), true);
  assert.deepEqual(parseValue("[True, False]"), [true, false]);
});

test("anything else is refused with a reason", () => {
  assert.throws(() => parseValue(""), { name: "VariableError", message: "the value is empty" });
  assert.throws(() => parseValue("[1,"), { message: 'cannot read "[1," as a number or list' });
  assert.throws(() => parseValue('"a"'), VariableError);
  assert.throws(() => parseValue("{}"), VariableError);
  assert.throws(() => parseValue("1e999"), { message: "numbers must be finite" });
});

test("rows become the request's variables; unnamed rows are skipped", () => {
  assert.deepEqual(
    requestVariables([
      { name: "w", value: "1.0", requiresGrad: true },
      { name: " x ", value: "[1.4]", requiresGrad: false },
      { name: "", value: "", requiresGrad: false },
    ]),
    { w: { value: 1, requires_grad: true }, x: { value: [1.4], requires_grad: false } },
  );
  assert.throws(() => requestVariables([{ name: "2w", value: "1", requiresGrad: false }]), {
    message: '"2w" is not a variable name',
  });
  assert.throws(() => requestVariables([{ name: "w", value: "oops", requiresGrad: false }]), {
    message: 'variable w: cannot read "oops" as a number or list',
  });
});

test("an expression's unknown names each get a row, after the rows already named", () => {
  const rows = [
    { name: "x", value: "1.4", requiresGrad: false },
    { name: " ", value: "", requiresGrad: false },
  ];
  assert.deepEqual(offerRows(rows, ["w", "x", "b", "w"]), {
    rows: [
      { name: "x", value: "1.4", requiresGrad: false },
      { name: "w", value: "", requiresGrad: false },
      { name: "b", value: "", requiresGrad: false },
    ],
    added: ["w", "b"],
  });
  assert.deepEqual(offerRows(rows.slice(0, 1), ["x"]).added, []);
});

test("one line of code, blank lines and comments aside, is a single expression", () => {
  assert.equal(isOneLine("(w * x + b).sum()"), true);
  assert.equal(isOneLine("# the loss\n\n(w * x + b).sum()\n"), true);
  assert.equal(isOneLine("y = w * x\nloss = y.sum()"), false);
});

test("the unknown names offered as rows are named in the error, each to be given a value", () => {
  assert.equal(offeredMessage(["w"]), "unknown name 'w': give it a value under Variables");
  assert.equal(
    offeredMessage(["w", "x", "b"]),
    "unknown names 'w', 'x' and 'b': give each a value under Variables",
  );
});
