/**
 * Which parts of a laid-out graph a view shows: the window of the drawing (in layout
 * coordinates) under a zoom transform, the bounds of node boxes and edge polylines, and
 * what to draw and what to remove to show a window. Pure: rectangles in, ids out.
 *
 * Only what is in or near the window is kept in the DOM (scene.js): the browser's style,
 * text layout and paint then cost what can be seen, not the size of the whole graph.
 */

/**
 * @typedef {{x0: number, y0: number, x1: number, y1: number}} Rect  x0 <= x1, y0 <= y1
 * @typedef {{id: string, kind: "node"|"edge", bounds: Rect}} Item
 */

/**
 * The part of the drawing a `width` × `height` view shows under the zoom transform
 * {k, x, y} (screen = layout × k + offset), grown by `margin` screen px on every side.
 * @returns {Rect}
 */
export function visibleRect({ k, x, y }, { width, height }, margin = 0) {
  return {
    x0: (-margin - x) / k,
    y0: (-margin - y) / k,
    x1: (width + margin - x) / k,
    y1: (height + margin - y) / k,
  };
}

/** The rectangle of a layout box {x, y, w, h}. */
export function boxBounds({ x, y, w, h }) {
  return { x0: x, y0: y, x1: x + w, y1: y + h };
}

/**
 * The bounding rectangle of a polyline, grown by `pad` (for its stroke and arrowhead).
 * @param {{x: number, y: number}[]} points  at least one
 */
export function polylineBounds(points, pad = 0) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x0: x0 - pad, y0: y0 - pad, x1: x1 + pad, y1: y1 + pad };
}

/** Do two rectangles overlap (touching edges count)? */
export function intersects(a, b) {
  return a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
}

/**
 * The nodes and edges of a layout as items to cull, nodes first, each in layout order.
 * @param {import("../layout/arrange.js").Layout} layout
 * @param {number} [edgePad]  px added around each edge's polyline
 * @returns {Item[]}
 */
export function layoutItems(layout, edgePad = 10) {
  const items = [];
  for (const [id, box] of Object.entries(layout.nodes)) {
    items.push({ id, kind: "node", bounds: boxBounds(box) });
  }
  for (const e of layout.edges) {
    if (e.points.length) {
      items.push({ id: e.id, kind: "edge", bounds: polylineBounds(e.points, edgePad) });
    }
  }
  return items;
}

/**
 * What to change to show a window: the items to draw first (in `view`, the window itself),
 * those to draw after them (in `near`, the window with a margin, so that a small pan finds
 * them drawn), and the drawn items to remove (outside `keep`, a larger margin, so that
 * panning back and forth does not draw the same items over and over).
 * @param {Item[]} items
 * @param {Set<Item>} drawn  the items in the DOM now
 * @param {{view: Rect, near: Rect, keep: Rect}} rects  view inside near inside keep
 * @returns {{now: Item[], later: Item[], remove: Item[]}}  each in the order of `items`
 */
export function plan(items, drawn, { view, near, keep }) {
  const now = [];
  const later = [];
  const remove = [];
  for (const item of items) {
    if (drawn.has(item)) {
      if (!intersects(item.bounds, keep)) remove.push(item);
    } else if (intersects(item.bounds, view)) now.push(item);
    else if (intersects(item.bounds, near)) later.push(item);
  }
  return { now, later, remove };
}
