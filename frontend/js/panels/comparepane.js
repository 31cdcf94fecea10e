/**
 * The second run of two compared: its program (an editor under run A's, with Run B and
 * Leave), its graph under A's (drawn where A's nodes are, at A's zoom), each paired node
 * marked by how its gradient differs from A's, and the selected node's two gradients,
 * their difference and ratio. Draws what it is given and reports events.
 */

import { differenceRows, ratioStrength } from "../core/compare.js";
import { formatNumber } from "../core/format.js";
import { createGraphView } from "../draw/graphview.js";
import { createEditor } from "./editor.js";

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {{editor: HTMLElement, wrap: HTMLElement}} elements  #compare-editor (the
 *   program B and its bar), #compare-wrap (its graph, status and difference readout)
 * @param {{onRun: () => void, onLeave: () => void, onChange: (source: string) => void,
 *   onSelect: (idB: string|null) => void, onZoom: (t: {k: number, x: number, y: number}) => void,
 *   onResize: () => void}} handlers  onResize: B's view changed size (and fitted itself:
 *   it should take A's zoom again)
 */
export function createComparePane(
  { editor: editorEl, wrap },
  { onRun, onLeave, onChange, onSelect, onZoom, onResize },
) {
  const $ = (root, sel) => root.querySelector(sel);
  const editor = createEditor(
    { textarea: $(editorEl, "textarea"), gutter: $(editorEl, ".gutter"), marks: $(editorEl, ".marks") },
    { onRun, onChange },
  );
  $(editorEl, "#compare-run").addEventListener("click", onRun);
  $(editorEl, "#compare-leave").addEventListener("click", onLeave);
  const svg = /** @type {SVGSVGElement} */ ($(wrap, "#graph-b"));
  const view = createGraphView(svg, {
    onSelect,
    overlay: $(wrap, "#graph-b-overlay"),
    onZoom,
  });
  const status = $(wrap, "#compare-status");
  const readout = $(wrap, "#compare-readout");
  const message = $(wrap, "#compare-message");
  new ResizeObserver(() => {
    view.resize(svg.parentElement.clientWidth, svg.parentElement.clientHeight);
    onResize();
  }).observe(svg.parentElement);

  /** Mark each paired node of B by its ratio to A (orange: larger, blue: smaller). */
  function badges(diffs, changed) {
    return (g, id) => {
      g.querySelector(".compare-badge")?.remove();
      const d = diffs.get(id);
      const card = g.querySelector("rect.card");
      if (!card || (!d && !changed.has(id))) return;
      const badge = document.createElementNS(SVG, "text");
      const strength = d ? ratioStrength(d) : null;
      const trend = strength === null || Math.abs(strength) < 1 / 3 ? "" : strength > 0 ? " is-larger" : " is-smaller";
      badge.setAttribute("class", `compare-badge${changed.has(id) ? " is-changed" : ""}${trend}`);
      badge.setAttribute("x", String(Number(card.getAttribute("width")) - 6));
      badge.setAttribute("y", "-6");
      badge.setAttribute("text-anchor", "end");
      const ratio = d?.ratio ?? null;
      badge.textContent = [
        changed.has(id) ? "changed" : null,
        ratio === null ? null : `‖g‖ ×${formatNumber(ratio)} vs A`,
      ]
        .filter(Boolean)
        .join(" · ");
      g.append(badge);
    };
  }

  return {
    view,
    editor,
    /** Show or hide the pane's parts (compare mode on or off). */
    showOpen(open) {
      editorEl.hidden = !open;
      wrap.hidden = !open;
    },
    /** What run B is doing, in the bar over its graph. */
    showStatus(text, state) {
      status.textContent = text;
      wrap.dataset.status = state;
    },
    /** A message over B's graph (an error, numbers concealed); "" hides it. */
    showMessage(text) {
      message.textContent = text;
      message.hidden = text === "";
    },
    /**
     * Draw B's graph at `layout` (aligned to A's), with its end frame and the marks of
     * its differences.
     */
    render(model, graph, cards, layout, frame, diffs, changed) {
      view.render(model, graph, cards, layout);
      view.paint(frame);
      view.decorate("compare", badges(diffs, changed));
    },
    clear() {
      view.clear();
      readout.hidden = true;
    },
    /**
     * The selected node's gradients in both runs (null: none selected).
     * @param {{name: string, opA: string|null, opB: string|null, calls: string|null,
     *   difference: import("../core/compare.js").Difference|null}|null} shown  calls:
     *   which call of backward() each run's graph shows (null: one call)
     */
    showDifference(shown) {
      readout.hidden = shown === null;
      readout.replaceChildren();
      if (!shown) return;
      const head = document.createElement("h4");
      head.textContent = shown.name;
      readout.append(head);
      if (shown.opA !== shown.opB) {
        const ops = document.createElement("p");
        ops.className = "compare-ops";
        ops.textContent = shown.opA === null ? `only in run B (${shown.opB})` : `A: ${shown.opA} · B: ${shown.opB}`;
        readout.append(ops);
      }
      if (shown.calls) {
        const calls = document.createElement("p");
        calls.className = "compare-calls";
        calls.textContent = shown.calls;
        readout.append(calls);
      }
      if (!shown.difference) return;
      const table = document.createElement("dl");
      for (const row of differenceRows(shown.difference, formatNumber)) {
        const dt = document.createElement("dt");
        dt.textContent = row.label;
        const dd = document.createElement("dd");
        dd.dataset.key = row.key;
        dd.textContent = row.text;
        if (row.title) dd.title = row.title;
        table.append(dt, dd);
      }
      readout.append(table);
    },
  };
}
