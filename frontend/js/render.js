/**
 * Draws a laid-out view into an SVG with d3 (the global from vendor/d3): module frames,
 * edges with arrowheads and shapes, node cards and collapsed modules; zoom and pan, hover,
 * selection. Timeline frames are shown by paint.js on what is drawn here.
 *
 * Only the nodes and edges in or near the visible window are in the DOM (scene.js): they
 * are drawn as they come into view, built a few milliseconds a task, and removed as they
 * leave. What else a node shows (its marks, its state in the frame) is kept by marks.js and
 * paint.js and put on its element whenever it is drawn.
 *
 * Reads only its arguments; the model, view, cards and layout come from the pure modules.
 */

import { describeTensor } from "./format.js";
import { standaloneSvg } from "./exporter.js";
import { layoutItems, visibleRect } from "./culling.js";
import { drawCluster, nodeElement } from "./drawcard.js";
import { edgeElement, shapeElement } from "./drawedge.js";
import { fitTransform, initialTransform, midpoint } from "./geometry.js";
import { edgeOutputLabel } from "./labels.js";
import { createMarks } from "./marks.js";
import { edgeTensor } from "./model.js";
import { moveDrawing } from "./move.js";
import { createPainter } from "./paint.js";
import { createScene } from "./scene.js";
import { edgeTitle, nodeTitle } from "./tooltips.js";

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
/** What is this far (screen px) outside the view is drawn too, after what is in it... */
const NEAR_MARGIN_PX = 240;
/** ...and what is drawn stays until it is this far outside. */
const KEEP_MARGIN_PX = 960;
/** Time to draw a new graph's first view before the first paint; the rest comes later. */
const FIRST_BUDGET_MS = 60;
/**
 * Graphs up to this many nodes end up wholly in the DOM (what is in view first, the rest
 * just after): cheap enough, and every node can be found and exported as it is.
 */
const DRAW_ALL_NODES = 300;
/** Everywhere: the margin of a graph drawn whole. */
const EVERYWHERE = Object.freeze({ x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity });
/** Duration of fit animations, in ms. */
const TRANSITION_MS = 320;

/**
 * @param {SVGSVGElement} svgElement
 * @param {{onHover?: (id: string|null) => void, onEdgeHover?: (id: string|null) => void,
 *   onSelect?: (id: string|null) => void, onToggleModule?: (module: string) => void,
 *   insets?: () => {top: number, bottom: number, right?: number}, overlay?: SVGSVGElement,
 *   moveMs?: number}} [handlers]  insets: px of the view covered by overlays (narration,
 *   card, inspector), kept clear when the graph is fitted; overlay: an SVG over the drawing
 *   for what moves every frame; moveMs: how long move() takes (0: at once)
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
    moveMs = 0,
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
      svg.classed("overview", event.transform.k < TEXT_MIN_ZOOM);
      if (event.sourceEvent) userMoved = true;
      scheduleWindow();
    });
  svg.call(zoom).on("dblclick.zoom", null);
  // A click on the background clears the selection (a drag that pans is not a click).
  svg.on("click", (event) => {
    if (event.target === svgElement) onSelect(null);
  });

  /** @type {import("./layout.js").Layout|null} */
  let current = null;
  /**
   * What the drawing shows: the model, view and cards of the graph, the layout's edges by
   * id, and the node and edge elements now in the DOM (by view id).
   */
  let drawn = null;
  /** Has the user zoomed or panned since the last fit? Then resizing keeps their view. */
  let userMoved = false;
  /** The view last chosen for the user ("first" or "fit"), kept when the pane resizes. */
  let lastView = "first";
  const marks = createMarks(svgElement);
  /** The view's size in px, as resize() set it (read from here: asking the SVG forces a layout). */
  let size = { width: 0, height: 0 };
  let windowFrame = 0;

  const scene = createScene({
    build: (item) => install(item),
    attach: (items) => attach(items),
    erase: (item) => uninstall(item),
  });

  // Hover, click and tooltips are handled once per layer, for whatever is drawn in it.
  const nodeOf = (event) => event.target.closest?.("g.node") ?? null;
  const edgeOf = (event) => event.target.closest?.("g.edge") ?? null;
  const crossed = (el, event) => el && !el.contains(event.relatedTarget);
  nodeLayer
    .on("pointerover", (event) => {
      const el = nodeOf(event);
      if (!crossed(el, event) || !drawn) return;
      const id = el.dataset.nodeId;
      addTitle(el, () => nodeTitle(drawn.view.byId.get(id), drawn.cards.get(id)));
      marks.highlight(id);
      onHover(id);
    })
    .on("pointerout", (event) => {
      if (!crossed(nodeOf(event), event)) return;
      marks.highlight(null);
      onHover(null);
    })
    .on("click", (event) => {
      const el = nodeOf(event);
      if (!el || !drawn) return;
      event.stopPropagation();
      const node = drawn.view.byId.get(el.dataset.nodeId);
      if (node?.kind === "module") onToggleModule(node.module);
      else if (node) onSelect(node.id);
    });
  edgeLayer
    .on("pointerover", (event) => {
      const el = edgeOf(event);
      if (!crossed(el, event) || !drawn) return;
      const edge = drawn.edgeById.get(el.dataset.edgeId);
      addTitle(el, () => edgeTitle(drawn.model, drawn.view, edge));
      showEdgeLabel(edge, drawn.laidOut.get(edge.id));
      onEdgeHover(edge.id);
    })
    .on("pointerout", (event) => {
      if (!crossed(edgeOf(event), event)) return;
      hideEdgeLabel();
      onEdgeHover(null);
    });

  /** A tooltip, made the first time the element is hovered. */
  function addTitle(el, text) {
    if (el.firstElementChild?.tagName !== "title") {
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = text();
      el.prepend(title);
    }
  }

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
    scheduleWindow();
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
      inClearArea((a) => initialTransform(current, a, options), area),
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
    if (!current || userMoved) return;
    if (lastView === "fit") fit({ animate: ms > 0 });
    else firstView(clearArea(), ms);
  }

  /**
   * Pan (at the same zoom) so the node showing model node `id` is in the clear part of the
   * view, when it is not already: the step being played never runs off screen.
   */
  function reveal(id) {
    if (!id || !current || !drawn) return;
    const box = current.nodes[drawn.view.owner.get(id) ?? id];
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

  // --- the window: what is drawn ------------------------------------------------------------

  /** Draw what the view shows now, at the next animation frame (once however often asked). */
  function scheduleWindow() {
    if (!current || windowFrame) return;
    windowFrame = requestAnimationFrame(() => {
      windowFrame = 0;
      showWindow();
    });
  }

  /** Draw what the view shows, for at most `budgetMs` now and the rest in later frames. */
  function showWindow(budgetMs) {
    if (windowFrame) cancelAnimationFrame(windowFrame);
    windowFrame = 0;
    // A view with no size shows nothing yet: resize() draws it once it has one.
    if (!current || size.width === 0 || size.height === 0) return;
    const t = d3.zoomTransform(svgElement);
    const all = drawn.view.nodes.length <= DRAW_ALL_NODES;
    const at = (margin) => (all && margin ? EVERYWHERE : visibleRect(t, size, margin));
    scene.show({ view: at(0), near: at(NEAR_MARGIN_PX), keep: at(KEEP_MARGIN_PX) }, budgetMs);
  }

  /** Make one node's or edge's elements, ready to go into the document. */
  function install(item) {
    if (item.kind === "node") {
      const el = buildNode(item.id);
      painter.attachNode(item.id, el);
      drawn.nodes.set(item.id, el);
    } else {
      const { el, shape } = buildEdge(item.id);
      painter.attachEdge(item.id, el);
      drawn.edges.set(item.id, el);
      if (shape) drawn.shapes.set(item.id, shape);
    }
  }

  /** Put made elements into the document, each layer at once. */
  function attach(items) {
    const [nodes, edges, shapes] = [0, 1, 2].map(() => document.createDocumentFragment());
    for (const { id, kind } of items) {
      if (kind === "node") nodes.append(drawn.nodes.get(id));
      else {
        edges.append(drawn.edges.get(id));
        const shape = drawn.shapes.get(id);
        if (shape) shapes.append(shape);
      }
    }
    edgeLayer.node().append(edges);
    shapeLayer.node().append(shapes);
    nodeLayer.node().append(nodes);
  }

  /** Take one node's or edge's elements out of the document. */
  function uninstall(item) {
    if (item.kind === "node") {
      painter.detachNode(item.id);
      drawn.nodes.get(item.id)?.remove();
      drawn.nodes.delete(item.id);
    } else {
      painter.detachEdge(item.id);
      drawn.edges.get(item.id)?.remove();
      drawn.edges.delete(item.id);
      drawn.shapes.get(item.id)?.remove();
      drawn.shapes.delete(item.id);
    }
  }

  /** A node's group, with its marks. */
  function buildNode(id) {
    const node = drawn.view.byId.get(id);
    const el = nodeElement(node, drawn.cards.get(id), current.nodes[id], id === drawn.view.output);
    marks.dressNode(el, id);
    return el;
  }

  /** An edge's group, with its marks, and its shape label. */
  function buildEdge(id) {
    const edge = drawn.edgeById.get(id);
    const { points } = drawn.laidOut.get(id);
    const first = drawn.modelEdges.get(edge.members?.[0] ?? id);
    // A merged edge into or out of a collapsed module stands for several: no output label.
    const single = first && (edge.members?.length ?? 1) === 1 && edge.source === first.source;
    const el = edgeElement(edge, points, single ? edgeOutputLabel(drawn.model, first) : null);
    marks.dressEdge(el, id);
    const shape = shapeElement(first ? edgeTensor(drawn.model, first).value : null, points);
    return { el, shape };
  }

  // --- drawing a graph ------------------------------------------------------------------------

  function clear() {
    current = null;
    drawn = null;
    svg.classed("is-moving", false);
    scene.reset();
    painter.unbind();
    marks.bind(null, { nodes: new Map(), edges: new Map() });
    for (const layer of [clusterLayer, edgeLayer, shapeLayer, nodeLayer, labelLayer]) {
      layer.selectAll("*").remove();
    }
  }

  /**
   * Draw a graph, replacing what was there: what is in view now when it takes less than
   * FIRST_BUDGET_MS, else in the next tasks, and its surroundings after it.
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
    drawn = {
      model,
      view,
      cards,
      edgeById: new Map(view.edges.map((e) => [e.id, e])),
      modelEdges: new Map(model.edges.map((e) => [e.id, e])),
      laidOut: new Map(layout.edges.map((e) => [e.id, e])),
      nodes: new Map(),
      edges: new Map(),
      shapes: new Map(),
    };
    marks.bind(view, drawn);
    painter.bind(model, view, {
      boxes: layout.nodes,
      points: new Map(layout.edges.map((e) => [e.id, e.points])),
    });
    drawClusters(view, layout);
    scene.reset(layoutItems(layout));
    if (keepView) svg.call(zoom.transform, transform);
    else firstView(area);
    showWindow(FIRST_BUDGET_MS);
  }

  /**
   * Move what is drawn to new coordinates of the same view (ELK's after the quick layout),
   * in moveMs: the marks, the frame shown and a zoom the user set stay; a view the user has
   * not moved follows the graph. `#graph.is-moving` while it moves.
   * @param {import("./layout.js").Layout} layout
   */
  function move(layout) {
    if (!current || !drawn) return;
    const from = current;
    current = layout;
    drawn.laidOut = new Map(layout.edges.map((e) => [e.id, e]));
    hideEdgeLabel();
    painter.relayout({
      boxes: layout.nodes,
      points: new Map(layout.edges.map((e) => [e.id, e.points])),
    });
    scene.move(layoutItems(layout));
    svg.classed("is-moving", true);
    const elements = { ...drawn, clusters: clusterLayer.node() };
    moveDrawing(elements, from, layout, moveMs).then(() => {
      if (current === layout) svg.classed("is-moving", false);
    });
    refit(moveMs);
    scheduleWindow();
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

  // --- the hovered edge's label, the export --------------------------------------------------

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

  /**
   * The whole graph as drawn, every node and edge included (not only those in view), in a
   * copy of the SVG that is not in the document: for exports.
   */
  function completeCopy() {
    const copy = svgElement.cloneNode(true);
    const layer = (name) => copy.querySelector(`.viewport > g.${name}`);
    const nodes = [];
    for (const id of Object.keys(current.nodes)) {
      const el = buildNode(id);
      painter.dressNode(el, id);
      nodes.push(el);
    }
    const edges = [];
    const shapes = [];
    for (const { id } of current.edges) {
      const { el, shape } = buildEdge(id);
      painter.dressEdge(el, id);
      edges.push(el);
      if (shape) shapes.push(shape);
    }
    layer("nodes").replaceChildren(...nodes);
    layer("edges").replaceChildren(...edges);
    layer("edge-shapes").replaceChildren(...shapes);
    return copy;
  }

  return {
    render,
    move,
    fit,
    refit,
    resize,
    clear,
    reveal,
    select: marks.select,
    markLine: marks.markLine,
    decorate: marks.decorate,
    paint: (frame) => painter.apply(frame),
    /** Resolves once what the view shows of the last graph drawn is in the DOM. */
    shown: () => scene.shown(),
    /** How many nodes and edges are in the DOM, and how many the layout has. */
    counts: () => scene.counts(),
    /** The drawing as a standalone SVG document with `css` inside, or null before any. */
    toSvgText: (css) => (current ? standaloneSvg(completeCopy(), current, css) : null),
    size: () => (current ? { width: current.width, height: current.height } : null),
  };
}
