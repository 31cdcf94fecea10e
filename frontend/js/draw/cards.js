/**
 * Draws one node card, a collapsed module's box, or an expanded module's frame into an SVG
 * group with d3 selections. Geometry comes from layout/measure.js (CARD), so drawing matches
 * measuring; colours of heatmaps from heatmap.js.
 */

import { heatmapOf } from "../core/heatmap.js";
import { CARD, clip, monoWidth } from "../layout/measure.js";

const d3 = globalThis.d3;

/** Baseline of text centred in a line box starting at `top`. */
export function baseline(top, line, size) {
  return top + line / 2 + size * 0.36;
}

/** A small rounded tag with text, such as "output", at (x, y) of `g`. */
export function drawTag(g, text, x, y, className) {
  const w = monoWidth(text, 9.5) + 12;
  const tag = g
    .append("g")
    .attr("class", className)
    .attr("transform", `translate(${x - w},${y})`);
  tag.append("rect").attr("width", w).attr("height", 16).attr("rx", 8);
  tag
    .append("text")
    .attr("x", w / 2)
    .attr("y", 11.5)
    .attr("text-anchor", "middle")
    .text(text);
  return tag;
}

/**
 * A tensor's elements as a grid of coloured cells.
 * @param {object} g  d3 selection to draw into
 * @param {import("../core/contract.js").TensorOut} tensor
 * @param {number} x
 * @param {number} y
 */
export function drawHeatmap(g, tensor, x, y) {
  const heat = heatmapOf(tensor);
  if (!heat) return null;
  const { rows, cols, cell, width, height } = heat.grid;
  const group = g.append("g").attr("class", "heat").attr("transform", `translate(${x},${y})`);
  const cells = [];
  for (let i = 0; i < heat.colours.length; i++) {
    cells.push({ x: (i % cols) * cell, y: Math.floor(i / cols) * cell, fill: heat.colours[i] });
  }
  group
    .selectAll("rect")
    .data(cells)
    .join("rect")
    .attr("x", (d) => d.x)
    .attr("y", (d) => d.y)
    .attr("width", cell)
    .attr("height", cell)
    .attr("fill", (d) => d.fill);
  group
    .append("rect")
    .attr("class", "heat-frame")
    .attr("width", width)
    .attr("height", Math.min(height, rows * cell));
  return group;
}

/**
 * A node's group, not yet in the document: its card (or collapsed module's box) at its
 * place, with the data-* attributes that styles, tests and event handlers read.
 * @param {import("../core/contract.js").NodeOut|import("../core/collapse.js").ModuleBox} node
 * @param {import("../core/nodecard.js").Card} card
 * @param {import("../layout/arrange.js").Box} box
 * @param {boolean} isOutput
 * @returns {SVGGElement}
 */
export function nodeElement(node, card, box, isOutput) {
  const g = d3
    .create("svg:g")
    .attr("class", `node kind-${node.kind}${isOutput ? " is-output" : ""}`)
    .attr("data-node-id", node.id)
    .attr("data-kind", node.kind)
    .attr("transform", `translate(${box.x},${box.y})`);
  if (node.name) g.attr("data-name", node.name);
  if (node.op) g.attr("data-op", node.op);
  if (node.kind === "module") {
    g.attr("data-module", node.module);
    drawModuleBox(g, node, card, box);
  } else {
    drawCard(g, node, card, box, isOutput);
  }
  return g.node();
}

/**
 * One node card: frame, title, op name, divider, and its rows (value, gradient, .grad),
 * each a group `g.row.row-<key>` so styles can hide a row and its heatmap together; the
 * rows of an op's several outputs carry `data-output`.
 * @param {object} g  d3 selection of the node's group
 * @param {import("../core/contract.js").NodeOut} node
 * @param {import("../core/nodecard.js").Card} card
 * @param {import("../layout/arrange.js").Box} box
 * @param {boolean} isOutput
 */
export function drawCard(g, node, card, box, isOutput) {
  g.append("rect")
    .attr("class", "card")
    .attr("width", box.w)
    .attr("height", box.h)
    .attr("rx", node.kind === "op" ? 10 : 6);
  if (isOutput) drawTag(g, "output", box.w - 8, -9, "output-tag");
  let top = drawHeading(g, card);
  if (card.rows.length === 0) return;
  top += CARD.dividerGap;
  g.append("line")
    .attr("class", "divider")
    .attr("x1", 0)
    .attr("x2", box.w)
    .attr("y1", top)
    .attr("y2", top);
  top += CARD.dividerGap;
  const firstTop = top;
  for (const row of card.rows) {
    const r = g.append("g").attr("class", `row row-${row.key}`);
    // An output of an op with several: its rows say which, and the first row of every
    // output but the first has a faint rule above it, so the outputs read as separate tensors.
    if (row.output !== null && row.output !== undefined) {
      r.attr("data-output", row.output);
      if (row.key === "value" && top > firstTop) {
        r.append("line")
          .attr("class", "output-rule")
          .attr("x1", CARD.padX)
          .attr("x2", box.w - CARD.padX)
          .attr("y1", top)
          .attr("y2", top);
      }
    }
    const y = baseline(top, CARD.rowLine, CARD.rowSize);
    r.append("text")
      .attr("class", `row-label row-label-${row.key}`)
      .attr("x", CARD.padX)
      .attr("y", y)
      .text(clip(row.label));
    r.append("text")
      .attr("class", `node-${row.key}`)
      .attr("x", box.w - CARD.padX)
      .attr("y", y)
      .attr("text-anchor", "end")
      .text(clip(row.text));
    top += CARD.rowLine;
    if (row.heatmap && row.tensor) {
      top += CARD.heatmapGap;
      drawHeatmap(r, row.tensor, CARD.padX, top);
      top += row.heatmap.height + CARD.heatmapGap / 2;
    }
  }
}

/**
 * A collapsed module: a card with a doubled frame and a + to open it.
 * @param {object} g
 * @param {import("../core/collapse.js").ModuleBox} box
 * @param {import("../core/nodecard.js").Card} card
 * @param {import("../layout/arrange.js").Box} at
 */
export function drawModuleBox(g, box, card, at) {
  g.append("rect")
    .attr("class", "card card-back")
    .attr("x", 4)
    .attr("y", 4)
    .attr("width", at.w)
    .attr("height", at.h)
    .attr("rx", 8);
  g.append("rect").attr("class", "card").attr("width", at.w).attr("height", at.h).attr("rx", 8);
  drawHeading(g, card);
  drawToggle(g, at.w - 20, 6, "+", `expand ${box.module}`);
}

/** A round +/− button; its <title> names what it does. */
export function drawToggle(g, x, y, sign, label) {
  const t = g.append("g").attr("class", "toggle").attr("transform", `translate(${x},${y})`);
  t.append("title").text(label);
  t.append("rect").attr("width", 15).attr("height", 15).attr("rx", 4);
  const mid = 7.5;
  t.append("path").attr(
    "d",
    sign === "+" ? `M${mid},3.5V11.5M3.5,${mid}H11.5` : `M3.5,${mid}H11.5`,
  );
  return t;
}

/**
 * An expanded module: a frame around its contents, with a title bar that folds it.
 * @param {object} g
 * @param {import("../core/collapse.js").Cluster} cluster
 * @param {import("../layout/arrange.js").Box} at
 */
export function drawCluster(g, cluster, at) {
  g.append("rect")
    .attr("class", "cluster-frame")
    .attr("width", at.w)
    .attr("height", at.h)
    .attr("rx", 12);
  const head = g.append("g").attr("class", "cluster-head");
  head.append("title").text(`collapse ${cluster.module} into one box`);
  head
    .append("rect")
    .attr("class", "cluster-hit")
    .attr("width", at.w)
    .attr("height", 26)
    .attr("rx", 12);
  head
    .append("text")
    .attr("class", "cluster-name")
    .attr("x", 30)
    .attr("y", 17)
    .text(cluster.module);
  head
    .append("text")
    .attr("class", "cluster-type")
    .attr("x", 30 + monoWidth(cluster.module, 12) + 8)
    .attr("y", 17)
    .text(cluster.type);
  drawToggle(head, 9, 5.5, "−", `collapse ${cluster.module}`);
}

/** The card's title and subtitle lines; returns the y below them. */
function drawHeading(g, card) {
  let top = CARD.padTop;
  g.append("text")
    .attr("class", "node-title")
    .attr("x", CARD.padX)
    .attr("y", baseline(top, CARD.titleLine, CARD.titleSize))
    .text(clip(card.title));
  top += CARD.titleLine;
  g.append("text")
    .attr("class", "node-op")
    .attr("x", CARD.padX)
    .attr("y", baseline(top, CARD.subtitleLine, CARD.subtitleSize))
    .text(clip(card.subtitle));
  return top + CARD.subtitleLine;
}
