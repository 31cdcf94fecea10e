import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRows, elementLabel } from "../js/core/checkrows.js";
import { fixture } from "./helpers.mjs";

test("each compared element is a row labelled with its leaf and index", () => {
  const rows = checkRows(fixture("relu_check_trace.json").check);
  assert.deepEqual(
    rows.map((r) => [r.label, r.analytic, r.numeric, r.error, r.agrees, r.uninformative]),
    [
      ["W[0, 0]", "1.0", "1.0", "2.9e-11", true, false],
      // x[1] is 0: W's second column gets 0 from autograd and from the differences alike.
      ["W[0, 1]", "0.0", "0.0", "0.0e+0", true, true],
      ["W[1, 0]", "1.0", "1.0", "2.9e-11", true, false],
      ["W[1, 1]", "0.0", "0.0", "0.0e+0", true, true],
    ],
  );
  assert.deepEqual([...new Set(rows.map((r) => r.node))], ["n3"]);
});

test("a 0-d leaf's row is its bare name; a leaf without a name goes by its node", () => {
  assert.equal(elementLabel({ name: "model.2.weight", node: "n7" }, [3, 1]), "model.2.weight[3, 1]");
  assert.equal(elementLabel({ name: "w", node: "n6" }, []), "w");
  assert.equal(elementLabel({ name: null, node: "n6" }, [0]), "n6[0]");
});

test("a difference that is not 0 is never called uninformative, nor an error a match", () => {
  const check = {
    step: 1e-6,
    error: null,
    leaves: [
      {
        node: "n1",
        name: "b",
        elements: 2,
        indices: [[0], [1]],
        analytic: [0.0, 2.0],
        numeric: [1e-6, 2.5],
        rel_errors: [1.0, 0.2],
        max_rel_error: 1.0,
      },
    ],
  };
  assert.deepEqual(
    checkRows(check).map((r) => [r.label, r.agrees, r.uninformative]),
    [
      ["b[0]", false, false],
      ["b[1]", false, false],
    ],
  );
  assert.deepEqual(checkRows(null), []);
});
