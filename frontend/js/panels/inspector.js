/**
 * The inspector: everything about the clicked node. Its value and gradient in full (a
 * table of numbers, or a heatmap when there are many), shape, dtype, torch's op name and
 * the friendly one, what it computes, the local derivative along each input, the saved
 * tensors, and the source line that made it.
 */

import {
  describeTensor,
  formatNumber,
  formatShape,
  formatTensor,
  isFloatDtype,
  numel,
} from "../core/format.js";
import { localFormula, namedFormula } from "../core/formula.js";
import { HEATMAP, divergingColour, flatten, heatmapOf, maxAbs } from "../core/heatmap.js";
import { edgeTensor, listsOutputs, resultsOf } from "../core/model.js";
import { gradLabel, outputLabel, outputSymbol } from "../core/symbols.js";
import { partial, plainWho, texNumber, who } from "../core/tex.js";
import { typeset } from "./typeset.js";

/** Tensors with at most this many elements are listed as a table of numbers. */
const TABLE_MAX = 64;
/** Bounds of the inspector's larger heatmaps. */
const BIG_HEATMAP = {
  ...HEATMAP,
  maxWidth: 300,
  maxHeight: 220,
  maxCell: 16,
  maxCols: 160,
  maxRows: 110,
  fold: 64,
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function section(title, ...children) {
  const s = el("section", "insp-section");
  s.append(el("h4", null, title), ...children);
  return s;
}

/** A small tensor as a table of numbers on its heat colours; a large one as a heatmap. */
export function tensorView(tensor) {
  const wrap = el("div", "tensor-view");
  if (!tensor) {
    wrap.append(el("p", "muted", "none"));
    return wrap;
  }
  const count = numel(tensor.shape);
  const float = isFloatDtype(tensor.dtype);
  const meta = el("p", "tensor-meta", `${formatShape(tensor.shape)} · ${tensor.dtype}`);
  wrap.append(meta);
  if (tensor.concealed) {
    wrap.append(el("p", "tensor-scalar", "?")); // not to be shown yet (core/conceal.js)
    return wrap;
  }
  if (tensor.data !== null && tensor.data !== undefined && count === 1) {
    wrap.append(el("p", "tensor-scalar", formatNumber(flatten(tensor.data)[0], { float })));
    return wrap;
  }
  if (tensor.data !== null && tensor.data !== undefined && count <= TABLE_MAX) {
    const values = flatten(tensor.data);
    const limit = maxAbs(values);
    const cols = tensor.shape.length ? tensor.shape[tensor.shape.length - 1] : 1;
    const table = el("table", "tensor-table");
    for (let r = 0; r < values.length / cols; r++) {
      const tr = el("tr");
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const td = el("td", null, formatNumber(v, { float }));
        td.style.background = divergingColour(v, limit);
        if (limit > 0 && typeof v === "number" && Math.abs(v) / limit > 0.6)
          td.classList.add("strong");
        tr.append(td);
      }
      table.append(tr);
    }
    wrap.append(table);
  } else if (tensor.data !== null && tensor.data !== undefined) {
    const heat = heatmapOf(tensor, BIG_HEATMAP);
    if (heat) wrap.append(heatmapSvg(heat));
  }
  const s = tensor.summary;
  if (s && count > 1) {
    const f = (v) => formatNumber(v, { float: false });
    wrap.append(
      el(
        "p",
        "tensor-summary",
        `min ${f(s.min)} · max ${f(s.max)} · mean ${f(s.mean)} · std ${f(s.std)}`,
      ),
    );
  }
  return wrap;
}

function heatmapSvg(heat) {
  const NS = "http://www.w3.org/2000/svg";
  const { cols, cell, width, height, folded } = heat.grid;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "insp-heat");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  heat.colours.forEach((fill, i) => {
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("x", String((i % cols) * cell));
    r.setAttribute("y", String(Math.floor(i / cols) * cell));
    r.setAttribute("width", String(cell));
    r.setAttribute("height", String(cell));
    r.setAttribute("fill", fill);
    svg.append(r);
  });
  const box = el("div", "insp-heat-wrap");
  box.append(svg);
  if (folded) box.append(el("p", "muted", `elements in order, ${cols} to a row`));
  box.append(
    el(
      "p",
      "muted",
      `scale: blue −${formatNumber(heat.limit)} · white 0 · orange +${formatNumber(heat.limit)}`,
    ),
  );
  return box;
}

/**
 * @param {HTMLElement} element  the panel
 * @param {{onClose?: () => void}} [handlers]
 */
export function createInspector(element, { onClose = () => {} } = {}) {
  return {
    /**
     * Show a node (null hides the panel).
     * @param {import("../core/contract.js").NodeOut|null} node
     * @param {import("../core/model.js").Model|null} model
     * @param {string} source  the program, to quote the node's line
     */
    show(node, model, source) {
      element.hidden = node === null;
      if (!node) return;
      element.dataset.node = node.id;
      const close = el("button", "insp-close", "×");
      close.type = "button";
      close.title = "Close (Esc)";
      close.setAttribute("aria-label", "Close the inspector");
      close.addEventListener("click", onClose);
      const several = listsOutputs(node);
      const title = el(
        "h3",
        "insp-title",
        several ? (node.shown ?? node.label) : (node.name ?? node.shown ?? node.label),
      );
      const kind = el("span", `insp-kind kind-${node.kind}`, node.kind);
      const head = el("header", "insp-head");
      head.append(title, kind, close);

      const facts = el("dl", "insp-facts");
      const fact = (k, v) => facts.append(el("dt", null, k), el("dd", null, v));
      fact("torch op", node.op ?? "— (a constant has no grad_fn)");
      fact("friendly", [node.label, node.meaning].filter(Boolean).join(" · "));
      if (several) fact("outputs", `${node.outputs.length} used: ${outputNames(node)}`);
      else if (node.value)
        fact("shape · dtype", `${formatShape(node.value.shape)} · ${node.value.dtype}`);
      if (node.module) fact("module", node.module);

      const parts = [head, facts];
      // What the op computes, in the program's names (the op table's letters if it has none).
      const computes = namedFormula(model, node)?.tex ?? node.formula;
      if (computes) parts.push(section("Computes", typeset(computes, "tex insp-tex")));
      if (several) parts.push(...outputSections(node, outputSymbol(model)));
      else {
        parts.push(section("Value", tensorView(node.value)));
        if (node.kind !== "constant" || node.grad) {
          parts.push(section(gradLabel(node, outputSymbol(model)), tensorView(node.grad)));
        }
      }
      const locals = localDerivatives(node, model);
      if (locals) parts.push(locals);
      const saved = savedList(node);
      if (saved) parts.push(saved);
      if (node.span) parts.push(sourceQuote(node.span, source));
      element.replaceChildren(...parts);
    },
  };
}

/** ∂node/∂input for each input: torch's formula and, where known, the number. */
function localDerivatives(node, model) {
  const ins = model.inEdges.get(node.id) ?? [];
  if (ins.length === 0) return null;
  const list = el("div", "insp-locals");
  for (const edge of ins) {
    const source = edgeTensor(model, edge);
    let tex = partial(who(node), who(source));
    const named = localFormula(model, edge, outputSymbol(model));
    if (named) tex += ` = ${named.tex}`;
    if (edge.local) tex += ` = ${texNumber(formatTensor(edge.local, { maxChars: 40 }))}`;
    const row = el("div", "insp-local");
    row.append(
      typeset(tex),
      el("span", "sr-only", `input ${edge.input}: ${plainWho(source)}`),
    );
    list.append(row);
  }
  return section("Local derivatives", list);
}

/** "top (output 1), out[2] (output 2)": the outputs an op lists. */
function outputNames(node) {
  return resultsOf(node)
    .map((r) => `${outputLabel(r)} (output ${r.output})`)
    .join(", ");
}

/**
 * An op's several outputs: each one's value, and its gradient unless none can reach it.
 * @param {import("../core/contract.js").NodeOut} node
 * @param {string} symbol  from outputSymbol
 */
function outputSections(node, symbol) {
  return resultsOf(node).flatMap((r) => {
    const label = outputLabel(r);
    const value = section(`${label} · output ${r.output}`, tensorView(r.value));
    if (!r.differentiable) return [value];
    return [value, section(`∂${symbol}/∂${label}`, tensorView(r.grad))];
  });
}

/** The grad_fn's saved values (what backward needs), as short descriptions. */
function savedList(node) {
  const entries = Object.entries(node.saved ?? {});
  if (entries.length === 0) return null;
  const dl = el("dl", "insp-saved");
  for (const [key, value] of entries) {
    const text =
      value === null
        ? "— (torch did not keep it)"
        : value && typeof value === "object" && "shape" in value
          ? describeTensor(value).split("\n").slice(0, 2).join("  ")
          : Array.isArray(value)
            ? `[${value.join(", ")}]`
            : String(value);
    dl.append(el("dt", null, key), el("dd", null, text));
  }
  return section("Saved for backward", dl);
}

/** The source line that made the node, its span underlined. */
function sourceQuote(span, source) {
  const lines = (source ?? "").split("\n");
  const text = lines[span.line - 1] ?? "";
  const pre = el("pre", "insp-source");
  const end = span.end_line === span.line ? span.end_col : text.length;
  pre.append(
    el("span", "ln", `${span.line}  `),
    document.createTextNode(text.slice(0, span.col)),
    el("mark", null, text.slice(span.col, end)),
    document.createTextNode(text.slice(end)),
  );
  return section(`Made on line ${span.line}`, pre);
}
