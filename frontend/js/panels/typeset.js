/**
 * One formula typeset by KaTeX (the global from vendor/katex) into a span, for the step
 * card and the inspector.
 */

const katex = globalThis.katex;
const OPTIONS = { throwOnError: false, strict: "ignore", displayMode: false, output: "html" };

/** `source` typeset by KaTeX into a new span (the source itself when KaTeX is missing). */
export function typeset(source, className = "tex") {
  const span = document.createElement("span");
  span.className = className;
  span.setAttribute("aria-hidden", "true");
  if (katex) katex.render(source, span, OPTIONS);
  else span.textContent = source;
  return span;
}
