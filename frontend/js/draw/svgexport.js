/**
 * The drawing as a standalone SVG document: the whole graph at scale 1 on white, with the
 * page's CSS rules that style it inside, so it looks the same opened on its own.
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
