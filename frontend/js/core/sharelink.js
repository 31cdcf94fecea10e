/**
 * The URL hash the page is shared through, and the link that reopens the page as it is.
 * Pure, no DOM.
 *
 * @typedef {import("./state.js").VariableRow} VariableRow
 * @typedef {import("./state.js").Mode} Mode
 */

import { lessonOf } from "./lessons.js";

// `#src=<base64url of the UTF-8 source>` and optionally `&vars=<base64url of JSON>`,
// `&step=<timeline position>`, `&node=<node id>`, `&lesson=<lesson id>`, `&mode=present`:
// `&cmp=<base64url of the second program>` while two runs are compared:
// a copied link reopens the same program, inputs, step, selected node, lesson and mode,
// and the program compared with it.
// A lesson's own, unedited program is not spelled out: `#lesson=chain-rule&step=5` is enough.

const ID = /^[A-Za-z0-9_:.-]+$/;
const MODES = new Set(["present"]);

/** base64url of a string's UTF-8 bytes. */
function encode(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The string encode() made, or null when `text` is not base64url of UTF-8. */
function decode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * @typedef {object} Shared  what a link carries
 * @property {string} source
 * @property {VariableRow[]} [variables]
 * @property {number|null} [step]
 * @property {string|null} [node]
 * @property {string|null} [lesson]
 * @property {Mode|null} [mode]
 * @property {string|null} [compare]  the second program of two runs compared (run B's)
 */

/**
 * The hash that reopens the page on a program (and its inputs, step, selected node,
 * lesson and mode).
 * @param {string|Shared} shared  a source alone, or everything to share; a null source
 *   (with a lesson) stands for the lesson's own program
 */
export function toHash(shared) {
  const {
    source,
    variables = [],
    step = null,
    node = null,
    lesson = null,
    mode = null,
    compare = null,
  } = typeof shared === "string" ? { source: shared } : shared;
  const lessonOk = lesson !== null && ID.test(lesson);
  const parts = [];
  if (lessonOk) parts.push(`lesson=${lesson}`);
  if (source !== null || !lessonOk) parts.push(`src=${encode(source ?? "")}`);
  if (variables.length) parts.push(`vars=${encode(JSON.stringify(variables.map(rowToJson)))}`);
  if (Number.isInteger(step) && step >= 0) parts.push(`step=${step}`);
  if (node && ID.test(node)) parts.push(`node=${node}`);
  if (MODES.has(mode)) parts.push(`mode=${mode}`);
  if (compare !== null) parts.push(`cmp=${encode(compare)}`);
  return `#${parts.join("&")}`;
}

function rowToJson(row) {
  return [row.name, row.value, row.requiresGrad];
}

/**
 * What a hash made by toHash carries, or null when it holds no program and no lesson (or is
 * damaged). `source` is null when only a lesson is named.
 */
export function parseHash(hash) {
  const params = new Map();
  for (const part of (hash ?? "").replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const lesson = ID.test(params.get("lesson") ?? "") ? params.get("lesson") : null;
  if (!params.has("src") && lesson === null) return null;
  const source = params.has("src") ? decode(params.get("src")) : null;
  if (source === null && lesson === null) return null;
  let variables = [];
  if (params.has("vars")) {
    try {
      const rows = JSON.parse(decode(params.get("vars")) ?? "[]");
      variables = rows
        .filter((r) => Array.isArray(r) && typeof r[0] === "string" && typeof r[1] === "string")
        .map(([name, value, requiresGrad]) => ({
          name,
          value,
          requiresGrad: requiresGrad === true,
        }));
    } catch {
      variables = [];
    }
  }
  const step = /^\d+$/.test(params.get("step") ?? "") ? Number(params.get("step")) : null;
  const node = ID.test(params.get("node") ?? "") ? params.get("node") : null;
  const mode = MODES.has(params.get("mode")) ? params.get("mode") : null;
  const compare = params.has("cmp") ? decode(params.get("cmp")) : null;
  return { source, variables, step, node, lesson, mode, compare };
}

/**
 * The part of the state a link sets, as a fresh page opens it: its program, inputs, lesson
 * and mode; the seed program when there is no link (or a damaged one). The program is ""
 * while it is not known yet: a lesson's own comes with the lessons, the seed with the
 * examples.
 * @param {Shared|null} shared  from parseHash
 * @param {string|null} seed  the seed program (core/seed.js), null when not known yet
 * @returns {{source: string, variables: VariableRow[], lesson: string|null, mode: Mode,
 *   compare: {source: string}|null}}
 */
export function fromShared(shared, seed) {
  return {
    compare: typeof shared?.compare === "string" ? { source: shared.compare } : null,
    source: shared?.source ?? (shared?.lesson ? "" : (seed ?? "")),
    variables: shared?.variables ?? [],
    lesson: shared?.lesson ?? null,
    mode: shared?.mode ?? "edit",
  };
}

/** The source in a hash made by toHash, or null when the hash holds none (or is damaged). */
export function fromHash(hash) {
  return parseHash(hash)?.source ?? null;
}

/**
 * The link that reopens this page as it is: "" for the page a fresh load opens (the
 * untouched seed program, `state.seed`; an empty editor while there is none); a lesson's
 * unedited program is left out.
 * @param {import("./state.js").AppState} state
 */
export function shareHash(state) {
  // A class's student: the class's link, whatever the teacher shows.
  if (state.room?.role === "student") return `#room=${state.room.code}`;
  const plain =
    state.source === (state.seed ?? "") &&
    !state.variables.length &&
    !state.step &&
    !state.selected &&
    !state.lesson &&
    !state.compare &&
    state.mode !== "present";
  if (plain) return "";
  const lesson = lessonOf(state);
  return toHash({
    source: lesson && state.source === lesson.source ? null : state.source,
    variables: state.variables,
    step: state.step || null, // the start (0) is where every run opens: not spelled out
    node: state.selected,
    lesson: state.lesson,
    mode: state.mode === "present" ? "present" : null,
    compare: state.compare?.source ?? null,
  });
}
