// Shared by the unit tests: the fixtures (scripts/make-fixtures.py writes every one from the
// backend's answers) and the vendored ELK, loaded without npm.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { fromWire } from "../js/core/wire.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** A fresh copy of the TraceOut of the seed program (content/examples.py's SEED_SOURCE). */
export function seedTrace() {
  return fixture("seed_trace.json");
}

/** The ELK class from vendor/elkjs/elk.bundled.js (a UMD file, so run it as CommonJS). */
export function loadElk() {
  const source = fs.readFileSync(
    path.join(here, "..", "vendor", "elkjs", "elk.bundled.js"),
    "utf8",
  );
  const module = { exports: {} };
  const run = vm.compileFunction(source, ["module", "exports"], { filename: "elk.bundled.js" });
  run(module, module.exports);
  return module.exports;
}

/**
 * A fresh copy of a fixture (tests/fixtures/<name>): the TraceOut of a program of
 * scripts/make-fixtures.py (the backend's v2 answer read through core/wire.js, as the page
 * reads it), or `examples.json`, GET /api/v2/examples' answer.
 */
export function fixture(name) {
  const body = wireFixture(name);
  return Array.isArray(body) ? body : fromWire(body);
}

/** A fixture as it is stored: a trace in v2's form, or the examples. */
export function wireFixture(name) {
  return JSON.parse(fs.readFileSync(path.join(here, "fixtures", name), "utf8"));
}
