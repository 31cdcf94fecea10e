/**
 * Shows a timeline frame on a drawn graph by changing what is already there: a `data-s`
 * attribute per node and edge, the text of gradient rows, running-sum badges (badges.js),
 * and a few overlay paths for what is travelling now (flows.js). Nothing is redrawn per
 * frame: between two positions only elements whose state changed are touched, and within a
 * step only the travelling overlays move. Elements drawn later (as they enter the window)
 * are attached and get the current state then.
 */

import { drawBadges } from "./badges.js";
import { createFlows } from "./flows.js";

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
  const flows = createFlows(flowLayer);

  /**
   * Bind to a laid-out view. Its node and edge elements come and go as they enter and
   * leave the window (scene.js): each is attached when drawn and detached when removed.
   * @param {import("../core/model.js").Model} model
   * @param {import("../core/collapse.js").View} view
   * @param {{boxes: Object<string, {x: number, y: number, w: number, h: number}>,
   *   points: Map<string, {x: number, y: number}[]>}} laidOut  node boxes and edge
   *   polylines from the layout, by view id
   */
  function bind(model, view, { boxes, points }) {
    const members = indicesBy(model.nodes.map((n) => view.owner.get(n.id) ?? null));
    const edgeId = model.edges.map((e) => view.edgeOwner.get(e.id) ?? null);
    const edgeMembers = indicesBy(edgeId);
    const isBox = model.nodes.map((n) => view.owner.get(n.id) !== n.id);
    const none = () => model.nodes.map(() => null);
    ctx = {
      model,
      view,
      boxes,
      points,
      members,
      edgeMembers,
      isBox,
      anyBox: isBox.some(Boolean),
      nodeEl: none(),
      gradEls: none(),
      valueEls: none(),
      accEl: none(),
      accDefault: none(),
      edgeEl: new Map(),
      edgeId,
    };
    applied = null;
    flows.clear();
    badgeLayer.replaceChildren();
  }

  /**
   * New coordinates for the same view (graphview.move): the next frame applied draws the
   * badges and travelling overlays at them.
   * @param {{boxes: Object<string, {x: number, y: number, w: number, h: number}>,
   *   points: Map<string, {x: number, y: number}[]>}} laidOut
   */
  function relayout({ boxes, points }) {
    if (!ctx) return;
    ctx.boxes = boxes;
    ctx.points = points;
    if (applied) applied = { ...applied, base: null };
  }

  function unbind() {
    ctx = null;
    applied = null;
    flows.clear();
    badgeLayer.replaceChildren();
    svg.removeAttribute("data-stage");
    svg.removeAttribute("data-current");
  }

  /** A node's element was drawn: keep it, and show the current frame's state on it. */
  function attachNode(id, el) {
    if (!ctx) return;
    for (const i of ctx.members.get(id) ?? []) {
      ctx.nodeEl[i] = el;
      if (ctx.isBox[i]) continue;
      ctx.gradEls[i] = gradElements(el);
      ctx.valueEls[i] = [...el.querySelectorAll(".node-value")].map((v) => ({
        el: v,
        text: v.textContent,
      }));
      ctx.accEl[i] = el.querySelector(".node-acc");
      ctx.accDefault[i] = ctx.accEl[i]?.textContent ?? null;
    }
    dressNode(el, id);
  }

  /** A node's element was removed. */
  function detachNode(id) {
    if (!ctx) return;
    for (const i of ctx.members.get(id) ?? []) {
      ctx.nodeEl[i] = null;
      ctx.gradEls[i] = null;
      ctx.valueEls[i] = null;
      ctx.accEl[i] = null;
    }
  }

  /** An edge's element was drawn: keep it, and show the current frame's state on it. */
  function attachEdge(id, el) {
    if (!ctx) return;
    ctx.edgeEl.set(id, el);
    dressEdge(el, id);
  }

  function detachEdge(id) {
    ctx?.edgeEl.delete(id);
  }

  /**
   * Show the last applied frame's state on a node element drawn just now (attached, or a
   * copy for an export): its data-s and its gradient texts (the drawn texts are the
   * defaults, the gradients at the end).
   */
  function dressNode(el, id) {
    const list = ctx?.members.get(id);
    if (!applied || !list?.length) return;
    if (ctx.isBox[list[0]]) {
      const states = new Set(list.map((i) => applied.nodeState[i]));
      el.setAttribute("data-s", pick(states, BOX_NODE_ORDER));
      return;
    }
    const i = list[0];
    el.setAttribute("data-s", applied.nodeState[i]);
    for (const g of gradElements(el)) {
      const text = gradTextOf(applied, i, g.output);
      if (text !== null && text !== undefined) g.el.textContent = text;
    }
    const value = applied.valueText?.[i];
    if (value !== null && value !== undefined) {
      for (const v of el.querySelectorAll(".node-value")) v.textContent = value;
    }
    const acc = applied.accText[i];
    const accEl = acc === null || acc === undefined ? null : el.querySelector(".node-acc");
    if (accEl) accEl.textContent = acc;
  }

  /** Show the last applied frame's state on an edge element drawn just now. */
  function dressEdge(el, id) {
    const list = ctx?.edgeMembers.get(id);
    if (!applied || !list?.length) return;
    const state = ctx.anyBox
      ? pick(new Set(list.map((i) => applied.edgeState[i])), BOX_EDGE_ORDER)
      : applied.edgeState[list[0]];
    el.setAttribute("data-s", state);
  }

  /** @param {import("../core/timeline.js").Frame} frame */
  function apply(frame) {
    if (!ctx) return;
    if (!applied || applied.base !== frame.base) {
      applyBase(frame);
      flows.build(
        frame,
        (i) => ctx.edgeId[i],
        (id) => ctx.points.get(id),
      );
    }
    flows.move(frame);
  }

  function applyBase(frame) {
    const { base } = frame;
    const prev = applied ?? {
      nodeState: [],
      edgeState: [],
      gradText: [],
      accText: [],
      outputText: [],
      valueText: [],
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
      const changed =
        prev.gradText[i] !== base.gradText[i] || prev.outputText[i] !== base.outputText[i];
      if (changed) {
        for (const g of ctx.gradEls[i] ?? []) {
          g.el.textContent = gradTextOf(base, i, g.output) ?? g.text;
        }
      }
      // Values not to be shown yet (core/conceal.js) read "?"; null: the card's own.
      const v = base.valueText?.[i] ?? null;
      if ((prev.valueText?.[i] ?? null) !== v) {
        for (const ve of ctx.valueEls[i] ?? []) ve.el.textContent = v ?? ve.text;
      }
      const a = base.accText[i];
      if (prev.accText[i] !== a && ctx.accEl[i]) ctx.accEl[i].textContent = a ?? ctx.accDefault[i];
    });
    for (const [el, states] of boxStates) el.setAttribute("data-s", pick(states, BOX_NODE_ORDER));

    if (ctx.anyBox) {
      for (const [id, el] of ctx.edgeEl) {
        const states = new Set(ctx.edgeMembers.get(id)?.map((i) => base.edgeState[i]));
        el.setAttribute("data-s", pick(states, BOX_EDGE_ORDER));
      }
    } else {
      base.edgeState.forEach((s, i) => {
        if (prev.edgeState[i] !== s) ctx.edgeEl.get(ctx.edgeId[i])?.setAttribute("data-s", s);
      });
    }
    drawBadges(badgeLayer, base.partial, (id) => ctx.boxes[ctx.view.owner.get(id)]);
    applied = {
      base,
      nodeState: base.nodeState,
      edgeState: base.edgeState,
      gradText: base.gradText,
      accText: base.accText,
      outputText: base.outputText,
      valueText: base.valueText ?? [],
    };
  }

  return {
    bind,
    relayout,
    unbind,
    apply,
    attachNode,
    detachNode,
    attachEdge,
    detachEdge,
    dressNode,
    dressEdge,
  };
}

/**
 * A card's gradient texts: each with the output its row shows (null for a node's own
 * gradient row) and its drawn text, the default when the frame says nothing.
 * @returns {{el: Element, output: number|null, text: string}[]}
 */
function gradElements(card) {
  return [...card.querySelectorAll(".node-grad")].map((el) => {
    const output = el.parentNode?.getAttribute?.("data-output");
    return { el, output: output ? Number(output) : null, text: el.textContent };
  });
}

/** The frame's gradient text for a row: the node's, or that of one of its outputs. */
function gradTextOf(texts, i, output) {
  return output === null ? texts.gradText[i] : (texts.outputText?.[i]?.[output] ?? null);
}

/** The positions of each value in `ids`, nulls left out: drawn element id -> model indices. */
function indicesBy(ids) {
  const found = new Map();
  ids.forEach((id, i) => {
    if (id === null) return;
    if (!found.has(id)) found.set(id, []);
    found.get(id).push(i);
  });
  return found;
}
