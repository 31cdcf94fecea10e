/**
 * Downloads: the graph as SVG and PNG, the trace as JSON. The SVG carries the page's graph
 * styles inside it, so it looks the same opened on its own.
 */

/** Selectors whose rules the exported SVG needs (the graph's drawing and the colours). */
const GRAPH_RULES =
  /(^|[\s,(])(:root|#graph|\.node|\.edge|\.cluster|\.arrowhead|\.output-tag|\.flow|\.sum-badge|\.heat|\.toggle|\.card|\.row)/;

/** The CSS rules of the page that style the graph, as text. */
export function graphCss(doc = document) {
  const out = [];
  for (const sheet of doc.styleSheets) {
    let rules;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // another origin's sheet: not ours
    }
    for (const rule of rules) {
      if (rule.selectorText && GRAPH_RULES.test(rule.selectorText)) out.push(rule.cssText);
    }
  }
  return out.join("\n");
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A drawn graph as a standalone SVG document: the whole graph at scale 1 on white, the
 * page's graph styles inside, the hover label left out.
 * @param {SVGSVGElement} svgElement  the page's #graph
 * @param {{width: number, height: number}} size  the layout's size
 * @param {string} css  from graphCss()
 */
export function standaloneSvg(svgElement, { width, height }, css) {
  const copy = svgElement.cloneNode(true);
  const [w, h] = [Math.ceil(width), Math.ceil(height)];
  copy.setAttribute("xmlns", SVG_NS);
  copy.setAttribute("width", String(w));
  copy.setAttribute("height", String(h));
  copy.setAttribute("viewBox", `0 0 ${w} ${h}`);
  copy.removeAttribute("style");
  copy.classList.remove("far", "overview", "has-focus"); // how the page's zoom and hover show it
  copy.querySelector(".viewport")?.removeAttribute("transform");
  copy.querySelector(".edge-labels")?.replaceChildren();
  const style = document.createElementNS(SVG_NS, "style");
  style.textContent = css;
  copy.insertBefore(style, copy.firstChild);
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "#ffffff");
  copy.insertBefore(background, copy.querySelector(".viewport"));
  return new XMLSerializer().serializeToString(copy);
}

/** Save `blob` as `filename` through a temporary link. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadSvg(svgText, filename = "chainrule-graph.svg") {
  download(new Blob([svgText], { type: "image/svg+xml" }), filename);
}

export function downloadJson(trace, filename = "chainrule-trace.json") {
  download(new Blob([JSON.stringify(trace, null, 1)], { type: "application/json" }), filename);
}

/** Largest side of an exported PNG, in px (browsers refuse much larger canvases). */
const MAX_PNG_SIDE = 8000;

/**
 * Render the SVG onto a canvas at `scale` (capped by MAX_PNG_SIDE) and save it as PNG.
 * @param {string} svgText  a standalone SVG document
 * @param {{width: number, height: number}} size
 */
export async function downloadPng(
  svgText,
  size,
  { scale = 2, filename = "chainrule-graph.png" } = {},
) {
  const k = Math.min(scale, MAX_PNG_SIDE / Math.max(size.width, size.height, 1));
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.decoding = "async";
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(size.width * k));
    canvas.height = Math.max(1, Math.round(size.height * k));
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    download(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
