/**
 * Run B's coordinates from run A's: each node of B that stands for a node of A
 * (core/compare.matchNodes) goes where that node is, each edge between two such nodes
 * along A's edge, each module frame where A's is; what B has and A has not goes in a row
 * under A's drawing. Drawn side by side at the same zoom, the two graphs then show their
 * paired nodes at the same place. Coordinates only.
 */

import { BOX_PREFIX } from "../core/collapse.js";

/** Space between A's drawing and the row of B's own nodes, and between those nodes. */
const GAP = 40;

/**
 * @typedef {import("./arrange.js").Layout} Layout
 * @typedef {import("../core/collapse.js").View} View
 * @typedef {{x: number, y: number, w: number, h: number}} Box
 */

/** The point where the straight line from `from`'s centre to `to`'s leaves `from`'s side. */
function side(from, to) {
  const dx = to.x + to.w / 2 - (from.x + from.w / 2);
  const dy = to.y + to.h / 2 - (from.y + from.h / 2);
  if (Math.abs(dx) * from.h >= Math.abs(dy) * from.w) {
    return { x: from.x + (dx >= 0 ? from.w : 0), y: from.y + from.h / 2 };
  }
  return { x: from.x + from.w / 2, y: from.y + (dy >= 0 ? from.h : 0) };
}

/**
 * @param {Layout} layoutA  run A's coordinates
 * @param {View} viewA  what they lay out
 * @param {View} viewB  run B's view (its modules collapsed as A's are)
 * @param {Map<string, string>} toA  B's model node id -> A's (core/compare.matchNodes)
 * @param {Map<string, {width: number, height: number}>} sizes  B's card sizes
 * @returns {Layout}
 */
export function alignedLayout(layoutA, viewA, viewB, toA, sizes) {
  /** B's view node id -> A's view node id it stands where. */
  const place = new Map();
  for (const node of viewB.nodes) {
    const idA = node.id.startsWith(BOX_PREFIX) ? node.id : viewA.owner.get(toA.get(node.id));
    if (idA !== undefined && layoutA.nodes[idA]) place.set(node.id, idA);
  }
  const nodes = {};
  let x = 0;
  const rowY = layoutA.height + GAP;
  let rowH = 0;
  for (const node of viewB.nodes) {
    const size = sizes.get(node.id) ?? { width: 80, height: 40 };
    const at = place.has(node.id) ? layoutA.nodes[place.get(node.id)] : null;
    if (at) {
      nodes[node.id] = { x: at.x, y: at.y, w: size.width, h: size.height };
    } else {
      nodes[node.id] = { x, y: rowY, w: size.width, h: size.height };
      x += size.width + GAP;
      rowH = Math.max(rowH, size.height);
    }
  }

  const laidOutA = new Map(layoutA.edges.map((e) => [e.id, e.points]));
  const edgeA = new Map(viewA.edges.map((e) => [`${e.source}|${e.target}|${e.input}`, e.id]));
  const edges = viewB.edges.map((e) => {
    const key = `${place.get(e.source)}|${place.get(e.target)}|${e.input}`;
    const points = laidOutA.get(edgeA.get(key));
    if (points) return { id: e.id, source: e.source, target: e.target, points };
    const [from, to] = [nodes[e.source], nodes[e.target]];
    return { id: e.id, source: e.source, target: e.target, points: [side(from, to), side(to, from)] };
  });

  const clusters = {};
  for (const c of viewB.clusters ?? []) {
    const frame = layoutA.clusters?.[c.id];
    if (frame) clusters[c.id] = frame;
  }
  const right = Math.max(
    layoutA.width,
    ...Object.values(nodes).map((b) => b.x + b.w),
  );
  return {
    width: right,
    height: rowH ? rowY + rowH : layoutA.height,
    nodes,
    edges,
    clusters,
  };
}
