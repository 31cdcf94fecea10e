import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  EMBEDDED_MARKER,
  embeddedBlock,
  pack,
  playerDocument,
  unpack,
  variableRows,
} from "../js/core/embedded.js";
import { wireFixture } from "./helpers.mjs";

const SHELL = `<body>\n<p>player</p>\n${EMBEDDED_MARKER}\n<script id="boot"></script>\n</body>`;

/** The JSON of the trace's block in a document. */
function blockOf(html) {
  const match = html.match(/<script type="application\/json" id="chainrule-embedded">(.*?)<\/script>/s);
  return JSON.parse(match[1]);
}

test("pack gzips and base64-encodes UTF-8 that gzip itself reads back", async () => {
  const text = "∂loss/∂w = -0.56 ✓ ".repeat(5000);
  const packed = await pack(text);
  assert.equal(gunzipSync(Buffer.from(packed, "base64")).toString("utf8"), text);
  assert.equal(await unpack(packed), text);
});

test("the player document is the shell with the trace's block in the marker's place", async () => {
  const trace = wireFixture("seed_trace.json");
  const variables = { w: { value: [1, 2.5], requires_grad: true } };
  const html = await playerDocument(SHELL, { trace, source: "print(1)\n", variables, title: "t" });
  const [before, after] = html.split(/<script type="application\/json"[^]*?<\/script>\n/);
  assert.deepEqual([before, after], ['<body>\n<p>player</p>\n', '\n<script id="boot"></script>\n</body>']);
  const block = blockOf(html);
  assert.deepEqual(JSON.parse(await unpack(block.trace)), trace);
  delete block.trace;
  assert.deepEqual(block, { title: "t", source: "print(1)\n", variables });
});

test("text that would end a script element is escaped inside the block", async () => {
  const source = 'print("</script><script>alert(1)</script>")\n';
  const block = await embeddedBlock({ trace: { nodes: [] }, source });
  assert.equal(block.match(/<\/script/g).length, 1);
  assert.ok(block.includes(String.raw`\u003c/script>\u003cscript>`));
  assert.equal(blockOf(block).source, source);
});

test("a shell with no place for the trace is refused", async () => {
  await assert.rejects(
    playerDocument("<body></body>", { trace: {}, source: "" }),
    /no place for a trace/,
  );
});

test("a request's variables become the table's rows, as typed", () => {
  assert.deepEqual(
    variableRows({
      w: { value: [[1, 2.5], [3, -4]], requires_grad: true },
      flag: { value: false },
      x: { value: 1.4, requires_grad: false },
    }),
    [
      { name: "w", value: "[[1, 2.5], [3, -4]]", requiresGrad: true },
      { name: "flag", value: "False", requiresGrad: false },
      { name: "x", value: "1.4", requiresGrad: false },
    ],
  );
  assert.deepEqual(variableRows(null), []);
});
