/**
 * Draws a laid-out view into an SVG with d3 (the global from vendor/d3): module frames,
 * edges with arrowheads and shapes, node cards and collapsed modules; zoom and pan, hover,
 * selection. Timeline frames are shown by paint.js on what is drawn here.
 *
 * Reads only its arguments; the model, view, cards and layout come from the pure modules.
 */

import { describeTensor, formatShape, numel } from "./format.js";
import { standaloneSvg } from "./exporter.js";
import { drawCard, drawCluster, drawModuleBox } from "./drawcard.js";
import { BEND_RADIUS, fitTransform, initialTransform, midpoint, roundedPath } from "./geometry.js";
import { createPainter } from "./paint.js";
import { edgeTitle, nodeTitle, withTitles } from "./tooltips.js";

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
/** Duration of fit animations, in ms. */
const TRANSITION_MS = 320;

/**
 * @param {SVGSVGElement} svgElement
 * @param {{onHover?: (id: string|null) => void, onEdgeHover?: (id: string|null) => void,
 *   onSelect?: (id: string|null) => void, onToggleModule?: (module: string) => void,
 *   insets?: () => {top: number, bottom: number, right?: number}, overlay?: SVGSVGElement}}
 *   [handlers]  insets: px of the view covered by overlays (narration, card, inspector), kept clear when the
 *   graph is fitted; overlay: an SVG over the drawing for what moves every frame
 */
export function createGraphView(
  svgElement,
  {
    onHover = () => {},
    onEdgeHover = () => {},
    onSelect = () => {},
    onToggleModule = () => {},
    insets = () => ({ top: 0, bottom: 0 }),
    overlay = null,
  } = {},
) {
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
  // What moves every frame (travelling gradients, running-sum badges) is drawn in a
  // separate, composited SVG on top: changing it never repaints the large drawing below.
  const overlaySvg = d3.select(
    overlay ??
      svgElement.parentNode.appendChild(
        document.createElementNS("http://www.w3.org/2000/svg", "svg"),
      ),
  );
  overlaySvg.classed("graph-overlay", true).attr("aria-hidden", "true");
  overlaySvg.selectAll("*").remove();
  const topViewport = overlaySvg.append("g").attr("class", "viewport");
  const flowLayer = topViewport.append("g").attr("class", "flows");
  const badgeLayer = topViewport.append("g").attr("class", "badges");
  const painter = createPainter(svgElement, flowLayer.node(), badgeLayer.node());

  const zoom = d3
    .zoom()
    .scaleExtent([MIN_ZOOM, MAX_ZOOM])
    .on("zoom", (event) => {
      viewport.attr("transform", event.transform);
      topViewport.attr("transform", event.transform);
      svg.classed("far", event.transform.k < SHAPES_MIN_ZOOM);
      if (event.sourceEvent) userMoved = true;
    });
  svg.call(zoom).on("dblclick.zoom", null);
  // A click on the background clears the selection (a drag that pans is not a click).
  svg.on("click", (event) => {
    if (event.target === svgElement) onSelect(null);
  });

  /** @type {import("./layout.js").Layout|null} */
  let current = null;
  /** @type {import("./collapse.js").View|null} */
  let shownView = null;
  let drawn = null;
  /** Has the user zoomed or panned since the last fit? Then resizing keeps their view. */
  let userMoved = false;
  /** The view last chosen for the user ("first" or "fit"), kept when the pane resizes. */
  let lastView = "first";
  let focus = { node: null, nodes: [], edges: [] };
  /** The view's size in px, as resize() set it (read from here: asking the SVG forces a layout). */
  let size = { width: 0, height: 0 };

  /**
   * Size the drawing to `width` × `height` px (the wrap it fills), then fit again unless
   * the user moved the graph. Pixel sizes keep its layout apart from the page's.
   */
  function resize(width, height) {
    size = { width: Math.max(0, Math.floor(width)), height: Math.max(0, Math.floor(height)) };
    for (const el of [svgElement, overlaySvg.node()]) {
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
    if (!current) return;
    lastView = "fit";
    apply(
      inClearArea((area) => fitTransform(current, area, { maxScale: FIT_MAX_SCALE })),
      animate,
    );
  }

  /**
   * The first view of a new graph: all of it, unless that would make it unreadable.
   * @param {{width: number, height: number, top: number}} [area]  measured before drawing,
   *   so reading the overlays' heights does not lay out the new drawing
   */
  function firstView(area = clearArea()) {
    lastView = "first";
    const options = { maxScale: FIT_MAX_SCALE, minScale: READABLE_SCALE };
    apply(
      inClearArea((a) => initialTransform(current, a, options), area),
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
    drawn = null;
    focus = { node: null, nodes: [], edges: [] };
    painter.unbind();
    svg.classed("has-focus", false);
    for (const layer of [clusterLayer, edgeLayer, shapeLayer, nodeLayer, labelLayer]) {
      layer.selectAll("*").remove();
    }
  }

  /**
   * Draw a graph, replacing what was there.
   * @param {import("./model.js").Model} model
   * @param {import("./collapse.js").View} view
   * @param {Map<string, import("./labels.js").Card>} cards
   * @param {import("./layout.js").Layout} layout
   * @param {{keepView?: boolean}} [options]  keepView: keep the zoom (after a module toggles)
   */
  function render(model, view, cards, layout, { keepView = false } = {}) {
    const transform = d3.zoomTransform(svgElement);
    const area = clearArea();
    clear();
    current = layout;
    shownView = view;
    drawn = {
      nodes: new Map(),
      edges: new Map(),
      boxes: layout.nodes,
      points: new Map(layout.edges.map((e) => [e.id, e.points])),
    };
    drawClusters(view, layout);
    drawEdges(model, view, layout);
    drawNodes(view, cards, layout);
    painter.bind(model, view, drawn);
    if (keepView) svg.call(zoom.transform, transform);
    else firstView(area);
  }

  function drawClusters(view, layout) {
    const frames = (view.clusters ?? []).filter((c) => layout.clusters?.[c.id]);
    clusterLayer
      .selectAll("g.cluster")
      .data(frames, (d) => d.id)
      .join("g")
      .attr("class", "cluster")
      .attr("data-module", (d) => d.module)
      .attr("transform", (d) => `translate(${layout.clusters[d.id].x},${layout.clusters[d.id].y})`)
      .each(function drawOne(cluster) {
        drawCluster(d3.select(this), cluster, layout.clusters[cluster.id]);
      })
      .select(".cluster-head")
      .on("click", (event, d) => {
        event.stopPropagation();
        onToggleModule(d.module);
      });
  }

  function drawEdges(model, view, layout) {
    const byId = new Map(view.edges.map((e) => [e.id, e]));
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
    if (withTitles(view))
      groups.append("title").text((d) => edgeTitle(model, view, byId.get(d.id)));
    const path = (d) => roundedPath(d.points, BEND_RADIUS);
    // A wide invisible stroke makes thin edges easy to hover.
    groups.append("path").attr("class", "edge-hit").attr("d", path);
    groups
      .append("path")
      .attr("class", "edge-line")
      .attr("d", path)
      .attr("marker-end", "url(#arrow)");
    groups.each(function keep(d) {
      drawn.edges.set(d.id, this);
    });

    // The shape of the tensor each edge carries, at its middle (none for 0-d tensors).
    const modelEdges = new Map(model.edges.map((e) => [e.id, e]));
    const shapes = layout.edges
      .map((d) => {
        const first = modelEdges.get(byId.get(d.id).members?.[0] ?? d.id);
        const value = first ? model.byId.get(first.source)?.value : null;
        // One-element tensors carry no interesting shape: only larger ones are labelled.
        return value && numel(value.shape) > 1 ? { d, text: formatShape(value.shape) } : null;
      })
      .filter(Boolean);
    shapeLayer
      .selectAll("text")
      .data(shapes)
      .join("text")
      .attr("class", "edge-shape")
      .attr("text-anchor", "middle")
      .attr("x", (s) => midpoint(s.d.points).x)
      .attr("y", (s) => midpoint(s.d.points).y - 5)
      .text((s) => s.text);
  }

  function drawNodes(view, cards, layout) {
    const nodes = view.nodes.filter((n) => layout.nodes[n.id]);
    const groups = nodeLayer
      .selectAll("g.node")
      .data(nodes, (d) => d.id)
      .join("g")
      .attr("class", (d) => `node kind-${d.kind}${d.id === view.output ? " is-output" : ""}`)
      .attr("data-node-id", (d) => d.id)
      .attr("data-kind", (d) => d.kind)
      .attr("data-name", (d) => d.name ?? null)
      .attr("data-op", (d) => d.op ?? null)
      .attr("data-module", (d) => (d.kind === "module" ? d.module : null))
      .attr("transform", (d) => `translate(${layout.nodes[d.id].x},${layout.nodes[d.id].y})`)
      .on("pointerenter", (event, d) => {
        highlight(view, d.id);
        onHover(d.id);
      })
      .on("pointerleave", () => {
        highlight(view, null);
        onHover(null);
      })
      .on("click", (event, d) => {
        event.stopPropagation();
        if (d.kind === "module") onToggleModule(d.module);
        else onSelect(d.id);
      });

    if (withTitles(view)) groups.append("title").text((d) => nodeTitle(d, cards.get(d.id)));
    groups.each(function drawOne(node) {
      const g = d3.select(this);
      if (node.kind === "module") drawModuleBox(g, node, cards.get(node.id), layout.nodes[node.id]);
      else drawCard(g, node, cards.get(node.id), layout.nodes[node.id], node.id === view.output);
      drawn.nodes.set(node.id, this);
    });
  }

  /** Emphasise a node with its edges and dim the rest; null restores everything. */
  function highlight(view, nodeId) {
    for (const el of focus.nodes) el.classList.remove("is-focus");
    for (const el of focus.edges) {
      el.classList.remove("is-focus");
      el.querySelector(".edge-line")?.setAttribute("marker-end", "url(#arrow)");
    }
    focus = { node: nodeId, nodes: [], edges: [] };
    svg.classed("has-focus", nodeId !== null);
    if (!nodeId || !drawn) return;
    const el = drawn.nodes.get(nodeId);
    if (el) focus.nodes.push(el);
    for (const e of [...(view.inEdges.get(nodeId) ?? []), ...(view.outEdges.get(nodeId) ?? [])]) {
      const edgeEl = drawn.edges.get(e.id);
      if (edgeEl) focus.edges.push(edgeEl);
    }
    for (const n of focus.nodes) n.classList.add("is-focus");
    for (const e of focus.edges) {
      e.classList.add("is-focus");
      e.querySelector(".edge-line")?.setAttribute("marker-end", "url(#arrow-hot)");
    }
  }

  /**
   * Pan (at the same zoom) so the node showing model node `id` is in the clear part of the
   * view, when it is not already: the step being played never runs off screen.
   */
  function reveal(id) {
    if (!id || !current || !shownView) return;
    const box = current.nodes[shownView.owner.get(id) ?? id];
    if (!box) return;
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

  /** Mark the node shown in the inspector (null: none). */
  function select(nodeId) {
    nodeLayer.selectAll("g.node.is-selected").classed("is-selected", false);
    if (nodeId && drawn?.nodes.get(nodeId)) drawn.nodes.get(nodeId).classList.add("is-selected");
  }

  /** Mark the nodes made on a source line (null: none). */
  function markLine(ids) {
    nodeLayer.selectAll("g.node.is-linked").classed("is-linked", false);
    for (const id of ids ?? []) drawn?.nodes.get(id)?.classList.add("is-linked");
  }

  /** The gradient flowing back along an edge, as a pill at its middle. */
  function showEdgeLabel(edge, laidOut) {
    hideEdgeLabel();
    drawn?.edges.get(edge.id)?.classList.add("is-hover");
    const text = edge.grad ? `∂ ${describeTensor(edge.grad).split("\n").at(-1)}` : "no grad";
    const short = text.length > 40 ? `${text.slice(0, 39)}…` : text;
    const at = midpoint(laidOut.points);
    const w = short.length * 11 * 0.6 + 14;
    const g = labelLayer
      .append("g")
      .attr("class", "edge-label")
      .attr("transform", `translate(${at.x - w / 2},${at.y - 30})`);
    g.append("rect").attr("width", w).attr("height", 20).attr("rx", 10);
    g.append("text")
      .attr("x", w / 2)
      .attr("y", 14)
      .attr("text-anchor", "middle")
      .text(short);
  }

  function hideEdgeLabel() {
    labelLayer.selectAll("*").remove();
    edgeLayer.selectAll("g.edge.is-hover").classed("is-hover", false);
  }

  return {
    render,
    fit,
    refit,
    resize,
    clear,
    select,
    reveal,
    markLine,
    paint: (frame) => painter.apply(frame),
    /** The drawing as a standalone SVG document with `css` inside, or null before any. */
    toSvgText: (css) => (current ? standaloneSvg(svgElement, current, css) : null),
    size: () => (current ? { width: current.width, height: current.height } : null),
  };
}
