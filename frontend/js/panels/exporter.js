/**
 * Downloads: the graph as SVG and PNG (from draw/svgexport.js's standalone SVG, which
 * carries the page's graph styles, so it looks the same opened on its own), the trace as
 * JSON, the offline player as one HTML file (core/embedded.js).
 */

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

export function downloadHtml(html, filename = "chainrule-player.html") {
  download(new Blob([html], { type: "text/html" }), filename);
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
