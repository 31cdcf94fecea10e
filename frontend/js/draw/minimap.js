/**
 * The minimap: a small overview of a graph too large to show whole at a readable scale,
 * its nodes as boxes, the current step's node marked and the part the view shows framed;
 * a click centres the view there. Shown only while the graph is not wholly in view.
 * Geometry from core/viewfit.js; it draws into its own small SVG.
 */

import { contains, minimapFrame, minimapPoint, onScreen } from "../core/viewfit.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The largest the overview is drawn, in px. */
const MAX_SIZE = Object.freeze({ width: 180, height: 110 });

function svgEl(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * @param {HTMLElement} element  the minimap's box (absolutely placed over the graph)
 * @param {{onCentre: (point: {x: number, y: number}) => void}} handlers  onCentre: a click
 *   asks for the view centred on this layout point
 */
export function createMinimap(element, { onCentre }) {
  const svg = svgEl("svg", { class: "minimap-svg", "aria-hidden": "true" });
  const nodes = svgEl("path", { class: "minimap-nodes" });
  const current = svgEl("rect", { class: "minimap-current" });
  const frame = svgEl("rect", { class: "minimap-window" });
  svg.append(nodes, current, frame);
  element.replaceChildren(svg);
  /** The layout drawn, and its geometry at the last update. */
  let drawnLayout = null;
  let geometry = null;
  let focus = null;
  /** The node boxes wait for the frame after the graph's first paint (pending: its request). */
  let pending = 0;

  element.addEventListener("click", (event) => {
    if (!geometry) return;
    const r = svg.getBoundingClientRect();
    onCentre(minimapPoint(geometry, event.clientX - r.left, event.clientY - r.top));
  });

  /** Every node as a box of one path: one element however large the graph (a chain of
   * 5,000 ops would otherwise add 5,000 elements to style and paint). */
  function drawNodes(layout, scale) {
    const boxes = Object.values(layout.nodes).map((b) => {
      const [x, y, w, h] = [b.x, b.y, b.w, b.h].map((v) => +(v * scale).toFixed(1));
      return `M${x} ${y}h${w}v${h}h${-w}z`;
    });
    nodes.setAttribute("d", boxes.join(""));
  }

  return {
    /**
     * Show the overview of `layout` seen through transform `t` in a view of `size` px, or
     * hide it when the whole graph is in view (or there is none).
     */
    update(layout, t, size) {
      const box = layout ? { x: 0, y: 0, w: layout.width, h: layout.height } : null;
      const view = { x: 0, y: 0, width: size.width, height: size.height };
      const hide = !layout || size.width === 0 || contains(view, onScreen(t, box), 1);
      element.hidden = hide;
      if (hide) return;
      geometry = minimapFrame(layout, t, size, MAX_SIZE);
      if (layout !== drawnLayout) {
        // Boxes of every node (a string of 5,000 at the largest) are not what the first
        // paint of a new graph waits for: the frame and the step go first, the boxes a frame
        // later (at the scale of that time: the window's may have moved meanwhile).
        drawnLayout = layout;
        nodes.setAttribute("d", "");
        cancelAnimationFrame(pending);
        pending = requestAnimationFrame(() => {
          // This frame paints the graph; the next one draws the boxes.
          pending = requestAnimationFrame(() => {
            pending = 0;
            if (drawnLayout === layout && geometry) drawNodes(layout, geometry.scale);
          });
        });
      }
      svg.setAttribute("width", String(Math.ceil(geometry.width)));
      svg.setAttribute("height", String(Math.ceil(geometry.height)));
      const w = geometry.frame;
      for (const [k, v] of Object.entries({ x: w.x, y: w.y, width: w.width, height: w.height }))
        frame.setAttribute(k, String(v));
      current.style.display = focus ? "" : "none";
      if (focus) {
        const s = geometry.scale;
        for (const [k, v] of Object.entries({
          x: focus.x * s,
          y: focus.y * s,
          width: Math.max(3, focus.w * s),
          height: Math.max(3, focus.h * s),
        }))
          current.setAttribute(k, String(v));
      }
    },
    /** The current step's node box (layout coordinates; null: none), marked at the next update. */
    setFocus(box) {
      focus = box;
    },
  };
}
