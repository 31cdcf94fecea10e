// Shared by the unit tests: the fixtures (scripts/make-fixtures.py writes every one from the
// backend's answers) and the vendored ELK, loaded without npm.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** A fresh copy of the TraceOut of the seed program (content/examples.py's SEED_SOURCE). */
export function seedTrace() {
  return JSON.parse(fs.readFileSync(path.join(here, "fixtures", "seed_trace.json"), "utf8"));
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
 * A fresh copy of a fixture (tests/fixtures/<name>): a TraceOut the backend answered for a
 * program of scripts/make-fixtures.py, or `examples.json`, GET /api/v1/examples' answer.
 */
export function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(here, "fixtures", name), "utf8"));
}
