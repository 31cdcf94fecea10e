/**
 * The graph as drawn: module clusters, some collapsed to one box. Pure, no DOM.
 *
 * A view has the shape of a model (nodes, byId, edges, inEdges, outEdges, output), so the
 * layout code lays out either. Its nodes are the model's own nodes plus one box per
 * collapsed module; edges into or out of a box stand for the model edges they replace,
 * and edges inside a box disappear. Expanded modules become clusters around their nodes.
 */

/** Id prefixes of the things a view adds. */
export const BOX_PREFIX = "m:";
export const CLUSTER_PREFIX = "c:";

/** Graphs with more nodes than this open with their modules collapsed. */
export const COLLAPSE_ABOVE_NODES = 300;

/**
 * @typedef {object} ModuleBox  a collapsed module drawn as one node
 * @property {string} id  "m:" + module name
 * @property {"module"} kind
 * @property {string} module  the module's qualified name ("model.0")
 * @property {string} type  its class ("Linear")
 * @property {string|null} parentModule
 * @property {string[]} members  ids of the model nodes inside it
 * @property {string|null} name  null: a box is not a tensor
 * @property {string} label
 * @property {import("./contract.js").SpanOut|null} span  the earliest span of its members
 *
 * @typedef {object} Cluster  an expanded module drawn as a frame around its contents
 * @property {string} id  "c:" + module name
 * @property {string} module
 * @property {string} type
 * @property {string|null} parent  id of the enclosing cluster, or null
 * @property {string[]} children  ids of the view nodes directly inside it
 *
 * @typedef {import("./model.js").ModelEdge & {members: string[]}} ViewEdge
 *
 * @typedef {object} View
 * @property {(import("./contract.js").NodeOut|ModuleBox)[]} nodes
 * @property {Map<string, import("./contract.js").NodeOut|ModuleBox>} byId
 * @property {ViewEdge[]} edges
 * @property {Map<string, ViewEdge[]>} inEdges
 * @property {Map<string, ViewEdge[]>} outEdges
 * @property {string|null} output
 * @property {Cluster[]} clusters  parents before their children
 * @property {Map<string, string>} owner  model node id -> the view node that shows it
 * @property {Map<string, string|null>} edgeOwner  model edge id -> view edge (null: hidden)
 * @property {Set<string>} collapsed  module names collapsed in this view
 */

/**
 * Module name -> its chain of modules from the outermost, for every module of the model.
 * @param {import("./contract.js").ModuleOut[]} modules
 * @returns {Map<string, string[]>}
 */
export function moduleChains(modules) {
  const parent = new Map(modules.map((m) => [m.name, m.parent]));
  const chains = new Map();
  for (const m of modules) {
    const chain = [];
    const seen = new Set();
    for (let at = m.name; at && parent.has(at) && !seen.has(at); at = parent.get(at)) {
      seen.add(at);
      chain.push(at);
    }
    chains.set(m.name, chain.reverse());
  }
  return chains;
}

/** The modules that hold at least one node, directly or through their children. */
export function occupiedModules(model) {
  const chains = moduleChains(model.modules);
  const used = new Set();
  for (const n of model.nodes) for (const m of chains.get(n.module) ?? []) used.add(m);
  return model.modules.filter((m) => used.has(m.name)).map((m) => m.name);
}

/**
 * The modules to collapse when a large graph first opens: the outermost level that has
 * more than one module, so a Sequential shows as its layers rather than as one box.
 * @param {import("./model.js").Model} model
 * @returns {string[]}
 */
export function initialCollapsed(model, limit = COLLAPSE_ABOVE_NODES) {
  if (model.nodes.length <= limit) return [];
  const used = new Set(occupiedModules(model));
  const children = (parent) =>
    model.modules
      .filter((m) => used.has(m.name) && (m.parent ?? null) === parent)
      .map((m) => m.name);
  let level = model.modules
    .filter((m) => used.has(m.name) && !used.has(m.parent))
    .map((m) => m.name);
  while (level.length === 1 && children(level[0]).length > 0) level = children(level[0]);
  return level;
}

/**
 * The view of a model with the modules in `collapsed` shown as boxes.
 * @param {import("./model.js").Model} model
 * @param {Iterable<string>} [collapsed]  module names
 * @returns {View}
 */
export function buildView(model, collapsed = []) {
  const closed = new Set(collapsed);
  const chains = moduleChains(model.modules);
  const types = new Map(model.modules.map((m) => [m.name, m.type]));
  const parents = new Map(model.modules.map((m) => [m.name, m.parent]));

  // Each model node is shown by itself or by the outermost collapsed module around it.
  const owner = new Map();
  const boxes = new Map();
  const home = new Map(); // view node id -> innermost expanded module it sits in, or null
  for (const node of model.nodes) {
    const chain = chains.get(node.module) ?? [];
    const at = chain.findIndex((m) => closed.has(m));
    if (at < 0) {
      owner.set(node.id, node.id);
      home.set(node.id, chain.length ? chain[chain.length - 1] : null);
      continue;
    }
    const name = chain[at];
    const id = BOX_PREFIX + name;
    owner.set(node.id, id);
    let box = boxes.get(id);
    if (!box) {
      box = {
        id,
        kind: "module",
        module: name,
        type: types.get(name) ?? "Module",
        parentModule: parents.get(name) ?? null,
        members: [],
        name: null,
        label: name,
        op: null,
        span: null,
      };
      boxes.set(id, box);
      home.set(id, at > 0 ? chain[at - 1] : null);
    }
    box.members.push(node.id);
    box.span = earlier(box.span, node.span);
  }

  // Nodes in model order; a box takes the place of its first member.
  const nodes = [];
  for (const node of model.nodes) {
    const id = owner.get(node.id);
    if (id === node.id) nodes.push(node);
    else if (boxes.get(id).members[0] === node.id) nodes.push(boxes.get(id));
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));

  // Edges: kept between two shown nodes; merged per (source, target) where a box is an end.
  const edges = [];
  const edgeOwner = new Map();
  const merged = new Map();
  for (const edge of model.edges) {
    const source = owner.get(edge.source);
    const target = owner.get(edge.target);
    if (source === target && boxes.has(source)) {
      edgeOwner.set(edge.id, null);
      continue;
    }
    if (source === edge.source && target === edge.target) {
      const kept = { ...edge, members: [edge.id] };
      edges.push(kept);
      edgeOwner.set(edge.id, kept.id);
      continue;
    }
    const key = `${source}>${target}`;
    let viewEdge = merged.get(key);
    if (!viewEdge) {
      viewEdge = { ...edge, id: `v:${edge.id}`, source, target, members: [] };
      merged.set(key, viewEdge);
      edges.push(viewEdge);
    }
    viewEdge.input = Math.min(viewEdge.input, edge.input);
    viewEdge.members.push(edge.id);
    edgeOwner.set(edge.id, viewEdge.id);
  }

  const inEdges = new Map(nodes.map((n) => [n.id, []]));
  const outEdges = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    inEdges.get(e.target).push(e);
    outEdges.get(e.source).push(e);
  }
  for (const list of inEdges.values()) list.sort((a, b) => a.input - b.input);

  return {
    nodes,
    byId,
    edges,
    inEdges,
    outEdges,
    output: model.output === null ? null : owner.get(model.output),
    clusters: clustersOf(model.modules, nodes, home, parents),
    owner,
    edgeOwner,
    collapsed: closed,
  };
}

/** Expanded modules that hold something shown, with their direct contents. */
function clustersOf(modules, nodes, home, parents) {
  const children = new Map();
  const add = (module, id) => {
    if (!children.has(module)) children.set(module, []);
    children.get(module).push(id);
  };
  for (const n of nodes) {
    const m = home.get(n.id);
    if (m) add(m, n.id);
  }
  // A module holding a shown node makes its ancestors clusters too, each holding the next.
  const needed = new Set(children.keys());
  for (const m of [...needed]) {
    for (let at = m; parents.get(at); at = parents.get(at)) {
      const up = parents.get(at);
      if (!(children.get(up) ?? []).includes(CLUSTER_PREFIX + at)) add(up, CLUSTER_PREFIX + at);
      needed.add(up);
    }
  }
  return modules
    .filter((m) => needed.has(m.name))
    .map((m) => ({
      id: CLUSTER_PREFIX + m.name,
      module: m.name,
      type: m.type,
      parent: m.parent && needed.has(m.parent) ? CLUSTER_PREFIX + m.parent : null,
      children: children.get(m.name) ?? [],
    }))
    .sort((a, b) => depth(a.module, parents) - depth(b.module, parents));
}

function depth(module, parents) {
  let d = 0;
  for (let at = parents.get(module); at; at = parents.get(at)) d++;
  return d;
}

/** The span that starts first (null spans lose). */
function earlier(a, b) {
  if (!a) return b ?? null;
  if (!b) return a;
  return b.line < a.line || (b.line === a.line && b.col < a.col) ? b : a;
}
