/**
 * In-between shapes of an edge moving from one polyline to another (the drawing moving to
 * a new layout of the same graph). Pure: points in, points out.
 */

/** The start of each vertex along a polyline, as a fraction of its length (0 to 1). */
export function vertexFractions(points) {
  const at = [0];
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
    at.push(total);
  }
  return at.map((d) => (total > 0 ? d / total : 0));
}

/**
 * The points of a polyline at fractions of its length (each in 0..1, ascending).
 * @param {{x: number, y: number}[]} points  at least one
 * @param {number[]} fractions
 */
export function pointsAt(points, fractions) {
  const along = vertexFractions(points);
  const out = [];
  let i = 1;
  for (const f of fractions) {
    while (i < points.length - 1 && along[i] < f) i++;
    const [a, b] = points.length > 1 ? [points[i - 1], points[i]] : [points[0], points[0]];
    const [fa, fb] = points.length > 1 ? [along[i - 1], along[i]] : [0, 0];
    const t = fb > fa ? Math.min(1, Math.max(0, (f - fa) / (fb - fa))) : 0;
    out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  }
  return out;
}

/**
 * The polyline between `from` (at 0) and `to` (at 1). Both are sampled at the same
 * fractions of their lengths, every vertex of either included, so the ends are the two
 * polylines exactly (with points added on their straight runs).
 * @param {{x: number, y: number}[]} from  at least one point
 * @param {{x: number, y: number}[]} to  at least one point
 * @returns {(t: number) => {x: number, y: number}[]}
 */
export function polylineTween(from, to) {
  const fractions = [...new Set([...vertexFractions(from), ...vertexFractions(to)])].sort(
    (a, b) => a - b,
  );
  const a = pointsAt(from, fractions);
  const b = pointsAt(to, fractions);
  return (t) => a.map((p, k) => ({ x: p.x + (b[k].x - p.x) * t, y: p.y + (b[k].y - p.y) * t }));
}
