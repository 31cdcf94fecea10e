/**
 * The traced graph as the browser uses it: nodes by id, each node's in- and out-edges.
 *
 * Pure: built once from a TraceOut, never touches the DOM. Edges point forward (data flow):
 * `source` is an input of `target`.
 */

/**
 * @typedef {import("./contract.js").NodeOut} GraphNode
 * @typedef {import("./contract.js").EdgeOut & {id: string}} ModelEdge  an edge with a stable id
 * @typedef {object} Model
 * @property {GraphNode[]} nodes  in the order the server sent them
 * @property {Map<string, GraphNode>} byId
 * @property {ModelEdge[]} edges
 * @property {Map<string, ModelEdge[]>} inEdges  per node, ordered by input position
 * @property {Map<string, ModelEdge[]>} outEdges  per node, in server order
 * @property {string|null} output  id of the differentiated node
 * @property {Object<string, import("./contract.js").VariableOut>} variables
 * @property {string} stdout
 * @property {string[]} notes  what the program asked for that chainrule did not do
 * @property {import("./contract.js").ModuleOut[]} modules  the module tree of named models
 * @property {import("./contract.js").PhaseOut[]} phases  one per backward() call
 * @property {import("./contract.js").StepsOut} steps  forward (teaching order) and backward
 *   (autograd's order); edge indices in steps are positions in `edges`
 */

/** The trace does not describe a graph (ids repeated or missing). */
export class ModelError extends Error {
  constructor(message) {
    super(message);
    this.name = "ModelError";
  }
}

/**
 * Index a TraceOut.
 * @param {import("./contract.js").TraceOut} trace
 * @returns {Model}
 * @throws {ModelError}
 */
export function buildModel(trace) {
  const byId = new Map();
  const inEdges = new Map();
  const outEdges = new Map();
  for (const node of trace.nodes) {
    if (byId.has(node.id)) throw new ModelError(`node id ${node.id} appears twice`);
    byId.set(node.id, node);
    inEdges.set(node.id, []);
    outEdges.set(node.id, []);
  }
  const edges = trace.edges.map((edge, i) => {
    for (const end of [edge.source, edge.target]) {
      if (!byId.has(end)) throw new ModelError(`edge ${i} refers to unknown node ${end}`);
    }
    const modelEdge = { ...edge, id: `e${i}` };
    inEdges.get(edge.target).push(modelEdge);
    outEdges.get(edge.source).push(modelEdge);
    return modelEdge;
  });
  for (const list of inEdges.values()) list.sort((a, b) => a.input - b.input);
  if (trace.output !== null && trace.output !== undefined && !byId.has(trace.output)) {
    throw new ModelError(`output ${trace.output} is not a node`);
  }
  const steps = {
    forward: trace.steps?.forward ?? [],
    backward: trace.steps?.backward ?? [],
  };
  for (const [order, list] of Object.entries(steps)) {
    list.forEach((step, i) => {
      if (!byId.has(step.node)) {
        throw new ModelError(`${order} step ${i} refers to unknown node ${step.node}`);
      }
      for (const e of step.edges) {
        if (!(e >= 0 && e < edges.length)) {
          throw new ModelError(`${order} step ${i} refers to unknown edge ${e}`);
        }
      }
    });
  }
  return {
    nodes: trace.nodes,
    byId,
    edges,
    inEdges,
    outEdges,
    output: trace.output ?? null,
    variables: trace.variables ?? {},
    stdout: trace.stdout ?? "",
    notes: trace.notes ?? [],
    modules: trace.modules ?? [],
    phases: trace.phases ?? [],
    steps,
  };
}

/** The node with this id; throws on an unknown id. */
export function nodeById(model, id) {
  const node = model.byId.get(id);
  if (!node) throw new ModelError(`no node ${id}`);
  return node;
}

/** The nodes feeding `id`, in input order. */
export function inputsOf(model, id) {
  return (model.inEdges.get(id) ?? []).map((e) => model.byId.get(e.source));
}

/** The nodes that take `id` as an input. */
export function consumersOf(model, id) {
  return (model.outEdges.get(id) ?? []).map((e) => model.byId.get(e.target));
}

/**
 * One listed output of an op that produced several tensors (unbind, split, max with dim),
 * shaped like a node so cards and formulas name it as they name a node: `name`, `value`,
 * `grad`, `grad_parts` are that output's; `output` is its position among the op's results
 * (the number edges reading it carry) and `node` the op itself.
 * @typedef {GraphNode & {output: number, differentiable: boolean, node: GraphNode}} Result
 */

/** Results made once per node, so the same output is always the same object. */
const madeResults = new WeakMap();

/** Does `node` list its outputs (an op whose several results the program used)? */
export function listsOutputs(node) {
  return Array.isArray(node?.outputs) && node.outputs.length > 0;
}

/**
 * The listed outputs of a node, as Results in the order the server sent them; [] for a
 * node that lists none.
 * @param {GraphNode} node
 * @returns {Result[]}
 */
export function resultsOf(node) {
  if (!listsOutputs(node)) return [];
  let made = madeResults.get(node);
  if (!made) {
    made = node.outputs.map((out) => ({
      ...node,
      name: out.name ?? null,
      value: out.value ?? null,
      grad: out.grad ?? null,
      grad_parts: out.grad_parts ?? [],
      outputs: [],
      output: out.output,
      differentiable: out.differentiable !== false,
      node,
    }));
    madeResults.set(node, made);
  }
  return made;
}

/**
 * The tensor that is output `output` of `node`: the node itself when it lists no outputs,
 * else that listed output (an unnamed one without value if the trace does not list it).
 * @param {GraphNode} node
 * @param {number} [output]
 * @returns {GraphNode|Result}
 */
export function resultOf(node, output = 0) {
  if (!listsOutputs(node)) return node;
  const found = resultsOf(node).find((r) => r.output === output);
  return (
    found ?? {
      ...node,
      name: null,
      value: null,
      grad: null,
      grad_parts: [],
      outputs: [],
      output,
      differentiable: true,
      node,
    }
  );
}

/** The tensor an edge carries: its source node, or the output of it the edge reads. */
export function edgeTensor(model, edge) {
  return resultOf(model.byId.get(edge.source), edge.output ?? 0);
}

/** The differentiated node, or null. */
export function outputNode(model) {
  return model.output === null ? null : model.byId.get(model.output);
}

/**
 * Node ids in data-flow order (every node after its inputs); ties go in source order.
 * Iterative, so long chains cannot overflow the stack.
 * @param {Model} model
 * @returns {string[]}
 * @throws {ModelError} when the edges form a cycle
 */
export function forwardOrder(model) {
  // Among ready nodes, the one made earliest in the source goes first (reading order), then
  // server order, so the result is deterministic.
  const key = new Map(
    model.nodes.map((n, i) => [n.id, [n.span?.line ?? Infinity, n.span?.col ?? Infinity, i]]),
  );
  const before = (a, b) => {
    const [ka, kb] = [key.get(a), key.get(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  };
  const waiting = new Map(model.nodes.map((n) => [n.id, model.inEdges.get(n.id).length]));
  const ready = new MinHeap(before);
  for (const n of model.nodes) if (waiting.get(n.id) === 0) ready.push(n.id);
  const order = [];
  while (ready.size > 0) {
    const id = ready.pop();
    order.push(id);
    for (const edge of model.outEdges.get(id)) {
      const left = waiting.get(edge.target) - 1;
      waiting.set(edge.target, left);
      if (left === 0) ready.push(edge.target);
    }
  }
  if (order.length !== model.nodes.length) throw new ModelError("the graph has a cycle");
  return order;
}

/** A binary heap: the smallest item by `compare` comes out first. */
class MinHeap {
  constructor(compare) {
    this.compare = compare;
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  push(item) {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i], a[parent]) >= 0) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.compare(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
