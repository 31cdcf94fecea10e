// The folders of js/ and what each may import, as docs/architecture.md states them in its
// frontend table: every import of every module is read and checked against that table;
// js/core/ is checked for the page and d3 too (it must run in node as in the browser).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

// Words js/core/ may not use outside comments: the lint gate's list (the page, its frames
// and clock, the network, d3), checked here with the lint gate or without it.
import { NOT_IN_CORE } from "../not-in-core.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const JS = path.join(here, "..", "js");
const DOC = path.join(here, "..", "..", "docs", "architecture.md");

/**
 * The source with its comments blanked (newlines kept, so line numbers stay), its strings,
 * templates and regular expressions left as they are.
 */
function withoutComments(source) {
  let out = "";
  let last = ""; // the last character of code before `i` that is not a space
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && (next === "/" || next === "*")) {
      const close = next === "/" ? source.indexOf("\n", i) : source.indexOf("*/", i + 2) + 2;
      const end = close < i ? source.length : close;
      out += source.slice(i, end).replace(/[^\n]/g, " ");
      i = end;
      continue;
    }
    const regex = c === "/" && (last === "" || "(,=:[!&|?{};+-*%<>~^".includes(last));
    if (c === '"' || c === "'" || c === "`" || regex) {
      let j = i + 1;
      let inClass = false; // inside [...] of a regular expression, a / does not end it
      while (j < source.length && !(source[j] === c && !inClass)) {
        if (source[j] === "\\") j += 1;
        else if (regex && source[j] === "[") inClass = true;
        else if (regex && source[j] === "]") inClass = false;
        j += 1;
      }
      out += source.slice(i, j + 1);
      last = c;
      i = j + 1;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) last = c;
    i += 1;
  }
  return out;
}

/** What a module imports: the specifier of each static, re-exporting or dynamic import. */
function importsOf(source) {
  const code = withoutComments(source);
  const found = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) found.push(m[1]);
  }
  return found;
}

/** folder -> the folders its modules may import, from the frontend table of the doc. */
function allowedByDoc() {
  const rows = fs
    .readFileSync(DOC, "utf8")
    .split("\n")
    .map((line) => /^\| `js\/(\w+)\/` \|.*\| ([\w, ]+) \|$/.exec(line))
    .filter(Boolean);
  return new Map(rows.map(([, folder, may]) => [folder, may.split(",").map((f) => f.trim())]));
}

/** Every module under js/, as {folder, file, source}. */
function modules() {
  return fs
    .readdirSync(JS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(JS, dir.name))
        .filter((name) => name.endsWith(".js"))
        .map((name) => ({
          folder: dir.name,
          file: `${dir.name}/${name}`,
          source: fs.readFileSync(path.join(JS, dir.name, name), "utf8"),
        })),
    );
}

test("comments are blanked, strings and regular expressions are kept", () => {
  const source = [
    "// the window of a view",
    'const a = "document"; /* window */ const b = /["\'/]+/g;',
    "const c = `d3 ${a}`; // d3",
    "const d = 1 / 2; // 3",
  ].join("\n");
  assert.equal(
    withoutComments(source),
    [
      "                       ",
      'const a = "document";              const b = /["\'/]+/g;',
      "const c = `d3 ${a}`;      ",
      "const d = 1 / 2;     ",
    ].join("\n"),
  );
});

test("imports are read from every kind of import statement, not from comments", () => {
  const source = [
    'import { a, b } from "./one.js";',
    "import {",
    "  c,",
    '} from "../core/two.js";',
    'export { d } from "./three.js";',
    'import "./four.js";',
    'const five = await import("./five.js");',
    '// import { e } from "../app/six.js";',
    '/** @param {import("../draw/seven.js").Type} x */',
  ].join("\n");
  assert.deepEqual(importsOf(source).sort(), [
    "../core/two.js",
    "./five.js",
    "./four.js",
    "./one.js",
    "./three.js",
  ]);
});

test("every module lives in a folder of js/", () => {
  assert.deepEqual(
    fs.readdirSync(JS).filter((name) => name.endsWith(".js")),
    [],
  );
});

test("docs/architecture.md lists every folder of js/ and what each may import", () => {
  const allowed = allowedByDoc();
  const folders = fs
    .readdirSync(JS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.deepEqual([...allowed.keys()].sort(), folders.sort());
  for (const [folder, may] of allowed) {
    assert.ok(may.includes(folder), `${folder} may import its own folder`);
    for (const other of may) {
      assert.ok(allowed.has(other), `${folder} may import ${other}: no such folder`);
    }
  }
});

test("each folder imports only the folders docs/architecture.md allows it", () => {
  const allowed = allowedByDoc();
  const wrong = [];
  for (const { folder, file, source } of modules()) {
    for (const spec of importsOf(source)) {
      const target = path.relative(JS, path.resolve(JS, folder, spec));
      const [into] = target.split(path.sep);
      if (!spec.startsWith(".")) wrong.push(`${file} imports a package: ${spec}`);
      else if (!fs.existsSync(path.join(JS, target))) wrong.push(`${file}: no such file ${spec}`);
      else if (!allowed.get(folder).includes(into)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("js/core/ touches neither the page nor d3", () => {
  const banned = new RegExp(`\\b(${NOT_IN_CORE.join("|")})\\b`);
  const found = [];
  for (const { folder, file, source } of modules()) {
    if (folder !== "core") continue;
    withoutComments(source)
      .split("\n")
      .forEach((line, k) => {
        const m = banned.exec(line);
        if (m) found.push(`${file}:${k + 1} ${m[1]}`);
      });
  }
  assert.deepEqual(found, []);
});

test("the page loads its one module, js/app/main.js", () => {
  const html = fs.readFileSync(path.join(here, "..", "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"><\/script>/g)];
  assert.deepEqual(
    scripts.map((m) => m[1]),
    ["js/app/main.js"],
  );
});
