/**
 * The graph view: draws a laid-out view into an SVG with d3 (the global from vendor/d3) and
 * keeps it drawn. It puts the parts together: the layers (svglayers.js), the viewport
 * (viewport.js: zoom, fit, reveal), the scene (scene.js: what is in the DOM) and what makes
 * its elements (installer.js), the marks (marks.js), the pointer (hover.js), and the
 * painter that shows timeline frames on what is drawn (paint.js).
 *
 * Only the nodes and edges in or near the visible window are in the DOM: they are drawn as
 * they come into view, built a few milliseconds a task, and removed as they leave. What else
 * a node shows (its marks, its state in the frame) is kept by marks.js and paint.js and put
 * on its element whenever it is drawn.
 *
 * Reads only its arguments; the model, view, cards and layout come from the pure modules.
 */

import { layoutItems, visibleRect } from "../core/culling.js";
import { drawCluster } from "./cards.js";
import { bindHover } from "./hover.js";
import { createInstaller } from "./installer.js";
import { createMarks } from "./marks.js";
import { moveDrawing } from "./move.js";
import { createPainter } from "./paint.js";
import { createScene } from "./scene.js";
import { standaloneSvg } from "./svgexport.js";
import { createMinimap } from "./minimap.js";
import { createLayers } from "./svglayers.js";
import { createViewport } from "./viewport.js";

const d3 = globalThis.d3;

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

/**
 * @param {SVGSVGElement} svgElement
 * @param {{onHover?: (id: string|null) => void, onEdgeHover?: (id: string|null) => void,
 *   onSelect?: (id: string|null) => void, onToggleModule?: (module: string) => void,
 *   obstacles?: () => {x: number, y: number, width: number, height: number}[],
 *   overlay?: SVGSVGElement, minimap?: HTMLElement, moveMs?: number,
 *   onZoom?: (transform: {k: number, x: number, y: number}, byUser: boolean) => void}} [handlers]
 *   obstacles: the view's px covered by overlays (caption, card, inspector, minimap), kept
 *   clear when the graph is fitted; overlay: an SVG over the drawing for what moves every
 *   frame; minimap: the box the overview of a graph too large to show whole goes in;
 *   moveMs: how long move() takes (0: at once); onZoom: the view was zoomed or panned (by
 *   the user, byUser, or the page), with the zoom now
 */
export function createGraphView(
  svgElement,
  {
    onHover = () => {},
    onEdgeHover = () => {},
    onSelect = () => {},
    onToggleModule = () => {},
    obstacles = () => [],
    overlay = null,
    minimap: minimapElement = null,
    moveMs = 0,
    onZoom = () => {},
  } = {},
) {
  const svg = d3.select(svgElement);
  const layers = createLayers(svgElement, overlay);
  const { clusterLayer, edgeLayer, shapeLayer, nodeLayer, labelLayer, flowLayer, badgeLayer } =
    layers;
  const painter = createPainter(svgElement, flowLayer.node(), badgeLayer.node());

  /** @type {import("../layout/arrange.js").Layout|null} */
  let current = null;
  /**
   * What the drawing shows: the model, view and cards of the graph, the layout's edges by
   * id, and the node and edge elements now in the DOM (by view id).
   * @type {import("./installer.js").Drawn|null}
   */
  let drawn = null;
  let windowFrame = 0;

  const viewport = createViewport(svgElement, {
    viewports: layers.viewports,
    overlay: layers.overlay,
    layout: () => current,
    obstacles,
    onZoom: (byUser) => {
      scheduleWindow();
      scheduleMinimap();
      onZoom(viewport.transform(), byUser);
    },
  });
  const minimap = minimapElement
    ? createMinimap(minimapElement, {
        onCentre: (point) => viewport.reveal({ x: point.x, y: point.y, w: 0, h: 0 }),
      })
    : null;
  let minimapFrame = 0;
  /** Update the minimap at the next animation frame (once however often asked). */
  function scheduleMinimap() {
    if (!minimap || minimapFrame) return;
    minimapFrame = requestAnimationFrame(() => {
      minimapFrame = 0;
      minimap.update(current, viewport.transform(), viewport.size());
    });
  }
  // A click on the background clears the selection (a drag that pans is not a click).
  svg.on("click", (event) => {
    if (event.target === svgElement) onSelect(null);
  });

  const marks = createMarks(svgElement);
  const installer = createInstaller({
    layers: { nodes: nodeLayer.node(), edges: edgeLayer.node(), shapes: shapeLayer.node() },
    marks,
    painter,
    drawing: () => drawn,
    layout: () => current,
  });
  const scene = createScene({
    build: (item) => installer.install(item),
    attach: (items) => installer.attach(items),
    erase: (item) => installer.uninstall(item),
  });
  /** The model with the numbers not to be shown yet taken out (core/conceal.js), or null. */
  let concealedModel = null;
  const { hideEdgeLabel } = bindHover({
    nodeLayer,
    edgeLayer,
    labelLayer,
    marks,
    drawing: () => drawn,
    concealed: () => concealedModel,
    onHover,
    onEdgeHover,
    onSelect,
    onToggleModule,
  });

  /** Size the drawing to `width` × `height` px (the wrap it fills); see viewport.resize. */
  function resize(width, height) {
    viewport.resize(width, height);
    scheduleWindow();
  }

  /**
   * Pan (at the same zoom) so the node showing model node `id` is in the clear part of the
   * view, when it is not already: the step being played never runs off screen.
   */
  /** The model node of the step followed (reveal's), found again after a move. */
  let focusId = null;
  function reveal(id) {
    if (!id || !current || !drawn) return;
    const box = current.nodes[drawn.view.owner.get(id) ?? id];
    if (!box) return;
    focusId = id;
    minimap?.setFocus(box);
    viewport.reveal(box);
    scheduleMinimap();
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
    const size = viewport.size();
    if (!current || size.width === 0 || size.height === 0) return;
    const t = viewport.transform();
    const all = drawn.view.nodes.length <= DRAW_ALL_NODES;
    const at = (margin) => (all && margin ? EVERYWHERE : visibleRect(t, size, margin));
    scene.show({ view: at(0), near: at(NEAR_MARGIN_PX), keep: at(KEEP_MARGIN_PX) }, budgetMs);
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
    scheduleMinimap();
  }

  /**
   * Draw a graph, replacing what was there: what is in view now when it takes less than
   * FIRST_BUDGET_MS, else in the next tasks, and its surroundings after it.
   * @param {import("../core/model.js").Model} model
   * @param {import("../core/collapse.js").View} view
   * @param {Map<string, import("../core/nodecard.js").Card>} cards
   * @param {import("../layout/arrange.js").Layout} layout
   * @param {{keepView?: boolean}} [options]  keepView: keep the zoom (after a module toggles)
   */
  function render(model, view, cards, layout, { keepView = false } = {}) {
    const transform = viewport.transform();
    const area = viewport.clearArea();
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
    viewport.forgetFocus();
    focusId = null;
    minimap?.setFocus(null);
    // After a module folds or opens, a view the user zoomed stays theirs; else it is fitted.
    if (keepView && viewport.userMoved()) viewport.restore(transform);
    else viewport.firstView(area);
    scheduleMinimap();
    showWindow(FIRST_BUDGET_MS);
  }

  /**
   * Move what is drawn to new coordinates of the same view (ELK's after the quick layout),
   * in moveMs: the marks, the frame shown and a zoom the user set stay; a view the user has
   * not moved follows the graph. `#graph.is-moving` while it moves.
   * @param {import("../layout/arrange.js").Layout} layout
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
    viewport.refit(moveMs);
    if (focusId) reveal(focusId);
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

  return {
    render,
    move,
    fit: viewport.fit,
    refit: viewport.refit,
    /** The overlays changed size: fit again if they now cover the graph or its step. */
    keepClear: viewport.keepClear,
    resize,
    clear,
    reveal,
    select: marks.select,
    markLine: marks.markLine,
    decorate: marks.decorate,
    paint: (frame) => painter.apply(frame),
    /**
     * Tooltips and edge labels read their numbers from this model (core/conceal.js's,
     * with what is not to be shown yet taken out); null: from the drawn one.
     */
    conceal: (model) => {
      concealedModel = model;
    },
    /** Resolves once what the view shows of the last graph drawn is in the DOM. */
    shown: () => scene.shown(),
    /** How many nodes and edges are in the DOM, and how many the layout has. */
    counts: () => scene.counts(),
    /** The drawing as a standalone SVG document with `css` inside, or null before any. */
    toSvgText: (css) =>
      current ? standaloneSvg(installer.completeCopy(svgElement), current, css) : null,
    size: () => (current ? { width: current.width, height: current.height } : null),
    /** The zoom now ({k, x, y}). */
    transform: () => viewport.transform(),
    /** Show the drawing at this zoom, as another view shows its own (two runs compared). */
    follow: ({ k, x, y }) => viewport.restore(d3.zoomIdentity.translate(x, y).scale(k)),
  };
}
