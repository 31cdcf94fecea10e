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
 * @typedef {object} AppState
 * @property {string} source  the program in the editor
 * @property {Status} status  idle: nothing run yet; running: a request or layout in flight
 * @property {number} run  increases with every Run; answers to older runs are dropped
 * @property {import("./model.js").Model|null} model  the last traced graph
 * @property {import("./layout.js").Layout|null} layout  its coordinates
 * @property {"elk"|"quick"|null} layoutKind  which layout made them (quick: ELK would be too slow)
 * @property {Map<string, import("./labels.js").Card>|null} cards  its node cards
 * @property {string} stdout  printed output of the last run
 * @property {{code: string, message: string, line: number|null, col: number|null}|null} error
 * @property {string|null} hovered  id of the node under the pointer
 * @property {string|null} hoveredEdge  id of the edge under the pointer
 * @property {number|null} elapsedMs  time from Run to drawn graph
 */

/** @returns {AppState} */
export function initialState(source = SEED_PROGRAM) {
  return {
    source,
    status: "idle",
    run: 0,
    model: null,
    layout: null,
    layoutKind: null,
    cards: null,
    stdout: "",
    error: null,
    hovered: null,
    hoveredEdge: null,
    elapsedMs: null,
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

// --- the URL hash: `#src=<base64url of the UTF-8 source>` ------------------------------

/** The hash that reopens the page on `source`. */
export function toHash(source) {
  const bytes = new TextEncoder().encode(source);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const base64 = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `#src=${base64}`;
}

/** The source in a hash made by toHash, or null when the hash holds none (or is damaged). */
export function fromHash(hash) {
  const match = /^#?src=([A-Za-z0-9_-]*)$/.exec(hash ?? "");
  if (!match) return null;
  try {
    const base64 = match[1].replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
