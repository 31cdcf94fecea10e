/**
 * The seed program: what a fresh page (no share link) shows and runs. It is not written
 * here: it is the source of one example of GET /api/v1/examples, found by its id, so the
 * page, the REST API and the tests share the one copy in content/examples.py. Pure, no DOM.
 *
 * @typedef {import("./contract.js").Example} Example
 */

/** The id of the example that is the seed program. */
export const SEED_EXAMPLE = "linear-regression";

/** The error code the page shows when it has no seed program to open. */
export const SEED_UNAVAILABLE = "seed_unavailable";

/**
 * The seed program: the source of the example SEED_EXAMPLE, or null when `examples` (not
 * loaded, or failed to load) has none.
 * @param {Example[]|null} examples
 * @returns {string|null}
 */
export function seedProgram(examples) {
  return examples?.find((e) => e.id === SEED_EXAMPLE)?.source ?? null;
}

/**
 * The error a fresh page shows in place of the seed program when the examples did not
 * bring it: why (the failure of GET /api/v1/examples, or no such example), and what to do.
 * @param {{message: string}|null} failure  the request's error; null: it answered
 * @returns {{code: string, message: string, line: null, col: null}}
 */
export function seedUnavailable(failure) {
  const why = failure
    ? `the examples could not be loaded: ${failure.message}`
    : `the server's examples have none with the id "${SEED_EXAMPLE}"`;
  return {
    code: SEED_UNAVAILABLE,
    message: `No program to open: ${why}. Write a program and press Run, or reload the page.`,
    line: null,
    col: null,
  };
}
