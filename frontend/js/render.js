/**
 * Draws a laid-out graph into an SVG with d3 (the global from vendor/d3): node cards,
 * edges with arrowheads, zoom and pan, hover highlights.
 *
 * Reads only its arguments; the model, cards and layout come from the pure modules.
 */

import { formatTensor, describeTensor } from "./format.js";
import { BEND_RADIUS, fitTransform, initialTransform, midpoint, roundedPath } from "./geometry.js";
import { CARD, clip, monoWidth } from "./layout.js";

const d3 = globalThis.d3;

/** Zoom limits. */
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;
/** Fit never magnifies a small graph past this. */
const FIT_MAX_SCALE = 1.35;
/** A new graph is first shown no smaller than this, so its text stays readable. */
const READABLE_SCALE = 0.75;
/** Duration of fit and appearance animations, in ms. */
const TRANSITION_MS = 320;

/** Baseline of text centred in a line box starting at `top`. */
function baseline(top, line, size) {
  return top + line / 2 + size * 0.36;
}

/**
 * @param {SVGSVGElement} svgElement
 * @param {{onHover?: (nodeId: string|null) => void, onEdgeHover?: (edgeId: string|null) => void}} [handlers]
 */
export function createGraphView(svgElement, { onHover = () => {}, onEdgeHover = () => {} } = {}) {
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
  const edgeLayer = viewport.append("g").attr("class", "edges");
  const nodeLayer = viewport.append("g").attr("class", "nodes");
  const labelLayer = viewport.append("g").attr("class", "edge-labels");

  const zoom = d3
    .zoom()
    .scaleExtent([MIN_ZOOM, MAX_ZOOM])
    .on("zoom", (event) => {
      viewport.attr("transform", event.transform);
      if (event.sourceEvent) userMoved = true;
    });
  svg.call(zoom).on("dblclick.zoom", null);

  /** @type {import("./layout.js").Layout|null} */
  let current = null;
  /** Has the user zoomed or panned since the last fit? Then resizing keeps their view. */
  let userMoved = false;
  /** The view last chosen for the user ("first" or "fit"), kept when the pane resizes. */
  let lastView = "first";

  function viewportSize() {
    const rect = svgElement.getBoundingClientRect();
    return { width: rect.width, height: rect.height };
  }

  /** Zoom so the whole graph fits, centred. */
  function fit({ animate = true } = {}) {
    if (!current) return;
    lastView = "fit";
    apply(fitTransform(current, viewportSize(), { maxScale: FIT_MAX_SCALE }), animate);
  }

  /** The first view of a new graph: all of it, unless that would make it unreadable. */
  function firstView() {
    lastView = "first";
    apply(
      initialTransform(current, viewportSize(), {
        maxScale: FIT_MAX_SCALE,
        minScale: READABLE_SCALE,
      }),
      false,
    );
  }

  function apply({ k, x, y }, animate) {
    const transform = d3.zoomIdentity.translate(x, y).scale(k);
    userMoved = false;
    if (animate) svg.transition().duration(TRANSITION_MS).call(zoom.transform, transform);
    else svg.call(zoom.transform, transform);
  }

  /** Fit again after the view changed size, unless the user has moved the graph. */
  function refit() {
    if (!current || userMoved) return;
    if (lastView === "fit") fit({ animate: false });
    else firstView();
  }

  function clear() {
    current = null;
    svg.classed("has-focus", false);
    edgeLayer.selectAll("*").remove();
    nodeLayer.selectAll("*").remove();
    labelLayer.selectAll("*").remove();
  }

  /**
   * Draw a graph, replacing what was there.
   * @param {import("./model.js").Model} model
   * @param {Map<string, import("./labels.js").Card>} cards
   * @param {import("./layout.js").Layout} layout
   */
  function render(model, cards, layout) {
    clear();
    current = layout;
    drawEdges(model, layout);
    drawNodes(model, cards, layout);
    firstView();
  }

  function drawEdges(model, layout) {
    const byId = new Map(model.edges.map((e) => [e.id, e]));
    const groups = edgeLayer
      .selectAll("g.edge")
      .data(layout.edges, (d) => d.id)
      .join("g")
      .attr("class", "edge")
      .attr("data-edge-id", (d) => d.id)
      .attr("data-source", (d) => d.source)
      .attr("data-target", (d) => d.target)
      .attr("data-input", (d) => byId.get(d.id).input)
      .on("pointerenter", (event, d) => {
        showEdgeLabel(byId.get(d.id), d);
        onEdgeHover(d.id);
      })
      .on("pointerleave", () => {
        hideEdgeLabel();
        onEdgeHover(null);
      });
    groups.append("title").text((d) => edgeTitle(model, byId.get(d.id)));
    const path = (d) => roundedPath(d.points, BEND_RADIUS);
    // A wide invisible stroke makes thin edges easy to hover.
    groups.append("path").attr("class", "edge-hit").attr("d", path);
    groups
      .append("path")
      .attr("class", "edge-line")
      .attr("d", path)
      .attr("marker-end", "url(#arrow)");
  }

  function drawNodes(model, cards, layout) {
    const nodes = model.nodes.filter((n) => layout.nodes[n.id]);
    const groups = nodeLayer
      .selectAll("g.node")
      .data(nodes, (d) => d.id)
      .join("g")
      .attr("class", (d) => `node kind-${d.kind}${d.id === model.output ? " is-output" : ""}`)
      .attr("data-node-id", (d) => d.id)
      .attr("data-kind", (d) => d.kind)
      .attr("data-name", (d) => d.name ?? null)
      .attr("data-op", (d) => d.op ?? null)
      .attr("transform", (d) => `translate(${layout.nodes[d.id].x},${layout.nodes[d.id].y})`)
      .on("pointerenter", (event, d) => {
        highlight(model, d.id);
        onHover(d.id);
      })
      .on("pointerleave", () => {
        highlight(model, null);
        onHover(null);
      });

    groups.append("title").text((d) => nodeTitle(d, cards.get(d.id)));
    groups.each(function drawOne(node) {
      drawCard(
        d3.select(this),
        node,
        cards.get(node.id),
        layout.nodes[node.id],
        node.id === model.output,
      );
    });
  }

  /** One card: frame, title, op name, divider, value and gradient rows. */
  function drawCard(g, node, card, box, isOutput) {
    g.append("rect")
      .attr("class", "card")
      .attr("width", box.w)
      .attr("height", box.h)
      .attr("rx", node.kind === "op" ? 10 : 6);
    if (isOutput) {
      const tag = "output";
      const w = monoWidth(tag, 9.5) + 12;
      const tagG = g
        .append("g")
        .attr("class", "output-tag")
        .attr("transform", `translate(${box.w - w - 8},-9)`);
      tagG.append("rect").attr("width", w).attr("height", 16).attr("rx", 8);
      tagG
        .append("text")
        .attr("x", w / 2)
        .attr("y", 11.5)
        .attr("text-anchor", "middle")
        .text(tag);
    }
    let top = CARD.padTop;
    g.append("text")
      .attr("class", "node-title")
      .attr("x", CARD.padX)
      .attr("y", baseline(top, CARD.titleLine, CARD.titleSize))
      .text(clip(card.title));
    top += CARD.titleLine;
    g.append("text")
      .attr("class", "node-op")
      .attr("x", CARD.padX)
      .attr("y", baseline(top, CARD.subtitleLine, CARD.subtitleSize))
      .text(clip(card.subtitle));
    top += CARD.subtitleLine;
    if (card.rows.length === 0) return;
    top += CARD.dividerGap;
    g.append("line")
      .attr("class", "divider")
      .attr("x1", 0)
      .attr("x2", box.w)
      .attr("y1", top)
      .attr("y2", top);
    top += CARD.dividerGap;
    for (const row of card.rows) {
      const y = baseline(top, CARD.rowLine, CARD.rowSize);
      g.append("text")
        .attr("class", `row-label row-label-${row.key}`)
        .attr("x", CARD.padX)
        .attr("y", y)
        .text(clip(row.label));
      g.append("text")
        .attr("class", `node-${row.key}`)
        .attr("x", box.w - CARD.padX)
        .attr("y", y)
        .attr("text-anchor", "end")
        .text(clip(row.text));
      top += CARD.rowLine;
    }
  }

  /** Emphasise a node with its edges and dim the rest; null restores everything. */
  function highlight(model, nodeId) {
    const touching = new Set();
    if (nodeId) {
      for (const e of model.inEdges.get(nodeId) ?? []) touching.add(e.id);
      for (const e of model.outEdges.get(nodeId) ?? []) touching.add(e.id);
    }
    svg.classed("has-focus", nodeId !== null);
    nodeLayer.selectAll("g.node").classed("is-focus", (d) => d.id === nodeId);
    edgeLayer
      .selectAll("g.edge")
      .classed("is-focus", (d) => touching.has(d.id))
      .select(".edge-line")
      .attr("marker-end", (d) => (touching.has(d.id) ? "url(#arrow-hot)" : "url(#arrow)"));
  }

  /** The gradient flowing back along an edge, as a pill at its middle. */
  function showEdgeLabel(edge, laidOut) {
    hideEdgeLabel();
    edgeLayer
      .selectAll("g.edge")
      .filter((d) => d.id === edge.id)
      .classed("is-hover", true);
    const text = edge.grad ? `∂ ${formatTensor(edge.grad)}` : "no grad";
    const at = midpoint(laidOut.points);
    const w = monoWidth(text, 11) + 14;
    const g = labelLayer
      .append("g")
      .attr("class", "edge-label")
      .attr("transform", `translate(${at.x - w / 2},${at.y - 26})`);
    g.append("rect").attr("width", w).attr("height", 20).attr("rx", 10);
    g.append("text")
      .attr("x", w / 2)
      .attr("y", 14)
      .attr("text-anchor", "middle")
      .text(text);
  }

  function hideEdgeLabel() {
    labelLayer.selectAll("*").remove();
    edgeLayer.selectAll("g.edge.is-hover").classed("is-hover", false);
  }

  return { render, fit, refit, clear };
}

/** Tooltip of a node: what it is, its value and its gradient in full. */
function nodeTitle(node, card) {
  const head = [card.title, node.op ?? "constant", node.meaning].filter(Boolean).join(" · ");
  const lines = [head, "", `value: ${describeTensor(node.value)}`];
  const gradRow = card.rows.find((r) => r.key === "grad");
  if (gradRow) lines.push(`${gradRow.label}: ${describeTensor(node.grad)}`);
  return lines.join("\n");
}

/** Tooltip of an edge: which input it is and the gradient that flows back along it. */
function edgeTitle(model, edge) {
  const source = model.byId.get(edge.source);
  const target = model.byId.get(edge.target);
  const from = source.name ?? source.label;
  const to = target.name ?? target.label;
  const head = `${from} → ${to} (input ${edge.input})`;
  const grad = edge.grad ? describeTensor(edge.grad) : "none flows back along this edge";
  return `${head}\ngradient flowing back: ${grad}`;
}
