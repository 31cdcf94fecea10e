/**
 * Draws one edge of a laid-out view: a group with a wide invisible path to hover and the
 * visible line with its arrowhead (and, for an edge reading one of an op's several outputs,
 * which one); and the label of the tensor shape it carries.
 */

import { formatShape, numel } from "../core/format.js";
import { BEND_RADIUS, midpoint, roundedPath } from "../core/geometry.js";
import { monoWidth } from "../layout/measure.js";

const d3 = globalThis.d3;

/** How far before its end (px) an output label ends: clear of the arrowhead. */
const OUTPUT_LABEL_INSET = 12;
/** Font size of output labels (css .edge-output), to measure them. */
const OUTPUT_LABEL_SIZE = 10;
/** Longer output names are cut with an ellipsis. */
const OUTPUT_LABEL_CHARS = 10;

/** An output label's text: the name, cut to OUTPUT_LABEL_CHARS. */
function outputLabelText(label) {
  return label.length > OUTPUT_LABEL_CHARS ? `${label.slice(0, OUTPUT_LABEL_CHARS - 1)}…` : label;
}

/**
 * Where an edge's output label goes: under its last straight stretch, ending just before
 * the arrowhead, when that stretch is long enough to hold it; else under its first
 * stretch, where it leaves the output's row. Always under the line: the shape label sits
 * above its middle, so the two never meet.
 * @param {{x: number, y: number}[]} points
 * @param {string} text  the label as drawn
 * @returns {{x: number, y: number, anchor: "start"|"end"}}
 */
export function outputLabelPlace(points, text) {
  const end = points.at(-1);
  const before = points.at(-2);
  const run = before && Math.abs(before.y - end.y) < 0.5 ? end.x - before.x : 0;
  const width = monoWidth(text, OUTPUT_LABEL_SIZE);
  if (run >= width + OUTPUT_LABEL_INSET + 4) {
    return { x: end.x - OUTPUT_LABEL_INSET, y: end.y + 13, anchor: "end" };
  }
  return { x: points[0].x + 6, y: points[0].y + 13, anchor: "start" };
}

/**
 * An edge's group, not yet in the document.
 * @param {import("../core/collapse.js").ViewEdge} edge
 * @param {{x: number, y: number}[]} points  its polyline from the layout
 * @param {string|null} [outputLabel]  for an edge reading one of an op's several outputs:
 *   which (core/symbols.edgeOutputLabel), written by the arrowhead or where it leaves
 * @returns {SVGGElement}
 */
export function edgeElement(edge, points, outputLabel = null) {
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
  if (outputLabel !== null && points.length) {
    const text = outputLabelText(outputLabel);
    const at = outputLabelPlace(points, text);
    g.attr("data-output", edge.output ?? 0);
    g.append("text")
      .attr("class", "edge-output")
      .attr("text-anchor", at.anchor)
      .attr("x", at.x)
      .attr("y", at.y)
      .text(text);
  }
  return g.node();
}

/**
 * The shape of the tensor an edge carries, as text at its middle; null for tensors of
 * one element, whose shape says nothing.
 * @param {import("../core/contract.js").TensorOut|null|undefined} value  the tensor the edge carries
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
