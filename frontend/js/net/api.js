/**
 * The HTTP edge: POST /api/v2/trace, GET the examples, the lessons and the offline
 * player's shell, and turn every failure into an ApiError. The bodies' shapes are core/contract.js's typedefs; a trace
 * comes in v2's form (each tensor once, in a table) and leaves here as a TraceOut
 * (core/wire.js).
 *
 * @typedef {import("../core/contract.js").TraceRequest} TraceRequest
 * @typedef {import("../core/contract.js").TraceOut} TraceOut
 * @typedef {import("../core/contract.js").Example} Example
 * @typedef {import("../core/contract.js").Lesson} Lesson
 */

import { fromWire } from "../core/wire.js";

/** Where the API lives, relative to the page. */
export const TRACE_URL = "api/v2/trace";
export const EXAMPLES_URL = "api/v2/examples";
export const LESSONS_URL = "api/v2/lessons";
export const PLAYER_URL = "api/v2/player";
/** A trace request with this header set to "1" may share an identical request's answer. */
export const SHARE_HEADER = "X-Chainrule-Share";

// --- errors ----------------------------------------------------------------------------

/**
 * Any failure of a call: the server's ErrorDetail, or one made up here for failures the
 * server could not describe (code "network_error" with status 0, "bad_response").
 */
export class ApiError extends Error {
  /**
   * @param {{code: string, message: string, line?: number|null, col?: number|null,
   *   status: number, torchMessage?: string|null, names?: string[]|null,
   *   stdout?: string|null, partial?: TraceOut|null}} detail  the last four: what a
   *   program's error carries besides (ErrorDetail's torch_message, names, stdout, partial)
   */
  constructor({
    code,
    message,
    line = null,
    col = null,
    status,
    torchMessage = null,
    names = null,
    stdout = null,
    partial = null,
  }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.line = line;
    this.col = col;
    this.status = status;
    this.torchMessage = torchMessage;
    this.names = names;
    this.stdout = stdout;
    this.partial = partial;
  }
}

/** Is `body` an ErrorOut? */
export function isErrorOut(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    typeof body.error === "object" &&
    body.error !== null &&
    typeof body.error.code === "string" &&
    typeof body.error.message === "string"
  );
}

/** Is `body` shaped like a v2 trace (enough to draw it)? */
function isTraceOut(body) {
  return (
    body !== null &&
    typeof body === "object" &&
    Array.isArray(body.nodes) &&
    Array.isArray(body.edges) &&
    Array.isArray(body.tensors) &&
    typeof body.stdout === "string"
  );
}

/** The TraceOut of a v2 trace, or null when its references do not hold. */
function readTrace(body) {
  try {
    return fromWire(body);
  } catch {
    return null;
  }
}

/**
 * fetch, with a failure to reach the server as an ApiError "network_error"; an abort
 * rethrows fetch's AbortError.
 * @returns {Promise<Response>}
 */
async function reach(fetchImpl, url, init) {
  try {
    return await fetchImpl(url, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError({
      code: "network_error",
      message: "could not reach the chainrule server",
      status: 0,
    });
  }
}

/**
 * Send one request: the response and its JSON body (undefined when it has none), or the
 * errors of `reach`.
 * @returns {Promise<{response: Response, body: any}>}
 */
export async function send(fetchImpl, url, init) {
  const response = await reach(fetchImpl, url, init);
  let body;
  try {
    body = await response.json();
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    body = undefined;
  }
  return { response, body };
}

/**
 * Run and trace a program.
 * @param {TraceRequest} request
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 *   fetch: injected in tests; signal: aborts the request (the promise then rejects with the
 *   AbortError from fetch, not an ApiError)
 * @returns {Promise<TraceOut>}  the trace, its tensors in their places (core/wire.js)
 * @throws {ApiError}
 */
export async function trace(request, options = {}) {
  return (await traceWithWire(request, options)).trace;
}

/**
 * `trace`, and the body as the server sent it (API v2's form, for the offline player).
 * @param {TraceRequest} request
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string, shared?: boolean}}
 *   [options]  as trace's; shared: the server may answer with an identical request's
 *   trace (a class's students, all tracing their teacher's program)
 * @returns {Promise<{trace: TraceOut, wire: import("../core/contract.js").TraceOutV2}>}
 * @throws {ApiError}
 */
export async function traceWithWire(
  request,
  { fetch: fetchImpl = globalThis.fetch, signal, url = TRACE_URL, shared = false } = {},
) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  // A class's student: the same program as the class's, traced once for all of them.
  if (shared) headers[SHARE_HEADER] = "1";
  const { response, body } = await send(fetchImpl, url, {
    method: "POST",
    headers,
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) {
    if (isErrorOut(body)) {
      const { code, message, line = null, col = null } = body.error;
      const { torch_message: torchMessage = null, names = null, stdout = null } = body.error;
      const partial = isTraceOut(body.error.partial) ? readTrace(body.error.partial) : null;
      throw new ApiError({
        code,
        message,
        line,
        col,
        status: response.status,
        torchMessage: typeof torchMessage === "string" ? torchMessage : null,
        names: Array.isArray(names) ? names.filter((n) => typeof n === "string") : null,
        stdout: typeof stdout === "string" ? stdout : null,
        partial,
      });
    }
    throw new ApiError({
      code: "bad_response",
      message: `the server answered ${response.status} without an error description`,
      status: response.status,
    });
  }
  const traced = isTraceOut(body) ? readTrace(body) : null;
  if (!traced) {
    throw new ApiError({
      code: "bad_response",
      message: "the server's answer is not a traced graph",
      status: response.status,
    });
  }
  return { trace: traced, wire: body };
}

/**
 * GET a JSON list whose every item passes `valid`.
 * @throws {ApiError}
 */
async function getList(url, valid, what, { fetch: fetchImpl = globalThis.fetch, signal } = {}) {
  const { response, body } = await send(fetchImpl, url, {
    headers: { Accept: "application/json" },
    signal,
  });
  if (!(response.ok && Array.isArray(body) && body.every((e) => e && valid(e)))) {
    throw new ApiError({
      code: "bad_response",
      message: `the server's answer is not a list of ${what}`,
      status: response.status,
    });
  }
  return body;
}

/**
 * The examples menu: every example program the server offers, in its order.
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 * @returns {Promise<Example[]>}
 * @throws {ApiError}
 */
export function examples({ url = EXAMPLES_URL, ...options } = {}) {
  const valid = (e) => typeof e.id === "string" && typeof e.source === "string";
  return getList(url, valid, "examples", options);
}

/**
 * The lessons panel: every guided lesson, in its order.
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 * @returns {Promise<Lesson[]>}
 * @throws {ApiError}
 */
export function lessons({ url = LESSONS_URL, ...options } = {}) {
  const valid = (e) =>
    typeof e.id === "string" &&
    typeof e.source === "string" &&
    Array.isArray(e.pauses) &&
    e.question &&
    typeof e.question.prompt === "string";
  return getList(url, valid, "lessons", options);
}

/**
 * The offline player without a trace (an HTML document; core/embedded.js puts one in).
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, url?: string}} [options]
 * @returns {Promise<string>}
 * @throws {ApiError}
 */
export async function playerShell({
  fetch: fetchImpl = globalThis.fetch,
  signal,
  url = PLAYER_URL,
} = {}) {
  const response = await reach(fetchImpl, url, { headers: { Accept: "text/html" }, signal });
  if (!response.ok) {
    throw new ApiError({
      code: "bad_response",
      message: `the server answered ${response.status} for the offline player`,
      status: response.status,
    });
  }
  return response.text();
}
