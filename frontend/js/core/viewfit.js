/**
 * Where the graph goes in its view, as pure maths: the part of the view the overlays (the
 * caption bar, the step card, the inspector, the minimap) leave clear, the zoom that fits a
 * graph there no smaller than a readable scale, a pan that brings the current step's node
 * into it when the whole graph cannot be readable, and the minimap's geometry.
 *
 * Rectangles are {x, y, width, height} in view px; a transform is {k, x, y}
 * (screen = layout × k + (x, y)), as d3-zoom's.
 */

import { initialTransform } from "./geometry.js";

/**
 * Below this zoom a card's 12 px text would be under ~7 px: unreadable on a projector.
 * A graph that only fits smaller is shown at this scale and the view follows the step.
 */
export const READABLE_MIN_SCALE = 0.6;
/** A fit never magnifies a small graph past this. */
export const FIT_MAX_SCALE = 1.35;
/** Px kept between the graph and the edges of its clear area. */
export const FIT_MARGIN = 16;
/** A clear area narrower or lower than this share of the view is not worth dodging into. */
const MIN_AREA_SHARE = 0.35;

/** The part of `rect` on one side of `obstacle` (null when nothing is left). */
function sideOf(rect, obstacle, side) {
  let { x, y, width, height } = rect;
  const right = x + width;
  const bottom = y + height;
  if (side === "above") height = Math.min(bottom, obstacle.y) - y;
  if (side === "below") {
    y = Math.max(y, obstacle.y + obstacle.height);
    height = bottom - y;
  }
  if (side === "left") width = Math.min(right, obstacle.x) - x;
  if (side === "right") {
    x = Math.max(x, obstacle.x + obstacle.width);
    width = right - x;
  }
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** Do two rectangles overlap (touching edges do not)? */
export function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Is `inner` wholly inside `outer` (with `slack` px of rounding allowed)? */
export function contains(outer, inner, slack = 0.5) {
  return (
    inner.x >= outer.x - slack &&
    inner.y >= outer.y - slack &&
    inner.x + inner.width <= outer.x + outer.width + slack &&
    inner.y + inner.height <= outer.y + outer.height + slack
  );
}

/**
 * Every rectangle of the view that no obstacle covers, found by keeping each obstacle
 * above, below, left or right of it (obstacles outside the view are ignored).
 * @param {{width: number, height: number}} view
 * @param {{x: number, y: number, width: number, height: number}[]} obstacles
 */
export function clearRects(view, obstacles) {
  const whole = { x: 0, y: 0, width: view.width, height: view.height };
  let rects = [whole];
  for (const obstacle of obstacles.filter((o) => overlaps(o, whole))) {
    const next = [];
    for (const rect of rects) {
      if (!overlaps(rect, obstacle)) next.push(rect);
      else
        for (const side of ["above", "below", "left", "right"]) {
          const part = sideOf(rect, obstacle, side);
          if (part) next.push(part);
        }
    }
    rects = next;
  }
  return rects;
}

/** The scale at which `drawing` fits `area` with `margin` px around it. */
function fitScale(drawing, area, margin) {
  const w = Math.max(1, area.width - 2 * margin);
  const h = Math.max(1, area.height - 2 * margin);
  return Math.min(w / Math.max(1, drawing.width), h / Math.max(1, drawing.height));
}

/**
 * The clear rectangle of the view where `drawing` is largest: of those at least
 * MIN_AREA_SHARE of the view wide and high, the one with the greatest fit scale (then the
 * largest); the whole view when the overlays leave no such rectangle.
 * @param {{width: number, height: number}} drawing  the layout's size
 * @param {{width: number, height: number}} view
 * @param {{x: number, y: number, width: number, height: number}[]} obstacles
 */
export function clearArea(drawing, view, obstacles, margin = FIT_MARGIN) {
  const usable = clearRects(view, obstacles).filter(
    (r) => r.width >= view.width * MIN_AREA_SHARE && r.height >= view.height * MIN_AREA_SHARE,
  );
  if (usable.length === 0) return { x: 0, y: 0, width: view.width, height: view.height };
  const score = (r) => [Math.min(FIT_MAX_SCALE, fitScale(drawing, r, margin)), r.width * r.height];
  return usable.reduce((best, r) => {
    const [a, b] = [score(r), score(best)];
    return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? r : best;
  });
}

/**
 * The zoom for `drawing` in `area`: the whole graph centred when it is readable there
 * (scale ≥ minScale); else minScale, the inputs (left end) in view. `whole` says which.
 * @param {{width: number, height: number}} drawing
 * @param {{x: number, y: number, width: number, height: number}} area
 * @returns {{k: number, x: number, y: number, whole: boolean}}
 */
export function fitView(
  drawing,
  area,
  { minScale = READABLE_MIN_SCALE, maxScale = FIT_MAX_SCALE, margin = FIT_MARGIN } = {},
) {
  const t = initialTransform(drawing, area, { margin, maxScale, minScale });
  return { k: t.k, x: t.x + area.x, y: t.y + area.y, whole: fits(drawing, t.k, area, margin) };
}

/** Does `drawing` at scale k fit in `area` with `margin` px around it? */
function fits(drawing, k, area, margin) {
  const slack = 0.5;
  return (
    drawing.width * k <= area.width - 2 * margin + slack &&
    drawing.height * k <= area.height - 2 * margin + slack
  );
}

/** The screen rectangle of layout rectangle `box` ({x, y, w, h}) under transform `t`. */
export function onScreen(t, box) {
  return { x: t.x + box.x * t.k, y: t.y + box.y * t.k, width: box.w * t.k, height: box.h * t.k };
}

/**
 * The transform `t` panned (same zoom) so layout box `box` ({x, y, w, h}) is inside `area`
 * with `margin` px around it; `t` itself when it already is. The box is centred in the
 * area, except along an axis where the whole `drawing` fits: there the drawing is centred;
 * along the others the drawing still fills the area (no empty band past its ends).
 */
export function followTransform(t, box, area, margin = 24, drawing = null) {
  const shown = onScreen(t, box);
  const inner = {
    x: area.x + margin,
    y: area.y + margin,
    width: area.width - 2 * margin,
    height: area.height - 2 * margin,
  };
  if (contains(inner, shown, 0)) return t;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const fitsWide = drawing && drawing.width * t.k <= area.width - 2 * margin;
  const fitsHigh = drawing && drawing.height * t.k <= area.height - 2 * margin;
  // Along an axis the drawing overflows, its ends stay at or past the area's edges.
  const filled = (v, start, length, size) =>
    drawing ? Math.min(start + margin, Math.max(start + length - margin - size * t.k, v)) : v;
  return {
    k: t.k,
    x: fitsWide
      ? area.x + (area.width - drawing.width * t.k) / 2
      : filled(area.x + area.width / 2 - cx * t.k, area.x, area.width, drawing?.width),
    y: fitsHigh
      ? area.y + (area.height - drawing.height * t.k) / 2
      : filled(area.y + area.height / 2 - cy * t.k, area.y, area.height, drawing?.height),
  };
}

/**
 * The minimap: the whole drawing scaled into at most `max` px ({width, height}), and the
 * rectangle of it the view shows (clipped to the drawing), in the minimap's px.
 * @param {{width: number, height: number}} drawing
 * @param {{k: number, x: number, y: number}} t
 * @param {{width: number, height: number}} view
 * @param {{width: number, height: number}} max
 */
export function minimapFrame(drawing, t, view, max) {
  const scale = Math.min(
    max.width / Math.max(1, drawing.width),
    max.height / Math.max(1, drawing.height),
  );
  // The view's corners in layout coordinates, clipped to the drawing.
  const x0 = Math.max(0, -t.x / t.k);
  const y0 = Math.max(0, -t.y / t.k);
  const x1 = Math.min(drawing.width, (view.width - t.x) / t.k);
  const y1 = Math.min(drawing.height, (view.height - t.y) / t.k);
  return {
    scale,
    width: drawing.width * scale,
    height: drawing.height * scale,
    frame: {
      x: x0 * scale,
      y: y0 * scale,
      width: Math.max(0, x1 - x0) * scale,
      height: Math.max(0, y1 - y0) * scale,
    },
  };
}

/** The layout point at minimap point (mx, my): where a click on the minimap points. */
export function minimapPoint(frame, mx, my) {
  return { x: mx / frame.scale, y: my / frame.scale };
}
