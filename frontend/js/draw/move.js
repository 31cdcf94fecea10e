/**
 * Moves what is drawn of a graph to a new layout of the same view (ELK's coordinates after
 * the quick layout's) with one d3 transition, or at once: node cards, edges (through
 * in-between polylines, morph.js) and their output labels, the shapes on edges, module
 * frames. Only attributes change; nothing is drawn again, so marks and the frame shown
 * stay on the elements.
 */

import { BEND_RADIUS, midpoint, roundedPath } from "../core/geometry.js";
import { polylineTween } from "../core/morph.js";
import { outputLabelPlace } from "./edges.js";

const d3 = globalThis.d3;

/** The name of the transition, so that it never interrupts (or is interrupted by) others. */
const NAME = "relayout";

/**
 * @param {{nodes: Map<string, Element>, edges: Map<string, Element>,
 *   shapes: Map<string, Element>, clusters: Element}} drawn  the elements by view id (some
 *   may not be in the document yet), and the layer of module frames
 * @param {import("../layout/arrange.js").Layout} from  where they are
 * @param {import("../layout/arrange.js").Layout} to  where they go
 * @param {number} ms  the move's duration; 0: at once
 * @returns {Promise<void>}  resolves once everything is in place (or the move was cut short)
 */
export function moveDrawing(drawn, from, to, ms) {
  const transition = ms > 0 ? d3.transition(NAME).duration(ms).ease(d3.easeCubicInOut) : null;
  /**
   * Is `el` moved by the transition? Only in the document: an element built but not put in
   * yet (scene.js) has no ancestor holding the transition (d3 throws "transition not
   * found"), and takes its new place at once.
   */
  const animates = (el) => transition !== null && el.isConnected;
  /** An element's attribute changes, animated or at once. */
  const change = (el) => (animates(el) ? d3.select(el).transition(transition) : d3.select(el));
  /**
   * Move each element of a selection (a group placed by `translate(x,y)`) from the point
   * `was(datum, el)` to the point `goes(datum, el)`.
   */
  const place = (selection, was, goes) => {
    selection
      .filter((_, i, g) => !animates(g[i]))
      .attr("transform", (d, i, g) => translate(goes(d, g[i])));
    if (!transition) return;
    selection
      .filter((_, i, g) => animates(g[i]))
      .transition(transition)
      .attrTween("transform", (d, i, g) => {
        const [a, b] = [was(d, g[i]), goes(d, g[i])];
        if (!a) return () => translate(b);
        return (t) => translate(t < 1 ? { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t } : b);
      });
  };
  const before = new Map(from.edges.map((e) => [e.id, e.points]));
  const after = new Map(to.edges.map((e) => [e.id, e.points]));

  const boxIn = (layout) => (_, el) => layout.nodes[el.dataset.nodeId];
  const nodes = d3.selectAll([...drawn.nodes.values()]);
  place(nodes.filter((_, i, g) => boxIn(to)(_, g[i])), boxIn(from), boxIn(to));
  for (const [id, el] of drawn.edges) {
    const [a, b] = [before.get(id), after.get(id)];
    if (!b?.length) continue;
    const d = roundedPath(b, BEND_RADIUS);
    d3.select(el).select(".edge-hit").attr("d", d);
    const label = d3.select(el).select(".edge-output");
    if (!label.empty()) {
      const at = outputLabelPlace(b, label.text());
      label.attr("text-anchor", at.anchor);
      change(label.node()).attr("x", at.x).attr("y", at.y);
    }
    const line = d3.select(el).select(".edge-line");
    if (!animates(el) || !a?.length) {
      line.attr("d", d);
      continue;
    }
    const tween = polylineTween(a, b);
    line
      .transition(transition)
      .attrTween("d", () => (t) => (t < 1 ? roundedPath(tween(t), BEND_RADIUS) : d));
  }
  for (const [id, el] of drawn.shapes) {
    const points = after.get(id);
    if (!points?.length) continue;
    const at = midpoint(points);
    change(el).attr("x", at.x).attr("y", at.y - 5);
  }
  const frames = d3
    .select(drawn.clusters)
    .selectAll("g.cluster")
    .filter((c) => Boolean(to.clusters?.[c.id]));
  const frame = (c) => to.clusters[c.id];
  place(frames, (c) => from.clusters?.[c.id], frame);
  frames.select(".cluster-frame").each(function size(c) {
    change(this).attr("width", frame(c).w).attr("height", frame(c).h);
  });
  frames.select(".cluster-hit").each(function size(c) {
    change(this).attr("width", frame(c).w);
  });

  return transition ? transition.end().catch(() => {}) : Promise.resolve();
}

function translate({ x, y }) {
  return `translate(${x},${y})`;
}
