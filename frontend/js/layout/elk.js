/**
 * The adapter between the graph model and ELK: the ELK graph to lay out (boxes of the
 * measured card sizes, ports, clusters as compound nodes), and ELK's answer as plain boxes
 * and edge polylines. Pure: computes coordinates only; elkengine.js runs ELK.
 *
 * @typedef {import("./arrange.js").Layout} Layout
 */

import { CLUSTER_PADDING } from "./measure.js";

/**
 * Layered left-to-right layout: inputs on the left, the output on the right.
 * Network-simplex placement draws the straightest edges but grows slow past a few hundred
 * nodes; see FAST_PLACEMENT.
 */
export const ELK_OPTIONS = Object.freeze({
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.padding": "[top=24,left=24,bottom=24,right=24]",
  "elk.spacing.nodeNode": "24",
  "elk.spacing.edgeNode": "16",
  "elk.spacing.edgeEdge": "10",
  "elk.layered.spacing.nodeNodeBetweenLayers": "48",
  "elk.layered.spacing.edgeNodeBetweenLayers": "20",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "10",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
});

/** Options for graphs with clusters: edges may cross cluster frames; coordinates absolute. */
export const HIERARCHY_OPTIONS = Object.freeze({
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.json.shapeCoords": "ROOT",
  "elk.json.edgeCoords": "ROOT",
});

/** Node placement for larger graphs: a little less tidy, many times faster. */
export const FAST_PLACEMENT = Object.freeze({
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
});

/** Port id of an edge's end at its target (one port per input, so inputs keep their order). */
function inPortId(edge) {
  return `${edge.id}:in`;
}

/**
 * Port id of the output an edge leaves from: a node's single output port, or, for an op
 * listing several outputs, the port beside that output's row (its first row's when the
 * output has none).
 */
function outPortId(nodeId, output = 0, size = null) {
  const rows = size?.outputs ?? [];
  if (rows.length === 0) return `${nodeId}:out`;
  const row = rows.find((r) => r.output === output) ?? rows[0];
  return `${nodeId}:out:${row.output}`;
}

/**
 * Fixed ports of an op listing several outputs: its inputs spread down the west side in
 * input order, each output on the east side level with its row.
 */
function fixedPorts(id, ins, { width, height, outputs }) {
  const west = ins.map((edge, k) => ({
    id: inPortId(edge),
    width: 0,
    height: 0,
    x: 0,
    y: (height * (k + 1)) / (ins.length + 1),
    layoutOptions: { "elk.port.side": "WEST" },
  }));
  const east = outputs.map((row) => ({
    id: outPortId(id, row.output, { outputs }),
    width: 0,
    height: 0,
    x: width,
    y: row.y,
    layoutOptions: { "elk.port.side": "EAST" },
  }));
  return [...west, ...east];
}

/**
 * The ELK graph for a model: one box per card, ports fixing the order of each op's inputs
 * (input 0 on top) and, for an op listing several outputs, where each output leaves (beside
 * its row); children in data-flow order so equal layouts come out the same.
 * @param {import("../core/model.js").Model} model
 * @param {Map<string, {width: number, height: number, outputs?: {output: number, y: number}[]}>}
 *   sizes  by node id (measureCard)
 * @param {string[]} order  node ids in data-flow order (model.forwardOrder)
 * @param {Object<string, string>} [options]  layout options over ELK_OPTIONS
 *
 * A view with clusters (collapse.buildView) becomes a nested ELK graph: one compound node
 * per cluster holding its nodes, with absolute coordinates in the answer.
 */
export function toElkGraph(model, sizes, order, options = {}) {
  const boxes = order.map((id) => {
    const { width, height } = sizes.get(id);
    const ins = model.inEdges.get(id);
    if (sizes.get(id).outputs?.length) {
      const ports = fixedPorts(id, ins, sizes.get(id));
      return { id, width, height, ports, layoutOptions: { "elk.portConstraints": "FIXED_POS" } };
    }
    // ELK numbers fixed-order ports clockwise, which runs bottom-to-top on the west side.
    const ports = ins.map((edge, k) => ({
      id: inPortId(edge),
      width: 0,
      height: 0,
      layoutOptions: { "elk.port.side": "WEST", "elk.port.index": String(ins.length - 1 - k) },
    }));
    if (model.outEdges.get(id).length > 0) {
      ports.push({
        id: outPortId(id),
        width: 0,
        height: 0,
        layoutOptions: { "elk.port.side": "EAST" },
      });
    }
    return {
      id,
      width,
      height,
      ports,
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    };
  });
  const edges = model.edges.map((edge) => ({
    id: edge.id,
    sources: [outPortId(edge.source, edge.output ?? 0, sizes.get(edge.source))],
    targets: [inPortId(edge)],
  }));
  const clusters = model.clusters ?? [];
  if (clusters.length === 0) {
    return { id: "root", layoutOptions: { ...ELK_OPTIONS, ...options }, children: boxes, edges };
  }
  return {
    id: "root",
    layoutOptions: { ...ELK_OPTIONS, ...HIERARCHY_OPTIONS, ...options },
    children: nest(boxes, clusters),
    edges,
  };
}

/** ELK padding for a cluster frame. */
function clusterPadding() {
  const p = CLUSTER_PADDING;
  return `[top=${p.top},left=${p.left},bottom=${p.bottom},right=${p.right}]`;
}

/**
 * Boxes (in data-flow order) nested into compound nodes, one per cluster; each cluster sits
 * where its first box would have, so the model order still guides ELK.
 */
function nest(boxes, clusters) {
  const compound = new Map(
    clusters.map((c) => [
      c.id,
      { id: c.id, layoutOptions: { "elk.padding": clusterPadding() }, children: [] },
    ]),
  );
  const parentOf = new Map();
  for (const c of clusters) for (const child of c.children) parentOf.set(child, c.id);
  const root = [];
  const placed = new Set();
  // Put `item` into its parent, placing the parent chain first where it is not yet placed.
  const place = (item) => {
    const parent = parentOf.get(item.id);
    if (!parent) root.push(item);
    else {
      if (!placed.has(parent)) {
        placed.add(parent);
        place(compound.get(parent));
      }
      compound.get(parent).children.push(item);
    }
  };
  for (const box of boxes) place(box);
  return root;
}

/**
 * Plain coordinates from ELK's answer.
 * @param {object} result  the laid-out graph from elk.layout(toElkGraph(...))
 * @param {import("../core/model.js").Model} model
 * @returns {Layout}
 */
export function fromElkResult(result, model) {
  const nodes = {};
  const clusters = {};
  const isCluster = new Set((model.clusters ?? []).map((c) => c.id));
  // With clusters the coordinates are absolute (HIERARCHY_OPTIONS): no offsets to add.
  const stack = [...(result.children ?? [])];
  while (stack.length) {
    const child = stack.pop();
    const box = { x: child.x, y: child.y, w: child.width, h: child.height };
    if (isCluster.has(child.id)) {
      clusters[child.id] = box;
      stack.push(...(child.children ?? []));
    } else {
      nodes[child.id] = box;
    }
  }
  // Edges come back where they were given (the root), or inside a compound node.
  const byId = new Map((result.edges ?? []).map((e) => [e.id, e]));
  const inner = [...(result.children ?? [])];
  while (inner.length) {
    const child = inner.pop();
    for (const e of child.edges ?? []) byId.set(e.id, e);
    inner.push(...(child.children ?? []));
  }
  const edges = model.edges.map((edge) => {
    const points = [];
    for (const section of byId.get(edge.id)?.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      points: dedupe(points.map(({ x, y }) => ({ x, y }))),
    };
  });
  const layout = { width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
  if (isCluster.size) layout.clusters = clusters;
  return layout;
}

/** Drop consecutive repeated points (sections meet at a shared point). */
function dedupe(points) {
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y);
}
