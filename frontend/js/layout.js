/**
 * The adapter between the graph model and ELK: card sizes, the ELK graph to lay out, and
 * the ELK result as plain boxes and edge polylines. Pure: computes coordinates only.
 *
 * Card text is monospace, so its width follows from the character count without a DOM.
 */

/** Geometry of a node card, shared with render.js so drawing matches measuring. */
export const CARD = Object.freeze({
  padX: 11,
  padTop: 9,
  padBottom: 9,
  titleSize: 14,
  titleLine: 18,
  subtitleSize: 10.5,
  subtitleLine: 14,
  dividerGap: 7, // space above and below the divider
  rowSize: 12,
  rowLine: 18,
  labelGap: 14, // between a row's label and its value
  minWidth: 96,
  maxTextChars: 26, // longer strings are cut with an ellipsis
});

/** Advance of one monospace character, as a fraction of the font size. */
export const MONO_ADVANCE = 0.6;

/**
 * Layered left-to-right layout: inputs on the left, the output on the right.
 * Network-simplex placement draws the straightest edges but grows slow past a few hundred
 * nodes; see FAST_PLACEMENT.
 */
export const ELK_OPTIONS = Object.freeze({
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.padding": "[top=24,left=24,bottom=24,right=24]",
  "elk.spacing.nodeNode": "24",
  "elk.spacing.edgeNode": "16",
  "elk.spacing.edgeEdge": "10",
  "elk.layered.spacing.nodeNodeBetweenLayers": "48",
  "elk.layered.spacing.edgeNodeBetweenLayers": "20",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "10",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
});

/** Node placement for larger graphs: a little less tidy, many times faster. */
export const FAST_PLACEMENT = Object.freeze({
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
});

/** Cut `text` to at most `max` characters, ending in … when cut. */
export function clip(text, max = CARD.maxTextChars) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Width in px of monospace `text` at `size`, counting code points (∂ is one character). */
export function monoWidth(text, size) {
  return [...text].length * size * MONO_ADVANCE;
}

/**
 * The size of a card.
 * @param {import("./labels.js").Card} card
 * @returns {{width: number, height: number}}
 */
export function measureCard(card) {
  const title = monoWidth(clip(card.title), CARD.titleSize);
  const subtitle = monoWidth(clip(card.subtitle), CARD.subtitleSize);
  const labels = Math.max(0, ...card.rows.map((r) => monoWidth(clip(r.label), CARD.subtitleSize)));
  const values = Math.max(0, ...card.rows.map((r) => monoWidth(clip(r.text), CARD.rowSize)));
  const rowsWidth = card.rows.length ? labels + CARD.labelGap + values : 0;
  const inner = Math.max(title, subtitle, rowsWidth);
  const width = Math.ceil(Math.max(CARD.minWidth, inner + 2 * CARD.padX));
  const height = Math.ceil(
    CARD.padTop +
      CARD.titleLine +
      CARD.subtitleLine +
      (card.rows.length ? 2 * CARD.dividerGap + card.rows.length * CARD.rowLine : 0) +
      CARD.padBottom,
  );
  return { width, height };
}

/** Port id of an edge's end at its target (one port per input, so inputs keep their order). */
function inPortId(edge) {
  return `${edge.id}:in`;
}

/** Port id of a node's single output. */
function outPortId(nodeId) {
  return `${nodeId}:out`;
}

/**
 * The ELK graph for a model: one box per card, ports fixing the order of each op's inputs
 * (input 0 on top), children in data-flow order so equal layouts come out the same.
 * @param {import("./model.js").Model} model
 * @param {Map<string, {width: number, height: number}>} sizes  by node id
 * @param {string[]} order  node ids in data-flow order (model.forwardOrder)
 * @param {Object<string, string>} [options]  layout options over ELK_OPTIONS
 */
export function toElkGraph(model, sizes, order, options = {}) {
  const children = order.map((id) => {
    const { width, height } = sizes.get(id);
    const ins = model.inEdges.get(id);
    // ELK numbers fixed-order ports clockwise, which runs bottom-to-top on the west side.
    const ports = ins.map((edge, k) => ({
      id: inPortId(edge),
      width: 0,
      height: 0,
      layoutOptions: { "elk.port.side": "WEST", "elk.port.index": String(ins.length - 1 - k) },
    }));
    if (model.outEdges.get(id).length > 0) {
      ports.push({
        id: outPortId(id),
        width: 0,
        height: 0,
        layoutOptions: { "elk.port.side": "EAST" },
      });
    }
    return {
      id,
      width,
      height,
      ports,
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    };
  });
  const edges = model.edges.map((edge) => ({
    id: edge.id,
    sources: [outPortId(edge.source)],
    targets: [inPortId(edge)],
  }));
  return { id: "root", layoutOptions: { ...ELK_OPTIONS, ...options }, children, edges };
}

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{x: number, y: number, w: number, h: number}} Box
 * @typedef {object} Layout
 * @property {number} width
 * @property {number} height
 * @property {Object<string, Box>} nodes  by node id
 * @property {{id: string, source: string, target: string, points: Point[]}[]} edges
 */

/**
 * Plain coordinates from ELK's answer.
 * @param {object} result  the laid-out graph from elk.layout(toElkGraph(...))
 * @param {import("./model.js").Model} model
 * @returns {Layout}
 */
export function fromElkResult(result, model) {
  const nodes = {};
  for (const child of result.children ?? []) {
    nodes[child.id] = { x: child.x, y: child.y, w: child.width, h: child.height };
  }
  const byId = new Map((result.edges ?? []).map((e) => [e.id, e]));
  const edges = model.edges.map((edge) => {
    const points = [];
    for (const section of byId.get(edge.id)?.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      points: dedupe(points.map(({ x, y }) => ({ x, y }))),
    };
  });
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
}

/** Drop consecutive repeated points (sections meet at a shared point). */
function dedupe(points) {
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y);
}
