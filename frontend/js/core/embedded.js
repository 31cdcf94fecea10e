/**
 * The offline player's trace block, as backend/chainrule/standalone.py writes it: the
 * shell (GET /api/v2/player) is the whole player without a trace, and EMBEDDED_MARKER is
 * where the block goes. The block is JSON (title, source, the request's variables, and the
 * v2 trace gzip-compressed and base64-encoded), `<` escaped so nothing in it ends its
 * element. Also: the variables table's rows of the request's variables. Pure, no DOM.
 */

/** Where the trace's block goes in the shell (standalone.EMBEDDED_MARKER). */
export const EMBEDDED_MARKER = "<!--chainrule:embedded-->";

/** Bytes per String.fromCharCode call when base64-encoding (its argument count is bounded). */
const CHUNK = 0x8000;

/**
 * `text` as UTF-8, gzip-compressed, base64-encoded (what the offline player unpacks).
 * @param {string} text
 * @returns {Promise<string>}
 */
export async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * The text `pack` packed.
 * @param {string} packed
 * @returns {Promise<string>}
 */
export async function unpack(packed) {
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/**
 * The trace's block: a JSON script element the offline player reads at start-up.
 * @param {{trace: import("./contract.js").TraceOutV2, source: string,
 *   variables?: Object<string, import("./contract.js").VariableIn>, title?: string}} what
 *   trace: as POST /api/v2/trace answered it
 * @returns {Promise<string>}
 */
export async function embeddedBlock({ trace, source, variables = {}, title = "chainrule" }) {
  const data = { title, source, variables, trace: await pack(JSON.stringify(trace)) };
  const text = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<script type="application/json" id="chainrule-embedded">${text}</script>\n`;
}

/**
 * The offline player of one trace: `shell` with the trace's block in its place.
 * @param {string} shell  GET /api/v2/player's document
 * @param {Parameters<typeof embeddedBlock>[0]} what
 * @returns {Promise<string>}
 * @throws {Error} when `shell` has no place for the block
 */
export async function playerDocument(shell, what) {
  const at = shell.indexOf(EMBEDDED_MARKER);
  if (at < 0) throw new Error("the offline player's shell has no place for a trace");
  const block = await embeddedBlock(what);
  return shell.slice(0, at) + block + shell.slice(at + EMBEDDED_MARKER.length);
}

/** A value of a request's variable as the table shows it: `[1.4, 2.0]`, `True`. */
function valueText(value) {
  if (Array.isArray(value)) return `[${value.map(valueText).join(", ")}]`;
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/**
 * The variables table's rows of a request's `variables` (the inverse of
 * variables.requestVariables).
 * @param {Object<string, import("./contract.js").VariableIn>|null|undefined} variables
 * @returns {import("./state.js").VariableRow[]}
 */
export function variableRows(variables) {
  return Object.entries(variables ?? {}).map(([name, v]) => ({
    name,
    value: valueText(v.value),
    requiresGrad: v.requires_grad === true,
  }));
}
