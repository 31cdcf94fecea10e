/**
 * Layers of the graph, the work a layered layout would face, and a quick layered layout
 * for graphs too large for ELK to finish in time. Pure: computes coordinates only.
 *
 * A layered layout turns every edge that skips layers into a chain of dummy nodes; a
 * tensor used all along a long loop makes thousands of them, and ELK slows to minutes.
 */

import { CLUSTER_PADDING } from "./measure.js";

/** Gap between layers and between nodes of one layer in the quick layout, in px. */
const LAYER_GAP = 56;
const NODE_GAP = 24;
const MARGIN = 24;
/** Distance from the bottom of the tallest layer to the lane of long edges. */
const LANE_GAP = 28;

/**
 * Each node's layer, 0 on the left: one past its latest input; nodes without inputs sit
 * just before their first consumer (as ELK's network-simplex layering tends to place them).
 * @param {import("../core/model.js").Model} model
 * @param {string[]} order  node ids in data-flow order (model.forwardOrder)
 * @returns {Map<string, number>}
 */
export function assignLayers(model, order) {
  const layer = new Map();
  for (const id of order) {
    let l = 0;
    for (const e of model.inEdges.get(id)) l = Math.max(l, layer.get(e.source) + 1);
    layer.set(id, l);
  }
  for (const id of order) {
    const outs = model.outEdges.get(id);
    if (model.inEdges.get(id).length === 0 && outs.length > 0) {
      layer.set(id, Math.min(...outs.map((e) => layer.get(e.target))) - 1);
    }
  }
  return layer;
}

/**
 * Nodes plus the dummy nodes a layered layout adds for edges that skip layers.
 * @param {import("../core/model.js").Model} model
 * @param {Map<string, number>} layers  from assignLayers
 */
export function layoutWork(model, layers) {
  let dummies = 0;
  for (const e of model.edges)
    dummies += Math.max(0, layers.get(e.target) - layers.get(e.source) - 1);
  return model.nodes.length + dummies;
}

/** ELK lays out graphs up to this work (see layoutWork): past it, the quick layout. */
export const ELK_MAX_WORK = 150;

/** The most nodes any one layer holds (0 for an empty graph). */
export function widestLayer(layers) {
  const counts = new Map();
  let widest = 0;
  for (const l of layers.values()) {
    const n = (counts.get(l) ?? 0) + 1;
    counts.set(l, n);
    widest = Math.max(widest, n);
  }
  return widest;
}

/**
 * Which layout a view gets. ELK's placement is the tidier, but in a fresh page its first
 * layouts take 0.2–1 s even for a handful of nodes (its code is still being compiled) and
 * grow with the work; the quick layout takes milliseconds. So ELK only where it has
 * something to order (a layer of two nodes or more) and little work to do; a graph whose
 * layers hold one node each (a chain, a loop) comes out the same from the quick layout.
 * @param {import("../core/model.js").Model} model
 * @param {Map<string, number>} layers  from assignLayers
 * @param {{maxWork?: number}} [options]
 * @returns {{kind: "elk"|"quick", work: number}}
 */
export function pickLayout(model, layers, { maxWork = ELK_MAX_WORK } = {}) {
  const work = layoutWork(model, layers);
  const kind = work <= maxWork && widestLayer(layers) > 1 ? "elk" : "quick";
  return { kind, work };
}

/**
 * A layered left-to-right layout in linear time: columns by layer, nodes in each column
 * ordered by the mean position of their inputs, edges as three-segment polylines.
 * @param {import("../core/model.js").Model} model
 * @param {Map<string, {width: number, height: number}>} sizes  by node id
 * @param {string[]} order  node ids in data-flow order
 * @param {Map<string, number>} layers  from assignLayers
 * @returns {import("./arrange.js").Layout}
 */
export function quickLayout(model, sizes, order, layers) {
  const columns = [];
  for (const id of order) {
    const l = layers.get(id);
    while (columns.length <= l) columns.push([]);
    columns[l].push(id);
  }

  // x: columns side by side, each as wide as its widest node.
  const columnX = [];
  let x = MARGIN;
  for (const column of columns) {
    columnX.push(x);
    x += Math.max(0, ...column.map((id) => sizes.get(id).width)) + LAYER_GAP;
  }
  const width = x - LAYER_GAP + MARGIN;

  // y: stack each column in the order of its nodes' input positions (one barycentre sweep).
  const rank = new Map();
  const heights = columns.map((column) => {
    const key = (id) => {
      const ins = model.inEdges.get(id).filter((e) => rank.has(e.source));
      return ins.length ? ins.reduce((s, e) => s + rank.get(e.source), 0) / ins.length : Infinity;
    };
    const keyed = column.map((id, i) => ({ id, k: key(id), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    column.splice(0, column.length, ...keyed.map((c) => c.id));
    column.forEach((id, i) => rank.set(id, i));
    return column.reduce((h, id) => h + sizes.get(id).height, 0) + NODE_GAP * (column.length - 1);
  });
  const tallest = Math.max(0, ...heights);

  const nodes = {};
  columns.forEach((column, l) => {
    let y = MARGIN + (tallest - heights[l]) / 2;
    for (const id of column) {
      const { width: w, height: h } = sizes.get(id);
      nodes[id] = { x: columnX[l], y, w, h };
      y += h + NODE_GAP;
    }
  });

  // Edges between neighbouring layers turn in the gap before their target; longer ones run
  // along a lane under the graph, so they never cross a node.
  const lane = MARGIN + tallest + LANE_GAP;
  let usesLane = false;
  const edges = model.edges.map((edge) => {
    const s = nodes[edge.source];
    const t = nodes[edge.target];
    const ins = model.inEdges.get(edge.target);
    const slot = ins.indexOf(edge);
    // An edge reading one of an op's several outputs leaves beside that output's row.
    const rows = sizes.get(edge.source).outputs ?? [];
    const row = rows.find((r) => r.output === (edge.output ?? 0)) ?? rows[0];
    const start = { x: s.x + s.w, y: s.y + (row ? row.y : s.h / 2) };
    const end = { x: t.x, y: t.y + (t.h * (slot + 1)) / (ins.length + 1) };
    const turn = t.x - LAYER_GAP / 2;
    let points;
    if (layers.get(edge.target) - layers.get(edge.source) > 1) {
      usesLane = true;
      const out = start.x + LAYER_GAP / 2;
      points = [
        start,
        { x: out, y: start.y },
        { x: out, y: lane },
        { x: turn, y: lane },
        { x: turn, y: end.y },
        end,
      ];
    } else if (start.y === end.y) {
      points = [start, end];
    } else {
      points = [start, { x: turn, y: start.y }, { x: turn, y: end.y }, end];
    }
    return { id: edge.id, source: edge.source, target: edge.target, points };
  });

  const height = (usesLane ? lane : MARGIN + tallest) + MARGIN;
  const layout = { width, height, nodes, edges };
  if (model.clusters?.length) layout.clusters = clusterFrames(model.clusters, nodes);
  return layout;
}

/**
 * Frames around each cluster's contents (the quick layout does not keep clusters apart,
 * so frames may overlap other nodes; ELK's layout does).
 * @param {import("../core/collapse.js").Cluster[]} clusters  parents before children
 * @param {Object<string, import("./arrange.js").Box>} nodes
 */
export function clusterFrames(clusters, nodes) {
  const frames = {};
  for (let i = clusters.length - 1; i >= 0; i--) {
    const c = clusters[i];
    const boxes = c.children.map((id) => nodes[id] ?? frames[id]).filter(Boolean);
    if (boxes.length === 0) continue;
    const x0 = Math.min(...boxes.map((b) => b.x)) - CLUSTER_PADDING.left;
    const y0 = Math.min(...boxes.map((b) => b.y)) - CLUSTER_PADDING.top;
    const x1 = Math.max(...boxes.map((b) => b.x + b.w)) + CLUSTER_PADDING.right;
    const y1 = Math.max(...boxes.map((b) => b.y + b.h)) + CLUSTER_PADDING.bottom;
    frames[c.id] = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  return frames;
}
