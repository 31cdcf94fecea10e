/**
 * The one state object of the page, and the URL hash it is shared through. Pure, no DOM.
 *
 * Everything the page shows is derived from this object; main.js changes it only through
 * `store.update`, and subscribers redraw from it.
 */

/** The program the page opens with. */
export const SEED_PROGRAM = `import torch
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([1.4])
y = torch.tensor([2.1])
z = torch.add(torch.mul(w, x), b)  # forward pass
loss = (y-z).pow(2).sum()
loss.backward()
print('dL/dw : ', w.grad)
print('dL/db : ', b.grad)
`;

/**
 * @typedef {"idle"|"running"|"done"|"error"} Status
 *
 * @typedef {object} VariableRow  one row of the variables table (for single expressions)
 * @property {string} name
 * @property {string} value  as typed: a number or a nested list, "[1.4, 2.0]"
 * @property {boolean} requiresGrad
 *
 * @typedef {object} AppState
 * @property {string} source  the program in the editor
 * @property {VariableRow[]} variables  pre-bound inputs sent with a single expression
 * @property {Status} status  idle: nothing run yet; running: a request or layout in flight
 * @property {string|null} progress  while running, what is being done to a large graph
 *   ("Laying out 5,000 nodes…"); null otherwise
 * @property {number} run  increases with every Run; answers to older runs are dropped
 * @property {import("./api.js").TraceOut|null} trace  the last answer, as received (export)
 * @property {import("./model.js").Model|null} model  the last traced graph
 * @property {import("./timeline.js").Timeline|null} timeline  its steps as positions
 * @property {import("./collapse.js").View|null} view  the graph as drawn (modules collapsed)
 * @property {string[]} collapsed  module names shown as one box
 * @property {import("./layout.js").Layout|null} layout  the view's coordinates
 * @property {"elk"|"quick"|"interim"|null} layoutKind  which layout made them (quick: ELK
 *   would be too slow; interim: the quick layout, until ELK's comes, see handoff.js)
 * @property {Map<string, import("./labels.js").Card>|null} cards  the view's node cards
 * @property {string} stdout  printed output of the last run
 * @property {string[]} notes  what that run asked for and chainrule did not do
 * @property {{code: string, message: string, line: number|null, col: number|null}|null} error
 * @property {string|null} hovered  id of the node under the pointer
 * @property {string|null} hoveredEdge  id of the edge under the pointer
 * @property {string|null} selected  id of the node shown in the inspector
 * @property {number|null} step  the timeline position shown; null: the end (all shown)
 * @property {boolean} playing  the player is advancing through the steps
 * @property {number} speed  steps per second at 1 is SPEEDS' 1; a multiplier
 * @property {"output"|"steps"} tab  what the lower left panel shows
 * @property {boolean} cardOpen  the chain-rule card shows its formulas (else only its title)
 * @property {import("./api.js").Example[]|null} examples  the examples menu, once loaded
 * @property {number|null} elapsedMs  time from Run to drawn graph
 * @property {import("./api.js").Lesson[]|null} lessons  the lessons panel, once loaded
 * @property {string|null} lesson  id of the open lesson
 * @property {boolean} lessonsOpen  the lessons panel is shown
 * @property {Mode} mode  edit: the editor beside the graph; present: large, graph only
 * @property {boolean} predict  backward steps hide their gradient until predicted
 * @property {Object<string, Answer>} answers  this run's predictions ("p<position>") and
 *   the lesson's question ("question"); the lesson's score counts them
 * @property {import("./api.js").Check|null} check  the last gradient check
 * @property {"idle"|"running"|"done"|"error"} checkStatus
 *
 * @typedef {"edit"|"present"} Mode
 *
 * @typedef {object} Answer  what a student answered, and whether it was right
 * @property {number|string} given
 * @property {number|string|null} expected  the traced number (or the right option)
 * @property {boolean} correct
 */

/** Playback speeds offered, as multipliers of one step per STEP_MS. */
export const SPEEDS = Object.freeze([0.5, 1, 2, 4]);

/** @returns {AppState} */
export function initialState(source = SEED_PROGRAM, variables = [], extras = {}) {
  return {
    source,
    variables,
    status: "idle",
    progress: null,
    run: 0,
    trace: null,
    model: null,
    timeline: null,
    view: null,
    collapsed: [],
    layout: null,
    layoutKind: null,
    cards: null,
    stdout: "",
    notes: [],
    error: null,
    hovered: null,
    hoveredEdge: null,
    selected: null,
    step: null,
    playing: false,
    speed: 1,
    tab: "output",
    cardOpen: true,
    examples: null,
    elapsedMs: null,
    lessons: null,
    lesson: extras.lesson ?? null,
    lessonsOpen: false,
    mode: extras.mode ?? "edit",
    predict: false,
    answers: {},
    check: null,
    checkStatus: "idle",
  };
}

/**
 * A store holding one AppState: `update` merges a patch and tells every subscriber
 * `(state, previous)`.
 * @param {AppState} initial
 */
export function createStore(initial) {
  let state = Object.freeze({ ...initial });
  const listeners = new Set();
  return {
    /** @returns {AppState} */
    get state() {
      return state;
    },
    /** @param {Partial<AppState>} patch */
    update(patch) {
      const previous = state;
      state = Object.freeze({ ...state, ...patch });
      for (const listener of listeners) listener(state, previous);
    },
    /** @param {(state: AppState, previous: AppState) => void} listener  @returns {() => void} unsubscribe */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

// --- the URL hash ------------------------------------------------------------------------
//
// `#src=<base64url of the UTF-8 source>` and optionally `&vars=<base64url of JSON>`,
// `&step=<timeline position>`, `&node=<node id>`, `&lesson=<lesson id>`, `&mode=present`:
// a copied link reopens the same program, inputs, step, selected node, lesson and mode.
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
  } = typeof shared === "string" ? { source: shared } : shared;
  const lessonOk = lesson !== null && ID.test(lesson);
  const parts = [];
  if (lessonOk) parts.push(`lesson=${lesson}`);
  if (source !== null || !lessonOk) parts.push(`src=${encode(source ?? "")}`);
  if (variables.length) parts.push(`vars=${encode(JSON.stringify(variables.map(rowToJson)))}`);
  if (Number.isInteger(step) && step >= 0) parts.push(`step=${step}`);
  if (node && ID.test(node)) parts.push(`node=${node}`);
  if (MODES.has(mode)) parts.push(`mode=${mode}`);
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
  return { source, variables, step, node, lesson, mode };
}

/**
 * The part of the state a link sets, as a fresh page opens it: its program (none yet for a
 * lesson's own, which comes with the lessons), inputs, lesson and mode; the seed program
 * when there is no link (or a damaged one).
 * @param {Shared|null} shared  from parseHash
 * @returns {{source: string, variables: VariableRow[], lesson: string|null, mode: Mode}}
 */
export function fromShared(shared) {
  return {
    source: shared?.source ?? (shared?.lesson ? "" : SEED_PROGRAM),
    variables: shared?.variables ?? [],
    lesson: shared?.lesson ?? null,
    mode: shared?.mode ?? "edit",
  };
}

/** The source in a hash made by toHash, or null when the hash holds none (or is damaged). */
export function fromHash(hash) {
  return parseHash(hash)?.source ?? null;
}
