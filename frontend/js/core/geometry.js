/**
 * Pure geometry for drawing: edge paths with rounded bends, and the zoom that fits a graph.
 */

/** Radius of the rounded corners where an orthogonal edge turns. */
export const BEND_RADIUS = 8;

/** Round to 0.1 px so path strings stay short and stable. */
function r1(v) {
  return Math.round(v * 10) / 10;
}

/**
 * An SVG path through `points`, each corner rounded with a quadratic curve of `radius`
 * (shrunk where segments are too short for it).
 * @param {{x: number, y: number}[]} points
 * @param {number} [radius]
 * @returns {string}
 */
export function roundedPath(points, radius = BEND_RADIUS) {
  if (points.length === 0) return "";
  const parts = [`M${r1(points[0].x)},${r1(points[0].y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const inLen = Math.hypot(b.x - a.x, b.y - a.y);
    const outLen = Math.hypot(c.x - b.x, c.y - b.y);
    const rad = Math.min(radius, inLen / 2, outLen / 2);
    if (rad <= 0) continue;
    const p = { x: b.x - ((b.x - a.x) / inLen) * rad, y: b.y - ((b.y - a.y) / inLen) * rad };
    const q = { x: b.x + ((c.x - b.x) / outLen) * rad, y: b.y + ((c.y - b.y) / outLen) * rad };
    parts.push(`L${r1(p.x)},${r1(p.y)}`, `Q${r1(b.x)},${r1(b.y)} ${r1(q.x)},${r1(q.y)}`);
  }
  if (points.length > 1) {
    const last = points[points.length - 1];
    parts.push(`L${r1(last.x)},${r1(last.y)}`);
  }
  return parts.join("");
}

/** The length of a polyline. */
export function polylineLength(points) {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  }
  return total;
}

/**
 * The point `distance` along a polyline from its start (clamped to its ends). Computed
 * here rather than with SVG's getPointAtLength, which would force the page to lay out.
 */
export function pointAlong(points, distance) {
  if (points.length === 0) return { x: 0, y: 0 };
  let left = Math.max(0, distance);
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (left <= length && length > 0) {
      const t = left / length;
      return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
    }
    left -= length;
  }
  return { ...points[points.length - 1] };
}

/** The point halfway along a polyline (by length), for edge labels. */
export function midpoint(points) {
  return pointAlong(points, polylineLength(points) / 2);
}

/**
 * The first view of a new graph: the whole graph when that is readable; else the scale
 * `minScale` with the inputs (the left end) in view, centred vertically when it fits.
 * @param {{width: number, height: number}} drawing
 * @param {{width: number, height: number}} viewport
 * @param {{margin?: number, maxScale?: number, minScale?: number}} [options]
 */
export function initialTransform(
  drawing,
  viewport,
  { margin = 16, maxScale = 1.25, minScale = 0.75 } = {},
) {
  const whole = fitTransform(drawing, viewport, { margin, maxScale, minScale: 0 });
  if (whole.k >= minScale) return whole;
  const k = minScale;
  const fitsHeight = drawing.height * k <= viewport.height - 2 * margin;
  return { k, x: margin, y: fitsHeight ? (viewport.height - drawing.height * k) / 2 : margin };
}

/**
 * The zoom transform {k, x, y} that centres a `width`×`height` drawing in a viewport,
 * as large as fits with `margin` px around it, but never above `maxScale`.
 * @param {{width: number, height: number}} drawing
 * @param {{width: number, height: number}} viewport
 * @param {{margin?: number, maxScale?: number, minScale?: number}} [options]
 */
export function fitTransform(
  drawing,
  viewport,
  { margin = 16, maxScale = 1.25, minScale = 0.05 } = {},
) {
  const availW = Math.max(1, viewport.width - 2 * margin);
  const availH = Math.max(1, viewport.height - 2 * margin);
  const fit = Math.min(availW / Math.max(1, drawing.width), availH / Math.max(1, drawing.height));
  const k = Math.min(maxScale, Math.max(minScale, fit));
  return {
    k,
    x: (viewport.width - drawing.width * k) / 2,
    y: (viewport.height - drawing.height * k) / 2,
  };
}
