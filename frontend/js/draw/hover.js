/**
 * Pointer events on a drawing, handled once per layer for whatever is drawn in it: a
 * hovered node is marked with its edges, a hovered edge shows the gradient flowing back
 * along it as a pill at its middle; a node's or an edge's tooltip is made the first time
 * it is hovered (core/tooltips.js); a click selects a node, or opens or folds a module.
 */

import { concealTensor } from "../core/conceal.js";
import { describeTensor } from "../core/format.js";
import { midpoint } from "../core/geometry.js";
import { edgeTitle, nodeTitle } from "../core/tooltips.js";

/**
 * @param {{nodeLayer: object, edgeLayer: object, labelLayer: object,
 *   marks: ReturnType<typeof import("./marks.js").createMarks>,
 *   drawing: () => import("./installer.js").Drawn|null,
 *   concealed?: () => import("../core/model.js").Model|null,
 *   onHover: (id: string|null) => void, onEdgeHover: (id: string|null) => void,
 *   onSelect: (id: string|null) => void, onToggleModule: (module: string) => void}} parts
 *   the layers are d3 selections; drawing: what is drawn now (null: nothing); concealed:
 *   the model to read numbers from while some are not to be shown yet (core/conceal.js)
 */
export function bindHover({
  nodeLayer,
  edgeLayer,
  labelLayer,
  marks,
  drawing,
  concealed = () => null,
  onHover,
  onEdgeHover,
  onSelect,
  onToggleModule,
}) {
  const nodeOf = (event) => event.target.closest?.("g.node") ?? null;
  const edgeOf = (event) => event.target.closest?.("g.edge") ?? null;
  const crossed = (el, event) => el && !el.contains(event.relatedTarget);
  nodeLayer
    .on("pointerover", (event) => {
      const el = nodeOf(event);
      const drawn = drawing();
      if (!crossed(el, event) || !drawn) return;
      const id = el.dataset.nodeId;
      const node = concealed()?.byId.get(id) ?? drawn.view.byId.get(id);
      addTitle(el, () => nodeTitle(node, drawn.cards.get(id)));
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
      const drawn = drawing();
      if (!el || !drawn) return;
      event.stopPropagation();
      const node = drawn.view.byId.get(el.dataset.nodeId);
      if (node?.kind === "module") onToggleModule(node.module);
      else if (node) onSelect(node.id);
    });
  edgeLayer
    .on("pointerover", (event) => {
      const el = edgeOf(event);
      const drawn = drawing();
      if (!crossed(el, event) || !drawn) return;
      const edge = shownEdge(drawn.edgeById.get(el.dataset.edgeId));
      addTitle(el, () => edgeTitle(drawn.model, drawn.view, edge));
      showEdgeLabel(edge, drawn.laidOut.get(edge.id));
      onEdgeHover(edge.id);
    })
    .on("pointerout", (event) => {
      if (!crossed(edgeOf(event), event)) return;
      hideEdgeLabel();
      onEdgeHover(null);
    });

  /** A drawn edge with the gradient the page may show now (concealed: "?" when merged). */
  function shownEdge(edge) {
    const model = concealed();
    if (!model || !edge) return edge;
    const own = model.edges.find((e) => e.id === edge.id);
    return { ...edge, grad: own ? own.grad : concealTensor(edge.grad) };
  }

  /** A tooltip, made the first time the element is hovered, its text renewed each time. */
  function addTitle(el, text) {
    let title = el.firstElementChild;
    if (title?.tagName !== "title") {
      title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      el.prepend(title);
    }
    title.textContent = text();
  }

  /** The gradient flowing back along an edge, as a pill at its middle. */
  function showEdgeLabel(edge, laidOut) {
    hideEdgeLabel();
    drawing()?.edges.get(edge.id)?.classList.add("is-hover");
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

  /** Take the hovered edge's pill away (the drawing moves, or the pointer left). */
  function hideEdgeLabel() {
    labelLayer.selectAll("*").remove();
    edgeLayer.selectAll("g.edge.is-hover").classed("is-hover", false);
  }

  return { hideEdgeLabel };
}
