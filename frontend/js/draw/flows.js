/**
 * What travels along the edges during a step: one overlay path and a dot per edge a value
 * (forward) or a gradient (backward) travels along now, revealed up to the frame's t.
 * Drawn in the overlay SVG, so moving them never repaints the drawing below.
 */

import { BEND_RADIUS, pointAlong, polylineLength, roundedPath } from "../core/geometry.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** @param {SVGGElement} layer  where the travelling overlays go */
export function createFlows(layer) {
  let flows = [];

  function clear() {
    flows = [];
    layer.replaceChildren();
  }

  /**
   * One overlay path (and a travelling dot) per edge something travels along in `frame`.
   * @param {import("../core/timeline.js").Frame} frame
   * @param {(edge: number) => string|null} drawnEdge  the drawn edge showing model edge i
   * @param {(id: string) => {x: number, y: number}[]|undefined} pointsOf  a drawn edge's polyline
   */
  function build(frame, drawnEdge, pointsOf) {
    clear();
    const seen = new Set();
    for (const a of frame.active) {
      const id = drawnEdge(a.edge);
      if (id === null || seen.has(id)) continue;
      seen.add(id);
      const points = pointsOf(id);
      if (!points) continue;
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", roundedPath(points, BEND_RADIUS));
      path.setAttribute("class", `flow flow-${a.direction}`);
      const dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("class", `flow-dot flow-${a.direction}`);
      dot.setAttribute("r", "5");
      layer.append(path, dot);
      // The polyline's length bounds the drawn (rounded) path's: the dash covers it all.
      const length = polylineLength(points);
      path.style.strokeDasharray = `${length} ${length}`;
      flows.push({ path, dot, points, length, direction: a.direction });
    }
  }

  /**
   * Reveal each overlay up to the frame's progress: forward from the source end, backward
   * from the target end (a gradient travels against the data flow).
   */
  function move(frame) {
    const t = frame.t;
    for (const f of flows) {
      const along = f.direction === "forward" ? f.length * t : f.length * (1 - t);
      f.path.style.strokeDashoffset = String(
        f.direction === "forward" ? f.length * (1 - t) : -along,
      );
      const p = pointAlong(f.points, along);
      f.dot.setAttribute("cx", p.x.toFixed(1));
      f.dot.setAttribute("cy", p.y.toFixed(1));
      f.dot.style.opacity = t >= 1 ? "0" : "1";
    }
  }

  return { build, move, clear };
}
