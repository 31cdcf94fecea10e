/**
 * The classroom rooms' HTTP edge (/api/v2/rooms, docs/api.md): create a room, publish the
 * teacher's state, read the class's answers, end it; join as a student and answer; follow
 * the teacher's states as server-sent events. Every failure is an ApiError (net/api.js),
 * with the server's `Retry-After` in seconds when it sent one.
 *
 * @typedef {import("../core/contract.js").RoomCreatedOut} RoomCreated
 * @typedef {import("../core/contract.js").RoomStateRequest} RoomStateRequest
 * @typedef {import("../core/contract.js").RoomStateOut} RoomStateOut
 * @typedef {import("../core/contract.js").RoomAnswersOut} RoomAnswers
 */

import { ApiError, isErrorOut, send } from "./api.js";

/** Where the rooms live, relative to the page. */
export const ROOMS_URL = "api/v2/rooms";

/** A room's own address under ROOMS_URL; a code is letters and digits only. */
function roomUrl(code, rest = "") {
  return `${ROOMS_URL}/${encodeURIComponent(code)}${rest}`;
}

/**
 * One call: the JSON body (undefined when there is none, as for 204).
 * @param {string} url
 * @param {{method?: string, json?: unknown, secret?: string|null, fetch?: typeof fetch}} [options]
 * @throws {ApiError}  with `retryAfter` (seconds) when the server said when to try again
 */
async function call(url, { method = "GET", json, secret = null, fetch: fetchImpl = globalThis.fetch } = {}) {
  const headers = { Accept: "application/json" };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (secret) headers.Authorization = `Bearer ${secret}`;
  const init = { method, headers, cache: "no-store" };
  if (json !== undefined) init.body = JSON.stringify(json);
  const { response, body } = await send(fetchImpl, url, init);
  if (response.ok) return body;
  const error = isErrorOut(body)
    ? new ApiError({ ...body.error, status: response.status })
    : new ApiError({
        code: "bad_response",
        message: `the server answered ${response.status} without an error description`,
        status: response.status,
      });
  const wait = Number(response.headers.get("Retry-After"));
  error.retryAfter = Number.isFinite(wait) && wait > 0 ? wait : null;
  throw error;
}

/** A new room: its code, the teacher's secret (shown this once), the students' path. */
export function createRoom(options = {}) {
  return /** @type {Promise<RoomCreated>} */ (call(ROOMS_URL, { method: "POST", ...options }));
}

/** The room's current state, `{code, seq, state}` (404 once it ended). */
export function roomState(code, options = {}) {
  return /** @type {Promise<RoomStateOut>} */ (call(roomUrl(code), options));
}

/**
 * Publish the teacher's state: every student's page follows it.
 * @param {string} code
 * @param {string} secret
 * @param {RoomStateRequest} state
 * @returns {Promise<{seq: number}>}
 */
export function publishState(code, secret, state, options = {}) {
  return call(roomUrl(code, "/state"), { method: "PUT", json: state, secret, ...options });
}

/** End the class: every student's stream gets `end`. */
export function endRoom(code, secret, options = {}) {
  return call(roomUrl(code), { method: "DELETE", secret, ...options });
}

/**
 * The class's answers to the open question, counted; `query` says what is right
 * (core/room.js's tallyQuery).
 * @returns {Promise<RoomAnswers>}
 */
export function classAnswers(code, secret, query, options = {}) {
  const url = roomUrl(code, `/answers${query ? `?${query}` : ""}`);
  return call(url, { secret, ...options });
}

/** An anonymous student token for this room. */
export async function joinRoom(code, options = {}) {
  const body = await call(roomUrl(code, "/students"), { method: "POST", ...options });
  return /** @type {string} */ (body.student);
}

/**
 * Send a student's answer to the open question (409: already answered, or closed).
 * @param {string} code
 * @param {{student: string, question: string, value: number|string}} answer
 */
export function sendAnswer(code, answer, options = {}) {
  return call(roomUrl(code, "/answers"), { method: "POST", json: answer, ...options });
}

/** The teacher's states as server-sent events (an EventSource the caller listens to). */
export function roomEvents(code) {
  return new EventSource(roomUrl(code, "/events"));
}
