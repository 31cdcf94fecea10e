/**
 * Shows a timeline frame on a drawn graph by changing what is already there: a `data-s`
 * attribute per node and edge, the text of gradient rows, running-sum badges, and a few
 * overlay paths for what is travelling now. Nothing is redrawn per frame: between two
 * positions only elements whose state changed are touched, and within a step only the
 * travelling overlays move.
 */

import { pointAlong, polylineLength } from "./geometry.js";
import { monoWidth } from "./layout.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Which member state a collapsed module's box takes: the first found in this order. */
const BOX_NODE_ORDER = [
  "current",
  "partial",
  "arrived",
  "waiting",
  "received",
  "computed",
  "pending",
  "none",
  "done",
];
const BOX_EDGE_ORDER = [
  "flowing",
  "reading",
  "blocked",
  "carried",
  "read",
  "nograd",
  "idle",
  "unread",
  "done",
];

function pick(states, order) {
  for (const s of order) if (states.has(s)) return s;
  return "";
}

/**
 * @param {SVGSVGElement} svg
 * @param {SVGGElement} flowLayer  where travelling overlays go
 * @param {SVGGElement} badgeLayer  where running-sum badges go
 */
export function createPainter(svg, flowLayer, badgeLayer) {
  let ctx = null;
  let applied = null;
  let flows = [];

  /**
   * Bind to a freshly drawn graph.
   * @param {import("./model.js").Model} model
   * @param {import("./collapse.js").View} view
   * @param {{nodes: Map<string, SVGGElement>, edges: Map<string, SVGGElement>,
   *   boxes: Object<string, {x: number, y: number, w: number, h: number}>,
   *   points: Map<string, {x: number, y: number}[]>}} drawn  what render.js drew: node and
   *   edge groups by view id, node boxes and edge polylines from the layout
   */
  function bind(model, view, drawn) {
    const nodeEl = model.nodes.map((n) => drawn.nodes.get(view.owner.get(n.id)) ?? null);
    const isBox = model.nodes.map((n) => view.owner.get(n.id) !== n.id);
    const text = (el, cls) => el?.querySelector(`.node-${cls}`) ?? null;
    const gradEl = model.nodes.map((n, i) => (isBox[i] ? null : text(nodeEl[i], "grad")));
    const accEl = model.nodes.map((n, i) => (isBox[i] ? null : text(nodeEl[i], "acc")));
    ctx = {
      model,
      view,
      drawn,
      nodeEl,
      isBox,
      anyBox: isBox.some(Boolean),
      gradEl,
      accEl,
      gradDefault: gradEl.map((el) => el?.textContent ?? null),
      accDefault: accEl.map((el) => el?.textContent ?? null),
      edgeId: model.edges.map((e) => view.edgeOwner.get(e.id) ?? null),
    };
    applied = null;
    clearFlows();
    badgeLayer.replaceChildren();
  }

  function unbind() {
    ctx = null;
    applied = null;
    clearFlows();
    badgeLayer.replaceChildren();
    svg.removeAttribute("data-stage");
    svg.removeAttribute("data-current");
  }

  /** @param {import("./timeline.js").Frame} frame */
  function apply(frame) {
    if (!ctx) return;
    if (!applied || applied.base !== frame.base) {
      applyBase(frame);
      buildFlows(frame);
    }
    moveFlows(frame);
  }

  function applyBase(frame) {
    const { base } = frame;
    const prev = applied ?? {
      nodeState: [],
      edgeState: [],
      gradText: [],
      accText: [],
    };
    svg.setAttribute("data-stage", frame.stage);
    if (frame.node) svg.setAttribute("data-current", frame.node);
    else svg.removeAttribute("data-current");

    const boxStates = new Map();
    base.nodeState.forEach((s, i) => {
      const el = ctx.nodeEl[i];
      if (!el) return;
      if (ctx.isBox[i]) {
        if (!boxStates.has(el)) boxStates.set(el, new Set());
        boxStates.get(el).add(s);
        return;
      }
      if (prev.nodeState[i] !== s) el.setAttribute("data-s", s);
      const g = base.gradText[i];
      if (prev.gradText[i] !== g && ctx.gradEl[i])
        ctx.gradEl[i].textContent = g ?? ctx.gradDefault[i];
      const a = base.accText[i];
      if (prev.accText[i] !== a && ctx.accEl[i]) ctx.accEl[i].textContent = a ?? ctx.accDefault[i];
    });
    for (const [el, states] of boxStates) el.setAttribute("data-s", pick(states, BOX_NODE_ORDER));

    if (ctx.anyBox) {
      const merged = new Map();
      base.edgeState.forEach((s, i) => {
        const id = ctx.edgeId[i];
        if (id === null) return;
        if (!merged.has(id)) merged.set(id, new Set());
        merged.get(id).add(s);
      });
      for (const [id, states] of merged) {
        ctx.drawn.edges.get(id)?.setAttribute("data-s", pick(states, BOX_EDGE_ORDER));
      }
    } else {
      base.edgeState.forEach((s, i) => {
        if (prev.edgeState[i] !== s) ctx.drawn.edges.get(ctx.edgeId[i])?.setAttribute("data-s", s);
      });
    }
    drawBadges(base);
    applied = {
      base,
      nodeState: base.nodeState,
      edgeState: base.edgeState,
      gradText: base.gradText,
      accText: base.accText,
    };
  }

  /** "Σ 2 of 3" over each node whose gradient is arriving in parts. */
  function drawBadges(base) {
    badgeLayer.replaceChildren();
    for (const [id, part] of base.partial) {
      const box = ctx.drawn.boxes[ctx.view.owner.get(id)];
      if (!box) continue;
      const text = `Σ ${part.delivered} of ${part.expected}`;
      const w = monoWidth(text, 10) + 14;
      const g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", "sum-badge");
      g.setAttribute("data-node-id", id);
      g.setAttribute("transform", `translate(${box.x + 8},${box.y - 10})`);
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("width", String(w));
      rect.setAttribute("height", "18");
      rect.setAttribute("rx", "9");
      const label = document.createElementNS(SVG_NS, "text");
      label.setAttribute("x", String(w / 2));
      label.setAttribute("y", "13");
      label.setAttribute("text-anchor", "middle");
      label.textContent = text;
      g.append(rect, label);
      badgeLayer.append(g);
    }
  }

  function clearFlows() {
    flows = [];
    flowLayer.replaceChildren();
  }

  /** One overlay path (and a travelling dot) per edge something travels along now. */
  function buildFlows(frame) {
    clearFlows();
    const seen = new Set();
    for (const a of frame.active) {
      const id = ctx.edgeId[a.edge];
      if (id === null || seen.has(id)) continue;
      seen.add(id);
      const line = ctx.drawn.edges.get(id)?.querySelector(".edge-line");
      const points = ctx.drawn.points.get(id);
      if (!line || !points) continue;
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", line.getAttribute("d"));
      path.setAttribute("class", `flow flow-${a.direction}`);
      const dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("class", `flow-dot flow-${a.direction}`);
      dot.setAttribute("r", "5");
      flowLayer.append(path, dot);
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
  function moveFlows(frame) {
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

  return { bind, unbind, apply };
}
