/**
 * The gradient check: per leaf, autograd's gradient beside central finite differences in
 * float64 and their relative error, and a ✓ (or ✗) badge on the leaf in the graph.
 */

import { formatNumber } from "../core/format.js";
import { CHECK_TOLERANCE } from "../core/lessons.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

/** A leaf agrees when its largest relative error is below CHECK_TOLERANCE. */
export function agrees(leaf) {
  return Number(leaf.max_rel_error) < CHECK_TOLERANCE;
}

/**
 * @param {HTMLElement} element  #check-panel
 * @param {{onClose: () => void}} handlers
 */
export function createCheckPanel(element, { onClose }) {
  let shown;

  function table(check) {
    const t = el("table", "check-table");
    const head = el("tr");
    for (const h of ["leaf", "autograd", "finite differences", "relative error", ""])
      head.append(el("th", "", h));
    t.append(el("thead"), el("tbody"));
    t.tHead.append(head);
    for (const leaf of check.leaves) {
      const many = leaf.analytic.length > 1 ? "[0]" : "";
      const row = el("tr");
      row.dataset.node = leaf.node;
      row.dataset.ok = String(agrees(leaf));
      const cells = [
        `${leaf.name ?? leaf.node}${many}`,
        formatNumber(Number(leaf.analytic[0])),
        formatNumber(Number(leaf.numeric[0])),
        Number(leaf.max_rel_error).toExponential(1),
        agrees(leaf) ? "✓" : "✗",
      ];
      for (const c of cells) row.append(el("td", "", c));
      const plural = leaf.elements === 1 ? "" : "s";
      row.cells[0].title = `${leaf.elements} element${plural}; ${leaf.analytic.length} checked`;
      t.tBodies[0].append(row);
    }
    return t;
  }

  return {
    /**
     * @param {import("../core/contract.js").CheckOut|null} check
     * @param {"idle"|"running"|"done"|"error"} status
     */
    show(check, status) {
      element.hidden = status === "idle";
      if (shown === check && element.dataset.status === status) return;
      shown = check;
      element.dataset.status = status;
      const close = el("button", "stepcard-fold", "×");
      close.type = "button";
      close.title = "Close the gradient check";
      close.addEventListener("click", onClose);
      const head = el("div", "check-head");
      head.append(el("strong", "", "Gradient check"), close);
      const body = [];
      if (status === "running") body.push(el("p", "check-note", "Checking…"));
      else if (status === "error" || check?.error)
        body.push(el("p", "check-note", `No check: ${check?.error ?? "the request failed"}`));
      else if (check) {
        body.push(
          el(
            "p",
            "check-note",
            `Every leaf's gradient against (f(x + h) − f(x − h)) / 2h in float64, ` +
              `h = ${check.step}. ✓: relative error below ${CHECK_TOLERANCE}. ` +
              "At a kink (ReLU at 0) the two legitimately differ.",
          ),
          table(check),
        );
      }
      element.replaceChildren(head, ...body);
    },
    /**
     * What puts a ✓ or ✗ badge on a checked leaf's group (none for null), for
     * graphview.decorate: called on each node's group as it is drawn.
     * @returns {(g: SVGGElement, id: string) => void}
     */
    badges(check) {
      const leaves = new Map((check?.leaves ?? []).map((leaf) => [leaf.node, leaf]));
      return (g, id) => {
        g.querySelector(".check-badge")?.remove();
        const leaf = leaves.get(id);
        const card = leaf ? g.querySelector("rect.card") : null;
        if (!card) return;
        const badge = document.createElementNS(SVG, "text");
        badge.setAttribute("class", `check-badge ${agrees(leaf) ? "is-ok" : "is-off"}`);
        badge.setAttribute("x", String(Number(card.getAttribute("width")) - 6));
        badge.setAttribute("y", "-6");
        badge.setAttribute("text-anchor", "end");
        badge.textContent = agrees(leaf) ? "✓ checked" : "✗ differs";
        g.append(badge);
      };
    },
  };
}
