/**
 * The running-sum badges: "Σ 2 of 3" over each node whose gradient is arriving in parts
 * (a fan-out), in the overlay SVG.
 */

import { monoWidth } from "../layout/measure.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Replace the badges in `layer` with one per node arriving in parts.
 * @param {SVGGElement} layer
 * @param {Map<string, import("../core/timeline.js").Partial>} partial  from the frame's
 *   base, by node id
 * @param {(id: string) => {x: number, y: number, w: number, h: number}|undefined} boxOf
 *   the box of what is drawn for a model node (its card, or its module's)
 */
export function drawBadges(layer, partial, boxOf) {
  layer.replaceChildren();
  for (const [id, part] of partial) {
    const box = boxOf(id);
    if (!box) continue;
    const text = `Σ ${part.delivered} of ${part.expected}`;
    const w = monoWidth(text, 10) + 14;
    const g = document.createElementNS(SVG_NS, "g");
    g.setAttribute("class", "sum-badge");
    g.setAttribute("data-node-id", id);
    g.setAttribute("transform", `translate(${box.x + 8},${box.y - 10})`);
    const rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("width", String(w));
    rect.setAttribute("height", "18");
    rect.setAttribute("rx", "9");
    const label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("x", String(w / 2));
    label.setAttribute("y", "13");
    label.setAttribute("text-anchor", "middle");
    label.textContent = text;
    g.append(rect, label);
    layer.append(g);
  }
}
