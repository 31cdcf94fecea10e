/**
 * The gradient check: per element compared (model.2.weight[3, 1]), autograd's gradient
 * beside central finite differences in float64 and their relative error, rows where both
 * are 0 flagged as saying nothing; and a ✓ (or ✗) badge on each leaf in the graph.
 */

import { checkRows } from "../core/checkrows.js";
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
    for (const h of ["element", "autograd", "finite differences", "relative error", ""])
      head.append(el("th", "", h));
    t.append(el("thead"), el("tbody"));
    t.tHead.append(head);
    const elements = new Map((check.leaves ?? []).map((leaf) => [leaf.node, leaf.elements]));
    for (const r of checkRows(check)) {
      const row = el("tr");
      row.dataset.node = r.node;
      row.dataset.ok = String(r.agrees);
      row.dataset.uninformative = String(r.uninformative);
      const mark = r.uninformative ? "both 0" : r.agrees ? "✓" : "✗";
      for (const c of [r.label, r.analytic, r.numeric, r.error, mark]) row.append(el("td", "", c));
      if (r.uninformative) {
        row.title = "Both sides are 0: they agree, but that says nothing about the gradient";
      } else {
        const n = elements.get(r.node);
        row.cells[0].title = `one of ${n} element${n === 1 ? "" : "s"}`;
      }
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
              `h = ${check.step}. ✓: relative error below ${CHECK_TOLERANCE}; "both 0": the ` +
              "two agree at 0, which says nothing. At a kink (ReLU at 0) the two legitimately differ.",
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
