/**
 * The variables table for single expressions: name, value, requires_grad per row. It draws
 * the rows and reports every edit; core/variables.js reads them into the request.
 */

/**
 * @param {HTMLElement} element  the table's container
 * @param {{onChange?: (rows: import("../core/state.js").VariableRow[]) => void}} [handlers]
 */
export function createVariablesTable(element, { onChange = () => {} } = {}) {
  let rows = [];

  function emit() {
    onChange(rows.map((r) => ({ ...r })));
  }

  function draw() {
    const table = document.createElement("table");
    table.className = "vars-table";
    table.innerHTML =
      "<thead><tr><th scope='col'>name</th><th scope='col'>value</th>" +
      "<th scope='col'>requires_grad</th><th></th></tr></thead>";
    const tbody = document.createElement("tbody");
    rows.forEach((row, i) => {
      const tr = document.createElement("tr");
      const name = input("text", row.name, `name of variable ${i + 1}`, (v) => (row.name = v));
      name.className = "var-name";
      const value = input(
        "text",
        row.value,
        `value of ${row.name || `variable ${i + 1}`}`,
        (v) => (row.value = v),
      );
      value.className = "var-value";
      value.placeholder = "1.0 or [1.4, 2.0]";
      const grad = document.createElement("input");
      grad.type = "checkbox";
      grad.checked = row.requiresGrad;
      grad.className = "var-grad";
      grad.setAttribute("aria-label", `${row.name || "variable"} requires grad`);
      grad.addEventListener("change", () => {
        row.requiresGrad = grad.checked;
        emit();
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "var-remove";
      remove.textContent = "×";
      remove.title = "Remove this variable";
      remove.addEventListener("click", () => {
        rows.splice(i, 1);
        draw();
        emit();
      });
      for (const control of [name, value, grad, remove]) {
        const td = document.createElement("td");
        td.append(control);
        tr.append(td);
      }
      tbody.append(tr);
    });
    table.append(tbody);
    const add = document.createElement("button");
    add.type = "button";
    add.className = "button small var-add";
    add.textContent = "+ Add variable";
    add.addEventListener("click", () => {
      rows.push({ name: "", value: "", requiresGrad: false });
      draw();
      emit();
      element.querySelector("tbody tr:last-child .var-name")?.focus();
    });
    element.replaceChildren(...(rows.length ? [table] : []), add);
  }

  function input(type, value, label, set) {
    const el = document.createElement("input");
    el.type = type;
    el.value = value;
    el.spellcheck = false;
    el.setAttribute("aria-label", label);
    el.addEventListener("input", () => {
      set(el.value);
      emit();
    });
    return el;
  }

  draw();
  return {
    /**
     * Replace the rows (no change event).
     * @param {import("../core/state.js").VariableRow[]} next
     * @param {string|null} [focus]  the name of the row whose value input takes the focus
     */
    setRows(next, focus = null) {
      rows = next.map((r) => ({ ...r }));
      draw();
      if (focus !== null) {
        const at = rows.findIndex((r) => r.name === focus);
        element.querySelectorAll(".var-value")[at]?.focus();
      }
    },
  };
}
