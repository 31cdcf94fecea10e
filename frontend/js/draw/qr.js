/**
 * A QR code as an <svg> element, built with createElementNS (no markup parsed): core/qr.js's
 * path, encoded by the global `qrcode` from vendor/qrcode/qrcode.js (a classic script, as
 * d3's is). Dark on a light square whatever the page's theme, as readers expect.
 */
import { qrPath } from "../core/qr.js";

const SVG = "http://www.w3.org/2000/svg";
const LIGHT = "#fff";
const DARK = "#000";

/**
 * @param {Element} element
 * @param {Record<string, string>} attributes
 */
function setAll(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/**
 * An <svg> of `text` as a QR code with the quiet zone, sized by the caller's CSS (its
 * viewBox is square); `label` is what a screen reader says (the link itself, say).
 * @param {string} text
 * @param {string} label
 * @param {{encode?: import("../core/qr.js").QrEncoder, doc?: Document}} [options]
 *   the encoder (the global `qrcode` by default) and the document (tests pass their own)
 * @returns {SVGSVGElement}
 */
export function qrSvg(text, label, { encode = globalThis.qrcode, doc = document } = {}) {
  if (typeof encode !== "function") {
    throw new Error("no QR encoder: vendor/qrcode/qrcode.js is not loaded");
  }
  const { size, d } = qrPath(text, encode);
  const svg = /** @type {SVGSVGElement} */ (doc.createElementNS(SVG, "svg"));
  setAll(svg, {
    viewBox: `0 0 ${size} ${size}`,
    role: "img",
    "aria-label": label,
    "shape-rendering": "crispEdges",
  });
  const back = setAll(doc.createElementNS(SVG, "rect"), {
    width: String(size),
    height: String(size),
    fill: LIGHT,
  });
  const dark = setAll(doc.createElementNS(SVG, "path"), { d, fill: DARK });
  svg.append(back, dark);
  return svg;
}
