/**
 * The layers of a drawing, in paint order: module frames, edges, the shapes on edges, node
 * cards, the hovered edge's label; the arrowhead markers they use; and, in a separate
 * overlay SVG on top, what moves every frame (travelling gradients, running-sum badges), so
 * changing it never repaints the large drawing below. Made with d3 (vendor/d3).
 */

const d3 = globalThis.d3;
const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Empty `svgElement` and `overlay` (made beside the drawing when null) and put the layers in.
 * @param {SVGSVGElement} svgElement
 * @param {SVGSVGElement|null} overlay
 * @returns {{viewports: object[], overlay: SVGSVGElement, clusterLayer: object,
 *   edgeLayer: object, shapeLayer: object, nodeLayer: object, labelLayer: object,
 *   flowLayer: object, badgeLayer: object}}  d3 selections; viewports: the group in each SVG
 *   that the zoom transforms
 */
export function createLayers(svgElement, overlay) {
  const svg = d3.select(svgElement);
  svg.selectAll("*").remove();

  const defs = svg.append("defs");
  for (const [id, cls] of [
    ["arrow", "arrowhead"],
    ["arrow-hot", "arrowhead hot"],
  ]) {
    defs
      .append("marker")
      .attr("id", id)
      .attr("viewBox", "0 0 10 10")
      .attr("refX", 9)
      .attr("refY", 5)
      .attr("markerWidth", 9)
      .attr("markerHeight", 9)
      .attr("markerUnits", "userSpaceOnUse")
      .attr("orient", "auto")
      .append("path")
      .attr("class", cls)
      .attr("d", "M0,1 L10,5 L0,9 z");
  }

  const viewport = svg.append("g").attr("class", "viewport");
  const clusterLayer = viewport.append("g").attr("class", "clusters");
  const edgeLayer = viewport.append("g").attr("class", "edges");
  const shapeLayer = viewport.append("g").attr("class", "edge-shapes");
  const nodeLayer = viewport.append("g").attr("class", "nodes");
  const labelLayer = viewport.append("g").attr("class", "edge-labels");
  const overlaySvg = d3.select(
    overlay ?? svgElement.parentNode.appendChild(document.createElementNS(SVG_NS, "svg")),
  );
  overlaySvg.classed("graph-overlay", true).attr("aria-hidden", "true");
  overlaySvg.selectAll("*").remove();
  const topViewport = overlaySvg.append("g").attr("class", "viewport");
  const flowLayer = topViewport.append("g").attr("class", "flows");
  const badgeLayer = topViewport.append("g").attr("class", "badges");
  return {
    viewports: [viewport, topViewport],
    overlay: overlaySvg.node(),
    clusterLayer,
    edgeLayer,
    shapeLayer,
    nodeLayer,
    labelLayer,
    flowLayer,
    badgeLayer,
  };
}
