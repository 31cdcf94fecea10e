// A room's link as a QR code (core/qr.js, draw/qr.js), checked against the vendored encoder
// itself (vendor/qrcode/qrcode.js, the file the page loads): the path draws exactly the
// modules the encoder made dark, in the version the link needs, with the quiet zone.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { QUIET_ZONE, modulesPath, qrMatrix, qrPath } from "../js/core/qr.js";
import { qrSvg } from "../js/draw/qr.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const LINK = "http://127.0.0.1:8000/r/7QK3M9TBXD";

/** A fresh copy of qrcode-generator's factory from vendor/ (its classic build, as CommonJS). */
function loadQrcode() {
  const source = fs.readFileSync(path.join(here, "..", "vendor", "qrcode", "qrcode.js"), "utf8");
  const module = { exports: {} };
  vm.compileFunction(source, ["module", "exports"], { filename: "qrcode.js" })(
    module,
    module.exports,
  );
  return module.exports;
}

const qrcode = loadQrcode();

/** The cells a path covers, as "row,col" of the code (quiet zone taken off), in order. */
function cellsOf(d) {
  const cells = [];
  for (const [, x, y, w, back] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    assert.equal(back, w, "each run closes on itself");
    for (let k = 0; k < Number(w); k += 1) {
      cells.push(`${Number(y) - QUIET_ZONE},${Number(x) + k - QUIET_ZONE}`);
    }
  }
  assert.equal(d.replace(/M\d+ \d+h\d+v1h-\d+z/g, ""), "", "the path is runs only");
  return cells;
}

/** The cells the encoder made dark, "row,col", row by row. */
function darkCells(matrix) {
  const n = matrix.getModuleCount();
  const cells = [];
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) if (matrix.isDark(row, col)) cells.push(`${row},${col}`);
  }
  return cells;
}

test("a room's link fits version 3 at level M: 29 modules, 37 with the quiet zone", () => {
  const { size, modules } = qrPath(LINK, qrcode);
  assert.deepEqual({ size, modules }, { size: 37, modules: 29 });
});

test("the path draws exactly the modules the encoder made dark", () => {
  const matrix = qrMatrix(LINK, qrcode);
  const cells = cellsOf(modulesPath(matrix).d);
  assert.deepEqual(cells, darkCells(matrix));
  assert.equal(cells.length, 424);
});

test("the same link gives the same path, byte for byte", () => {
  const { d } = qrPath(LINK, qrcode);
  assert.equal(d, qrPath(LINK, loadQrcode()).d);
  assert.equal(d.slice(0, 40), "M4 4h7v1h-7zM12 4h1v1h-1zM14 4h1v1h-1zM1");
  // Pinned: a new qrcode-generator that draws this link otherwise changes this hash.
  assert.equal(
    crypto.createHash("sha256").update(d).digest("hex"),
    "db5bb7c2eeec495451c52e56bab3c2a59f9f8e85395f363d1aa26016317f0600",
  );
});

test("finder patterns sit at three corners, none at the fourth", () => {
  const { d, modules: n } = qrPath(LINK, qrcode);
  const dark = new Set(cellsOf(d));
  // A finder: a dark 7×7 ring, a light ring inside it, a dark 3×3 centre.
  const finderAt = (top, left) => {
    for (let r = 0; r < 7; r += 1) {
      for (let c = 0; c < 7; c += 1) {
        const ring = r === 0 || r === 6 || c === 0 || c === 6;
        const centre = r >= 2 && r <= 4 && c >= 2 && c <= 4;
        if (dark.has(`${top + r},${left + c}`) !== (ring || centre)) return false;
      }
    }
    return true;
  };
  assert.deepEqual(
    [finderAt(0, 0), finderAt(0, n - 7), finderAt(n - 7, 0), finderAt(n - 7, n - 7)],
    [true, true, true, false],
  );
});

test("nothing is drawn in the quiet zone", () => {
  const { d, size } = qrPath(LINK, qrcode);
  const xs = [...d.matchAll(/M(\d+) (\d+)h(\d+)/g)].map(([, x, , w]) => [+x, +x + +w]);
  const ys = [...d.matchAll(/M\d+ (\d+)/g)].map(([, y]) => +y);
  assert.equal(Math.min(...xs.map(([x]) => x)), QUIET_ZONE);
  assert.equal(Math.max(...xs.map(([, end]) => end)), size - QUIET_ZONE);
  assert.deepEqual([Math.min(...ys), Math.max(...ys) + 1], [QUIET_ZONE, size - QUIET_ZONE]);
});

test("text past ASCII is encoded as UTF-8, as the encoder's own UTF-8 mode does it", () => {
  const text = "http://例え.jp/r/7QK3M9TBXD?ü";
  const utf8 = loadQrcode();
  utf8.stringToBytes = utf8.stringToBytesFuncs["UTF-8"];
  const oracle = utf8(0, "M");
  oracle.addData(text, "Byte");
  oracle.make();
  assert.deepEqual(darkCells(qrMatrix(text, qrcode)), darkCells(oracle));
  assert.equal(qrcode.stringToBytes, qrcode.stringToBytesFuncs.default, "no global changed");
});

test("a text too long for any version is the encoder's error", () => {
  assert.equal(qrPath("x".repeat(2331), qrcode).modules, 177); // version 40 at level M
  assert.throws(() => qrPath("x".repeat(2332), qrcode), /code length overflow/);
});

/** Just enough of a document for qrSvg: elements with attributes and children. */
const fakeDocument = {
  createElementNS(ns, tag) {
    return {
      ns,
      tag,
      attributes: {},
      children: [],
      setAttribute(name, value) {
        this.attributes[name] = value;
      },
      append(...nodes) {
        this.children.push(...nodes);
      },
    };
  },
};

test("qrSvg builds a labelled square svg: a light square, then the dark modules' path", () => {
  const svg = qrSvg(LINK, "Room link", { encode: qrcode, doc: fakeDocument });
  const SVG = "http://www.w3.org/2000/svg";
  const { d } = qrPath(LINK, qrcode);
  assert.deepEqual(
    [svg.ns, svg.tag, svg.attributes],
    [SVG, "svg", {
      viewBox: "0 0 37 37",
      role: "img",
      "aria-label": "Room link",
      "shape-rendering": "crispEdges",
    }],
  );
  assert.deepEqual(
    svg.children.map((child) => [child.ns, child.tag, child.attributes]),
    [
      [SVG, "rect", { width: "37", height: "37", fill: "#fff" }],
      [SVG, "path", { d, fill: "#000" }],
    ],
  );
});

test("qrSvg without an encoder says the vendored script is missing", () => {
  assert.throws(
    () => qrSvg(LINK, "Room link", { encode: undefined, doc: fakeDocument }),
    /vendor\/qrcode\/qrcode\.js is not loaded/,
  );
});
