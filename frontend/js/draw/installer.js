/**
 * Makes the elements of a drawing and puts them in and out of the document, when the scene
 * (scene.js) says: a node's card group, an edge's group and the shape label on it, each
 * dressed with its marks (marks.js) and the frame's state (paint.js). Also a complete copy
 * of the drawing, every node and edge in it, for exports.
 */

import { edgeTensor } from "../core/model.js";
import { edgeOutputLabel } from "../core/symbols.js";
import { nodeElement } from "./cards.js";
import { edgeElement, shapeElement } from "./edges.js";

/**
 * @typedef {object} Drawn  what a drawing shows (graphview.js keeps it)
 * @property {import("../core/model.js").Model} model
 * @property {import("../core/collapse.js").View} view
 * @property {Map<string, import("../core/nodecard.js").Card>} cards
 * @property {Map<string, import("../core/collapse.js").ViewEdge>} edgeById  the view's edges
 * @property {Map<string, import("../core/model.js").ModelEdge>} modelEdges  the model's edges
 * @property {Map<string, {points: {x: number, y: number}[]}>} laidOut  the layout's edges
 * @property {Map<string, SVGGElement>} nodes  node elements made, by view id
 * @property {Map<string, SVGGElement>} edges  edge elements made, by view id
 * @property {Map<string, SVGElement>} shapes  the shape labels of those edges, by view id
 */

/**
 * @param {{layers: {nodes: SVGGElement, edges: SVGGElement, shapes: SVGGElement},
 *   marks: ReturnType<typeof import("./marks.js").createMarks>,
 *   painter: ReturnType<typeof import("./paint.js").createPainter>,
 *   drawing: () => Drawn, layout: () => import("../layout/arrange.js").Layout}} parts
 *   drawing, layout: what is drawn now and its coordinates
 */
export function createInstaller({ layers, marks, painter, drawing, layout }) {
  /** Make one node's or edge's elements, ready to go into the document. */
  function install(item) {
    const drawn = drawing();
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
    const drawn = drawing();
    const [nodes, edges, shapes] = [0, 1, 2].map(() => document.createDocumentFragment());
    for (const { id, kind } of items) {
      if (kind === "node") nodes.append(drawn.nodes.get(id));
      else {
        edges.append(drawn.edges.get(id));
        const shape = drawn.shapes.get(id);
        if (shape) shapes.append(shape);
      }
    }
    layers.edges.append(edges);
    layers.shapes.append(shapes);
    layers.nodes.append(nodes);
  }

  /** Take one node's or edge's elements out of the document. */
  function uninstall(item) {
    const drawn = drawing();
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
    const drawn = drawing();
    const node = drawn.view.byId.get(id);
    const el = nodeElement(node, drawn.cards.get(id), layout().nodes[id], id === drawn.view.output);
    marks.dressNode(el, id);
    return el;
  }

  /** An edge's group, with its marks, and its shape label. */
  function buildEdge(id) {
    const drawn = drawing();
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

  /**
   * The whole graph as drawn, every node and edge included (not only those in view), in a
   * copy of `svgElement` that is not in the document: for exports.
   * @param {SVGSVGElement} svgElement  the drawing
   */
  function completeCopy(svgElement) {
    const copy = svgElement.cloneNode(true);
    const layer = (name) => copy.querySelector(`.viewport > g.${name}`);
    const nodes = [];
    for (const id of Object.keys(layout().nodes)) {
      const el = buildNode(id);
      painter.dressNode(el, id);
      nodes.push(el);
    }
    const edges = [];
    const shapes = [];
    for (const { id } of layout().edges) {
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

  return { install, attach, uninstall, completeCopy };
}
