/**
 * API v2's trace, read: every tensor is written once, in `tensors`, and referred to by its
 * index everywhere else (a saved value by a link {tensor: i}). `fromWire` puts the tensors
 * back in their places — the same object wherever one tensor is shown, never a copy — so
 * the rest of the page reads the TraceOut of core/contract.js. Pure, no DOM.
 *
 * @typedef {import("./contract.js").TraceOut} TraceOut
 * @typedef {import("./contract.js").TraceOutV2} TraceOutV2
 * @typedef {import("./contract.js").TensorOut} TensorOut
 */

/** Thrown for a reference to no tensor of the table: the body is not a v2 trace. */
export class WireError extends Error {}

/**
 * @param {TraceOutV2} body  as POST /api/v2/trace answers it (not modified)
 * @returns {TraceOut}
 */
export function fromWire(body) {
  const table = body.tensors;
  if (!Array.isArray(table)) throw new WireError("the trace has no tensor table");
  /** @returns {TensorOut|null} */
  const at = (ref) => {
    if (ref === null || ref === undefined) return null;
    if (!Number.isInteger(ref) || ref < 0 || ref >= table.length)
      throw new WireError(`no tensor ${JSON.stringify(ref)} in a table of ${table.length}`);
    return table[ref];
  };
  const saved = (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value) && "tensor" in value
      ? at(value.tensor)
      : value;
  const nodes = body.nodes.map((n) => ({
    ...n,
    value: at(n.value),
    grad: at(n.grad),
    saved: Object.fromEntries(Object.entries(n.saved).map(([k, v]) => [k, saved(v)])),
    outputs: n.outputs.map((o) => ({ ...o, value: at(o.value), grad: at(o.grad) })),
  }));
  const edges = body.edges.map((e) => ({ ...e, grad: at(e.grad), local: at(e.local) }));
  const variables = Object.fromEntries(
    Object.entries(body.variables).map(([name, v]) => [
      name,
      { ...v, value: at(v.value), grad: at(v.grad) },
    ]),
  );
  const phases = body.phases.map((p) => ({ ...p, seed: at(p.seed) }));
  const backward = body.steps.backward.map((s) => ({
    ...s,
    grad: at(s.grad),
    sends: s.sends.map(at),
    accumulated: at(s.accumulated),
    outputs: s.outputs.map((o) => ({ ...o, grad: at(o.grad) })),
  }));
  const rest = { ...body };
  delete rest.tensors;
  return {
    ...rest,
    nodes,
    edges,
    variables,
    phases,
    steps: { forward: body.steps.forward, backward },
  };
}
