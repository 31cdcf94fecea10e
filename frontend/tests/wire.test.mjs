import assert from "node:assert/strict";
import { test } from "node:test";
import { WireError, fromWire } from "../js/core/wire.js";
import { wireFixture } from "./helpers.mjs";

// Each pair: one program as POST /api/v2/trace and as /api/v1/trace answer it.
const PAIRS = [
  ["mlp_trace.json", "mlp_trace.v1.json"],
  ["max_dim_trace.json", "max_dim_trace.v1.json"],
  ["accumulate_trace.json", "accumulate_trace.v1.json"],
];

test("a v2 trace read back is v1's trace of the same program, field for field", () => {
  for (const [v2, v1] of PAIRS) assert.deepEqual(fromWire(wireFixture(v2)), wireFixture(v1), v2);
});

test("one tensor shown in several places is one object, written once in the table", () => {
  const wire = wireFixture("accumulate_trace.json");
  const trace = fromWire(wire);
  const refs = new Set(wire.nodes.flatMap((n) => [n.value, n.grad]).filter((r) => r !== null));
  // Distinct by content: no two payloads of the table are the same.
  const written = wire.tensors.map((t) => JSON.stringify(t));
  assert.equal(new Set(written).size, written.length);
  assert.ok(refs.size <= wire.tensors.length);
  const [w] = trace.nodes.filter((n) => n.name === "w");
  const sameAsW = trace.steps.backward.filter((s) => s.node === w.id).map((s) => s.grad);
  assert.equal(sameAsW.at(-1), w.grad); // the same object, not an equal copy
});

test("a saved tensor comes as a link {tensor: i}, a saved number as itself", () => {
  const wire = wireFixture("mlp_trace.json");
  const saved = wire.nodes.flatMap((n) => Object.values(n.saved));
  const links = saved.filter((v) => v !== null && typeof v === "object" && !Array.isArray(v));
  assert.ok(links.length > 0);
  for (const link of links) assert.deepEqual(Object.keys(link), ["tensor"]);
  const trace = fromWire(wire);
  const read = trace.nodes.flatMap((n) => Object.values(n.saved));
  for (const v of read) if (v !== null && typeof v === "object" && !Array.isArray(v)) assert.ok("shape" in v);
});

test("a reference to no tensor of the table, or no table, is a WireError", () => {
  const dangling = wireFixture("accumulate_trace.json");
  dangling.edges[0].grad = 999;
  assert.throws(() => fromWire(dangling), WireError);
  assert.throws(() => fromWire(wireFixture("accumulate_trace.v1.json")), WireError);
});
