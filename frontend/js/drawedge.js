/**
 * Draws one edge of a laid-out view: a group with a wide invisible path to hover and the
 * visible line with its arrowhead; and the label of the tensor shape it carries.
 */

import { formatShape, numel } from "./format.js";
import { BEND_RADIUS, midpoint, roundedPath } from "./geometry.js";

const d3 = globalThis.d3;

/**
 * An edge's group, not yet in the document.
 * @param {import("./collapse.js").ViewEdge} edge
 * @param {{x: number, y: number}[]} points  its polyline from the layout
 * @returns {SVGGElement}
 */
export function edgeElement(edge, points) {
  const d = roundedPath(points, BEND_RADIUS);
  const g = d3
    .create("svg:g")
    .attr("class", "edge")
    .attr("data-edge-id", edge.id)
    .attr("data-source", edge.source)
    .attr("data-target", edge.target)
    .attr("data-input", edge.input);
  // A wide invisible stroke makes thin edges easy to hover.
  g.append("path").attr("class", "edge-hit").attr("d", d);
  g.append("path").attr("class", "edge-line").attr("d", d).attr("marker-end", "url(#arrow)");
  return g.node();
}

/**
 * The shape of the tensor an edge carries, as text at its middle; null for tensors of
 * one element, whose shape says nothing.
 * @param {import("./api.js").Tensor|null|undefined} value  the tensor the edge carries
 * @param {{x: number, y: number}[]} points  the edge's polyline
 * @returns {SVGTextElement|null}
 */
export function shapeElement(value, points) {
  if (!value || numel(value.shape) <= 1) return null;
  const at = midpoint(points);
  return d3
    .create("svg:text")
    .attr("class", "edge-shape")
    .attr("text-anchor", "middle")
    .attr("x", at.x)
    .attr("y", at.y - 5)
    .text(formatShape(value.shape))
    .node();
}
