/**
 * The variables of a single expression as the request sends them: each row's typed value
 * read as a number, True/False or nested lists of those. Pure, no DOM; the table they are
 * typed into is panels/variablestable.js.
 */

/** A value typed into the table is a number, True/False, or nested lists of those. */
export class VariableError extends Error {
  constructor(message) {
    super(message);
    this.name = "VariableError";
  }
}

function checkNested(value, depth = 0) {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new VariableError("numbers must be finite");
    return;
  }
  if (typeof value === "boolean") return;
  if (Array.isArray(value) && depth < 32) {
    for (const v of value) checkNested(v, depth + 1);
    return;
  }
  throw new VariableError("a value is a number, True/False, or a nested list of them");
}

/**
 * The value a row's text stands for: `1.4`, `[1.4, 2.0]`, `[[1, 2], [3, 4]]`, `True`.
 * @param {string} text
 * @returns {number|boolean|Array}
 * @throws {VariableError}
 */
export function parseValue(text) {
  const json = text
    .trim()
    .replace(/\bTrue\b/g, "true")
    .replace(/\bFalse\b/g, "false");
  if (json === "") throw new VariableError("the value is empty");
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    throw new VariableError(`cannot read ${JSON.stringify(text.trim())} as a number or list`);
  }
  checkNested(value);
  return value;
}

/**
 * The request's `variables` from the table's rows (rows without a name are skipped).
 * @param {import("./state.js").VariableRow[]} rows
 * @returns {Object<string, import("./contract.js").VariableIn>}
 * @throws {VariableError} naming the row at fault
 */
export function requestVariables(rows) {
  const out = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (!name) continue;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new VariableError(`${JSON.stringify(name)} is not a variable name`);
    }
    try {
      out[name] = { value: parseValue(row.value), requires_grad: row.requiresGrad };
    } catch (err) {
      throw new VariableError(`variable ${name}: ${err.message}`);
    }
  }
  return out;
}

/**
 * Whether `source` is one line of code (blank lines and comments aside): a single
 * expression, whose unknown names are the variables it needs, not typos in a program.
 * @param {string} source
 */
export function isOneLine(source) {
  const code = source.split(/\r\n|\r|\n/).filter((line) => !/^\s*(#.*)?$/.test(line));
  return code.length === 1;
}

/**
 * The rows with one more for each of `names` that has none (name filled in, the value to
 * type, requires_grad off), in the order given; rows without a name are dropped.
 * @param {import("./state.js").VariableRow[]} rows
 * @param {string[]} names  the unknown names the server listed (ErrorDetail.names)
 * @returns {{rows: import("./state.js").VariableRow[], added: string[]}}
 */
export function offerRows(rows, names) {
  const kept = rows.filter((row) => row.name.trim() !== "");
  const have = new Set(kept.map((row) => row.name.trim()));
  const added = [...new Set(names)].filter((name) => !have.has(name));
  const fresh = added.map((name) => ({ name, value: "", requiresGrad: false }));
  return { rows: [...kept, ...fresh], added };
}

/**
 * What the page says of the unknown names it offered rows for: each to be given a value.
 * @param {string[]} added  offerRows's `added` (one or more)
 */
export function offeredMessage(added) {
  const quoted = added.map((name) => `'${name}'`);
  return quoted.length === 1
    ? `unknown name ${quoted[0]}: give it a value under Variables`
    : `unknown names ${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}: give each a value under Variables`;
}
