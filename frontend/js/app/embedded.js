/**
 * The offline player (backend/chainrule/standalone.py): the page opened from one HTML file
 * with its trace inside, no server behind it. Its recorded trace answers the run pipeline
 * in place of the API; what needs a server (running a changed program, examples, lessons,
 * share links) is disabled, saying why; the gradient check and exporting this file again
 * are hidden.
 */

import { fromWire } from "../core/wire.js";

/** What the disabled controls say. */
export const RECORDED =
  "Recorded in Python: run it in chainrule to change it (pip install chainrule)";

/**
 * @typedef {object} Embedded  what the offline player's start-up script leaves in
 *   globalThis.CHAINRULE_EMBEDDED
 * @property {import("../core/contract.js").TraceOutV2} trace  as POST /api/v2/trace answers
 * @property {string} source  the program that was traced
 * @property {Object<string, import("../core/contract.js").VariableIn>} variables  its inputs
 * @property {string} workerUrl  ELK's worker script (a Blob URL)
 */

/**
 * The run pipeline's `traced` for the offline player: the recorded trace, whatever is asked.
 * @param {Embedded} embedded
 */
export function recordedTrace(embedded) {
  const answer = { trace: fromWire(embedded.trace), wire: embedded.trace };
  return async () => answer;
}

/** Each control that needs a server, and how it is put out of use: disabled, or hidden. */
const NEEDS_SERVER = [
  ["run", "disable"],
  ["examples", "disable"],
  ["lessons-toggle", "disable"],
  ["share", "disable"],
  // The page enables and disables these with what is concealed. This page is the offline
  // HTML already (the browser's Save saves it); the check runs the program again.
  ["export-html", "hide"],
  ["check", "hide"],
];

/**
 * Put the page in the offline player's form: the program read-only, the controls that
 * need a server out of use, a title saying why.
 * @param {Document} doc
 */
export function lockPage(doc) {
  doc.body.classList.add("offline");
  const source = /** @type {HTMLTextAreaElement} */ (doc.getElementById("source"));
  source.readOnly = true;
  source.title = RECORDED;
  for (const [id, how] of NEEDS_SERVER) {
    const control = /** @type {HTMLButtonElement} */ (doc.getElementById(id));
    if (how === "hide") control.hidden = true;
    else control.disabled = true;
    control.title = RECORDED;
  }
  doc.querySelector(".pane-program .hint")?.setAttribute("hidden", "");
}
