/**
 * The marks on a drawing's nodes and edges: the node shown in the inspector, the nodes
 * made on the editor's caret line, the hovered node with its edges, and decorations (the
 * gradient check's badges). They are kept by id, because elements come and go as they
 * enter and leave the window (scene.js): each element gets its marks when it is drawn.
 */

/**
 * @param {SVGSVGElement} svgElement  gets `has-focus` while a node is hovered
 */
export function createMarks(svgElement) {
  /** The elements drawn now, by view id (installer.js fills them), and the view's edges. */
  let drawn = { nodes: new Map(), edges: new Map() };
  let view = null;
  let selected = null;
  let linked = new Set();
  let focus = { node: null, edges: new Set() };
  /** Functions that add something to each node's group, by name. */
  const decorations = new Map();

  /**
   * Mark a newly drawn graph. The selection and the caret line's nodes stay (by id); the
   * hover does not.
   * @param {import("../core/collapse.js").View|null} nextView
   * @param {{nodes: Map<string, Element>, edges: Map<string, Element>}} elements
   */
  function bind(nextView, elements) {
    view = nextView;
    drawn = elements;
    focus = { node: null, edges: new Set() };
    svgElement.classList.remove("has-focus");
  }

  /** Put a node's marks on its group, drawn just now (not yet in the document). */
  function dressNode(el, id) {
    if (id === selected) el.classList.add("is-selected");
    if (linked.has(id)) el.classList.add("is-linked");
    if (id === focus.node) el.classList.add("is-focus");
    for (const decorate of decorations.values()) decorate(el, id);
  }

  /** Put an edge's marks on its group, drawn just now. */
  function dressEdge(el, id) {
    if (focus.edges.has(id)) setEdgeFocus(el, true);
  }

  function setEdgeFocus(el, on) {
    el.classList.toggle("is-focus", on);
    el.querySelector(".edge-line")?.setAttribute(
      "marker-end",
      on ? "url(#arrow-hot)" : "url(#arrow)",
    );
  }

  /** Emphasise a node with its edges and dim the rest; null restores everything. */
  function highlight(nodeId) {
    drawn.nodes.get(focus.node)?.classList.remove("is-focus");
    for (const id of focus.edges) {
      const el = drawn.edges.get(id);
      if (el) setEdgeFocus(el, false);
    }
    focus = { node: nodeId, edges: new Set() };
    svgElement.classList.toggle("has-focus", nodeId !== null);
    if (nodeId === null || !view) return;
    for (const e of [...(view.inEdges.get(nodeId) ?? []), ...(view.outEdges.get(nodeId) ?? [])]) {
      focus.edges.add(e.id);
      const el = drawn.edges.get(e.id);
      if (el) setEdgeFocus(el, true);
    }
    drawn.nodes.get(nodeId)?.classList.add("is-focus");
  }

  /** Mark the node shown in the inspector (null: none). */
  function select(nodeId) {
    drawn.nodes.get(selected)?.classList.remove("is-selected");
    selected = nodeId;
    drawn.nodes.get(nodeId)?.classList.add("is-selected");
  }

  /** Mark the nodes made on a source line (null: none). */
  function markLine(ids) {
    for (const id of linked) drawn.nodes.get(id)?.classList.remove("is-linked");
    linked = new Set(ids ?? []);
    for (const id of linked) drawn.nodes.get(id)?.classList.add("is-linked");
  }

  /**
   * Add something to every node's group, now and whenever one is drawn; `fn(g, id)` must
   * first take away what it added before. Replaces the decoration of the same name.
   * @param {string} name
   * @param {(g: SVGGElement, id: string) => void} fn
   */
  function decorate(name, fn) {
    decorations.set(name, fn);
    for (const [id, el] of drawn.nodes) fn(el, id);
  }

  return { bind, dressNode, dressEdge, highlight, select, markLine, decorate };
}
