/**
 * The view onto a drawing, with d3-zoom (the global from vendor/d3): zoom and pan (the
 * drawing and its overlay move together); a graph's view, fitted to the part the overlays
 * leave clear at a readable scale (core/viewfit.js), else following the current step; the
 * Fit button's whole graph; panning a node into view, and the view's size in px. It reads
 * the layout shown; it draws nothing.
 */

import { fitTransform } from "../core/geometry.js";
import {
  FIT_MAX_SCALE,
  clearArea as clearAreaOf,
  contains,
  fitView,
  followTransform,
  onScreen,
} from "../core/viewfit.js";

const d3 = globalThis.d3;

/** Zoom limits. */
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;
/** Below this zoom the shapes on edges are hidden: they would be unreadable specks. */
const SHAPES_MIN_ZOOM = 0.45;
/** Below this zoom cards show no text (an overview: 12 px text would be under 4 px). */
const TEXT_MIN_ZOOM = 0.3;
/** Duration of fit animations, in ms. */
const TRANSITION_MS = 320;

/**
 * The rectangles (px, relative to `wrap`) the shown, floating ones of `elements` cover:
 * a hidden element or one in the page's flow (the step card under a phone's graph) covers
 * nothing.
 * @param {HTMLElement} wrap
 * @param {(HTMLElement|null)[]} elements
 */
export function overlayRects(wrap, elements) {
  const origin = wrap.getBoundingClientRect();
  const rects = [];
  for (const el of elements) {
    if (!el || el.hidden || el.offsetParent === null) continue;
    if (getComputedStyle(el).position === "static") continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const { width, height } = r;
    rects.push({ x: r.left - origin.left, y: r.top - origin.top, width, height });
  }
  return rects;
}

/**
 * The height the drawing gets in `wrap`: all of it, or down to the first of `ids` shown in
 * the page's flow below it (a phone's step card and prediction sit under the graph).
 * @param {HTMLElement} wrap
 * @param {string[]} ids
 */
export function graphHeight(wrap, ids) {
  const top = wrap.getBoundingClientRect().top;
  for (const id of ids) {
    const el = document.getElementById(id);
    if (!el || el.hidden || getComputedStyle(el).position !== "static") continue;
    return Math.max(0, el.getBoundingClientRect().top - top - 8);
  }
  return wrap.clientHeight;
}

/**
 * @param {SVGSVGElement} svgElement  the drawing: it takes the zoom gestures, and the
 *   classes `far` and `overview` at small zooms
 * @param {{viewports: object[], overlay: SVGSVGElement,
 *   layout: () => import("../layout/arrange.js").Layout|null,
 *   obstacles: () => {x: number, y: number, width: number, height: number}[],
 *   onZoom: (byUser: boolean) => void}} parts
 *   viewports: the d3 selections of the groups the zoom transforms (the drawing's and the
 *   overlay's); overlay: sized with the drawing; layout: the layout shown (null: none);
 *   obstacles: the view's px the overlays cover (caption, card, inspector, minimap), kept
 *   clear when the graph is fitted; onZoom: called after every change of the zoom, byUser
 *   when a gesture made it (a drag, the wheel), not the page
 */
export function createViewport(svgElement, { viewports, overlay, layout, obstacles, onZoom }) {
  const svg = d3.select(svgElement);
  /** Has the user zoomed or panned since the last fit? Then resizing keeps their view. */
  let userMoved = false;
  /** The view last chosen for the user ("first" or "fit"), kept when the pane resizes. */
  let lastView = "first";
  /** Did the last first view show the whole graph (else it follows the step)? */
  let whole = true;
  /** The layout box of the step shown (reveal's), followed when the graph is not whole. */
  let focus = null;
  /** The view's size in px, as resize() set it (read from here: asking the SVG forces a layout). */
  let size = { width: 0, height: 0 };

  const zoom = d3
    .zoom()
    .scaleExtent([MIN_ZOOM, MAX_ZOOM])
    .on("zoom", (event) => {
      for (const g of viewports) g.attr("transform", event.transform);
      svg.classed("far", event.transform.k < SHAPES_MIN_ZOOM);
      svg.classed("overview", event.transform.k < TEXT_MIN_ZOOM);
      if (event.sourceEvent) userMoved = true;
      onZoom(Boolean(event.sourceEvent));
    });
  svg.call(zoom).on("dblclick.zoom", null);

  /**
   * Size the drawing to `width` × `height` px (the wrap it fills), then fit again unless
   * the user moved the graph. Pixel sizes keep its layout apart from the page's.
   */
  function resize(width, height) {
    const next = { width: Math.max(0, Math.floor(width)), height: Math.max(0, Math.floor(height)) };
    if (next.width === size.width && next.height === size.height) return;
    size = next;
    for (const el of [svgElement, overlay]) {
      el.style.width = `${size.width}px`;
      el.style.height = `${size.height}px`;
    }
    // d3-zoom would otherwise measure the SVG on every zoom, forcing a layout of it all.
    zoom.extent([
      [0, 0],
      [size.width, size.height],
    ]);
    refit();
  }

  /** The clear part of the view where the graph shows largest (viewfit.clearArea). */
  function clearArea() {
    const drawing = layout() ?? { width: 1, height: 1 };
    return clearAreaOf(drawing, size, obstacles());
  }

  /** Zoom so the whole graph fits the clear area, centred, however small (the Fit button). */
  function fit({ animate = true } = {}) {
    const current = layout();
    if (!current) return;
    lastView = "fit";
    whole = true;
    const area = clearArea();
    const t = fitTransform(current, area, { maxScale: FIT_MAX_SCALE });
    apply({ k: t.k, x: t.x + area.x, y: t.y + area.y }, animate ? TRANSITION_MS : 0);
  }

  /**
   * A graph's view: all of it in the clear area when that keeps it readable, else the
   * readable scale following the step shown.
   * @param {{x: number, y: number, width: number, height: number}} [area]  measured before
   *   drawing, so reading the overlays' sizes does not lay out the new drawing
   * @param {number} [ms]  the zoom's transition (0: at once)
   */
  function firstView(area = clearArea(), ms = 0) {
    const current = layout();
    if (!current) return;
    lastView = "first";
    const t = fitView(current, area);
    whole = t.whole;
    apply(whole || !focus ? t : followTransform(t, focus, area, undefined, current), ms);
  }

  /** Zoom to {k, x, y}, in a transition of `ms` (0: at once). */
  function apply({ k, x, y }, ms) {
    const transform = d3.zoomIdentity.translate(x, y).scale(k);
    userMoved = false;
    if (ms > 0) svg.transition().duration(ms).call(zoom.transform, transform);
    else svg.call(zoom.transform, transform);
  }

  /**
   * Fit again after the view, the overlays or the layout changed size, unless the user has
   * moved the graph; `ms`: the zoom's transition (0: at once).
   */
  function refit(ms = 0) {
    if (!layout() || userMoved) return;
    if (lastView === "fit") fit({ animate: ms > 0 });
    else firstView(clearArea(), ms);
  }

  /**
   * The overlays changed size (a step's card, the caption): fit again only if they now
   * cover the graph (a whole one) or the step's node (one followed), so stepping does not
   * make the graph jump.
   */
  function keepClear() {
    const current = layout();
    if (!current || userMoved) return;
    const area = clearArea();
    const t = d3.zoomTransform(svgElement);
    if (whole || lastView === "fit") {
      const box = { x: 0, y: 0, w: current.width, h: current.height };
      if (!contains(area, onScreen(t, box))) refit();
    } else if (focus) {
      reveal(focus);
    }
  }

  /**
   * Pan (at the same zoom) so `box` (layout coordinates) is in the clear part of the view,
   * when it is not already: the step being played never runs off screen.
   * @param {{x: number, y: number, w: number, h: number}} box
   */
  function reveal(box) {
    focus = box;
    const t = d3.zoomTransform(svgElement);
    const moved = followTransform(t, box, clearArea(), undefined, layout());
    if (moved === t) return;
    svg.call(zoom.transform, d3.zoomIdentity.translate(moved.x, moved.y).scale(moved.k));
  }

  return {
    resize,
    clearArea,
    fit,
    firstView,
    refit,
    keepClear,
    reveal,
    /** A new graph: no step of it to follow yet. */
    forgetFocus: () => {
      focus = null;
    },
    /** Has the user zoomed or panned the graph since it was last fitted? */
    userMoved: () => userMoved,
    /** The zoom now: {k, x, y} with applyX/applyY (d3.zoomTransform). */
    transform: () => d3.zoomTransform(svgElement),
    /** Go back to a zoom read by transform(), at once (the user's view stays theirs). */
    restore: (transform) => svg.call(zoom.transform, transform),
    /** The view's size in px. */
    size: () => size,
  };
}
