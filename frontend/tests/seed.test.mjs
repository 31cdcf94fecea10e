import assert from "node:assert/strict";
import { test } from "node:test";
import { SEED_EXAMPLE, SEED_UNAVAILABLE, seedProgram, seedUnavailable } from "../js/core/seed.js";
import { fixture, seedTrace } from "./helpers.mjs";

test("the seed program is the source of the example SEED_EXAMPLE, wherever it is listed", () => {
  const other = { id: "other", title: "Other", topic: "t", source: "x = 1\n" };
  const seed = { id: SEED_EXAMPLE, title: "Seed", topic: "t", source: "y = 2\n" };
  assert.equal(seedProgram([other, seed]), "y = 2\n");
  assert.equal(seedProgram([seed, other]), "y = 2\n");
  // Not loaded yet, failed (an empty menu), or not among them: none.
  assert.equal(seedProgram(null), null);
  assert.equal(seedProgram([]), null);
  assert.equal(seedProgram([other]), null);
});

test("the server's examples list the seed, and seed_trace.json is its trace", () => {
  const source = seedProgram(fixture("examples.json"));
  assert.equal(typeof source, "string");
  // Every named node's span points at its assignment in that program, `name = ...`.
  const lines = source.split("\n");
  const named = seedTrace().nodes.filter((n) => n.name && n.span);
  assert.deepEqual(
    named.map((n) => n.name),
    ["loss", "z", "b", "w", "y", "x"],
  );
  for (const { name, span } of named) {
    assert.equal(lines[span.line - 1].slice(0, span.col), `${name} = `, name);
  }
});

test("without a seed the page says why and what to do, in the error panel's words", () => {
  assert.deepEqual(seedUnavailable({ message: "could not reach the chainrule server" }), {
    code: SEED_UNAVAILABLE,
    message:
      "No program to open: the examples could not be loaded: could not reach the chainrule " +
      "server. Write a program and press Run, or reload the page.",
    line: null,
    col: null,
  });
  assert.equal(
    seedUnavailable(null).message,
    `No program to open: the server's examples have none with the id "${SEED_EXAMPLE}". ` +
      "Write a program and press Run, or reload the page.",
  );
});
