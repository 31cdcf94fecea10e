/**
 * The view onto a drawing, with d3-zoom (the global from vendor/d3): zoom and pan (the
 * drawing and its overlay move together), the fit of a whole graph and a new graph's first
 * view, both clear of the overlays over the view, panning a node into view, and the view's
 * size in px. It reads the layout shown; it draws nothing.
 */

import { fitTransform, initialTransform } from "../core/geometry.js";

const d3 = globalThis.d3;

/** Zoom limits. */
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;
/** Fit never magnifies a small graph past this. */
const FIT_MAX_SCALE = 1.35;
/** A new graph is first shown no smaller than this, so its text stays readable. */
const READABLE_SCALE = 0.75;
/** Below this zoom the shapes on edges are hidden: they would be unreadable specks. */
const SHAPES_MIN_ZOOM = 0.45;
/** Below this zoom cards show no text (an overview: 12 px text would be under 4 px). */
const TEXT_MIN_ZOOM = 0.3;
/** Duration of fit animations, in ms. */
const TRANSITION_MS = 320;

/**
 * @param {SVGSVGElement} svgElement  the drawing: it takes the zoom gestures, and the
 *   classes `far` and `overview` at small zooms
 * @param {{viewports: object[], overlay: SVGSVGElement,
 *   layout: () => import("../layout/arrange.js").Layout|null,
 *   insets: () => {top: number, bottom: number, right?: number}, onZoom: () => void}} parts
 *   viewports: the d3 selections of the groups the zoom transforms (the drawing's and the
 *   overlay's); overlay: sized with the drawing; layout: the layout shown (null: none);
 *   insets: px of the view covered by overlays (narration, card, inspector), kept clear
 *   when the graph is fitted; onZoom: called after every change of the zoom
 */
export function createViewport(svgElement, { viewports, overlay, layout, insets, onZoom }) {
  const svg = d3.select(svgElement);
  /** Has the user zoomed or panned since the last fit? Then resizing keeps their view. */
  let userMoved = false;
  /** The view last chosen for the user ("first" or "fit"), kept when the pane resizes. */
  let lastView = "first";
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
      onZoom();
    });
  svg.call(zoom).on("dblclick.zoom", null);

  /**
   * Size the drawing to `width` × `height` px (the wrap it fills), then fit again unless
   * the user moved the graph. Pixel sizes keep its layout apart from the page's.
   */
  function resize(width, height) {
    size = { width: Math.max(0, Math.floor(width)), height: Math.max(0, Math.floor(height)) };
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

  /** The part of the view not under an overlay: its size, and how far down it starts. */
  function clearArea() {
    const { top, bottom, right = 0 } = insets();
    const height = size.height - top - bottom;
    const width = size.width - right < size.width * 0.4 ? size.width : size.width - right;
    // Overlays covering most of the view are not worth dodging.
    if (height < size.height * 0.35) return { width, height: size.height, top: 0 };
    return { width, height, top };
  }

  /** A transform computed for the clear area, moved down to where it starts. */
  function inClearArea(make, area = clearArea()) {
    const t = make(area);
    return { ...t, y: t.y + area.top };
  }

  /** Zoom so the whole graph fits, centred. */
  function fit({ animate = true } = {}) {
    const current = layout();
    if (!current) return;
    lastView = "fit";
    apply(
      inClearArea((area) => fitTransform(current, area, { maxScale: FIT_MAX_SCALE })),
      animate ? TRANSITION_MS : 0,
    );
  }

  /**
   * The first view of a new graph: all of it, unless that would make it unreadable.
   * @param {{width: number, height: number, top: number}} [area]  measured before drawing,
   *   so reading the overlays' heights does not lay out the new drawing
   * @param {number} [ms]  the zoom's transition (0: at once)
   */
  function firstView(area = clearArea(), ms = 0) {
    lastView = "first";
    const options = { maxScale: FIT_MAX_SCALE, minScale: READABLE_SCALE };
    apply(
      inClearArea((a) => initialTransform(layout(), a, options), area),
      ms,
    );
  }

  /** Zoom to {k, x, y}, in a transition of `ms` (0: at once). */
  function apply({ k, x, y }, ms) {
    const transform = d3.zoomIdentity.translate(x, y).scale(k);
    userMoved = false;
    if (ms > 0) svg.transition().duration(ms).call(zoom.transform, transform);
    else svg.call(zoom.transform, transform);
  }

  /**
   * Fit again after the view or the layout changed size, unless the user has moved the
   * graph; `ms`: the zoom's transition (0: at once).
   */
  function refit(ms = 0) {
    if (!layout() || userMoved) return;
    if (lastView === "fit") fit({ animate: ms > 0 });
    else firstView(clearArea(), ms);
  }

  /**
   * Pan (at the same zoom) so `box` (layout coordinates) is in the clear part of the view,
   * when it is not already: the step being played never runs off screen.
   * @param {{x: number, y: number, w: number, h: number}} box
   */
  function reveal(box) {
    const t = d3.zoomTransform(svgElement);
    const area = clearArea();
    const [x0, y0] = [t.applyX(box.x), t.applyY(box.y)];
    const [x1, y1] = [t.applyX(box.x + box.w), t.applyY(box.y + box.h)];
    const margin = 24;
    const inside =
      x0 >= margin &&
      x1 <= area.width - margin &&
      y0 >= area.top + margin &&
      y1 <= area.top + area.height - margin;
    if (inside) return;
    const cx = box.x + box.w / 2;
    const cy = box.y + box.h / 2;
    const moved = d3.zoomIdentity
      .translate(area.width / 2 - cx * t.k, area.top + area.height / 2 - cy * t.k)
      .scale(t.k);
    svg.call(zoom.transform, moved);
  }

  return {
    resize,
    clearArea,
    fit,
    firstView,
    refit,
    reveal,
    /** The zoom now: {k, x, y} with applyX/applyY (d3.zoomTransform). */
    transform: () => d3.zoomTransform(svgElement),
    /** Go back to a zoom read by transform(), at once (the user's view stays theirs). */
    restore: (transform) => svg.call(zoom.transform, transform),
    /** The view's size in px. */
    size: () => size,
  };
}
