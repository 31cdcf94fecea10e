/**
 * The text view of the steps: a table for screen readers and for copying into notes.
 * Rows come from core/narration.stepRows; a click (or Enter) on a row jumps to its step.
 */

const ORDER_LABEL = {
  forward: "Forward (teaching order)",
  backward: "Backward (order autograd ran)",
};

/**
 * @param {HTMLElement} element  the container
 * @param {{onJump?: (position: number) => void}} [handlers]
 */
export function createStepTable(element, { onJump = () => {} } = {}) {
  let rows = [];
  let rowEls = [];
  let current = null;

  element.addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-position]");
    if (tr) onJump(Number(tr.dataset.position));
  });
  element.addEventListener("keydown", (event) => {
    const tr = event.target.closest("tr[data-position]");
    if (tr && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      event.stopPropagation();
      onJump(Number(tr.dataset.position));
    }
  });

  /** Tab-separated text of the table, for the clipboard. */
  function asText() {
    const head = ["#", "order", "phase", "node", "op", "what happens"].join("\t");
    const body = rows.map((r) =>
      [
        r.position + 1,
        ORDER_LABEL[r.order],
        r.phase === null ? "" : r.phase + 1,
        r.node,
        r.op,
        r.text,
      ].join("\t"),
    );
    return [head, ...body].join("\n");
  }

  return {
    /** @param {ReturnType<typeof import("../core/narration.js").stepRows>} next */
    setRows(next) {
      rows = next;
      current = null;
      if (rows.length === 0) {
        element.replaceChildren();
        rowEls = [];
        return;
      }
      const table = document.createElement("table");
      table.className = "steps-table";
      table.innerHTML =
        "<caption>Every step: the forward pass in the teaching order, then the backward " +
        "pass in the order autograd ran it</caption><thead><tr><th scope='col'>#</th>" +
        "<th scope='col'>Step</th><th scope='col'>Node</th><th scope='col'>Op</th>" +
        "<th scope='col'>What happens</th></tr></thead>";
      const tbody = document.createElement("tbody");
      let lastOrder = null;
      rowEls = rows.map((r) => {
        if (r.order !== lastOrder) {
          const sep = document.createElement("tr");
          sep.className = `order-row order-${r.order}`;
          const th = document.createElement("th");
          th.colSpan = 5;
          th.scope = "rowgroup";
          th.textContent = ORDER_LABEL[r.order];
          sep.append(th);
          tbody.append(sep);
          lastOrder = r.order;
        }
        const tr = document.createElement("tr");
        tr.dataset.position = String(r.position);
        tr.dataset.node = r.node;
        tr.tabIndex = 0;
        const phase = r.phase !== null ? ` · call ${r.phase + 1}` : "";
        for (const text of [
          r.position + 1,
          `${r.order} ${r.number}${phase}`,
          r.node,
          r.op,
          r.text,
        ]) {
          const td = document.createElement("td");
          td.textContent = String(text);
          tr.append(td);
        }
        tbody.append(tr);
        return tr;
      });
      table.append(tbody);
      element.replaceChildren(table);
    },
    /** Mark the row of the position shown (scrolled into view when the table is visible). */
    setCurrent(position) {
      if (current !== null) rowEls[current]?.classList.remove("is-current");
      current = position;
      const tr = rowEls[position];
      if (!tr) return;
      tr.classList.add("is-current");
      if (element.offsetParent !== null) tr.scrollIntoView({ block: "nearest" });
    },
    asText,
  };
}
