/**
 * What the editor draws around its text: the line-number gutter, and the marks in a layer
 * behind the transparent textarea (a band over an error's line, the error's word
 * underlined, a highlight over a source span), following its scrolling.
 *
 * The textarea never wraps, so line n of the text is row n on screen: a mark's place
 * follows from the line, the column and the measured character width.
 */

/**
 * @param {{textarea: HTMLTextAreaElement, gutter: HTMLElement, marks: HTMLElement}} parts
 */
export function createEditorMarks({ textarea, gutter, marks }) {
  const gutterLines = document.createElement("div");
  gutterLines.className = "gutter-lines";
  gutter.replaceChildren(gutterLines);

  const errorBand = document.createElement("div");
  errorBand.className = "mark mark-error";
  errorBand.hidden = true;
  const errorToken = document.createElement("div");
  errorToken.className = "mark mark-error-token";
  errorToken.hidden = true;
  const spanBoxes = document.createElement("div");
  spanBoxes.className = "mark-spans";
  const stepBand = document.createElement("div");
  stepBand.className = "mark mark-step";
  stepBand.hidden = true;
  marks.replaceChildren(stepBand, errorBand, spanBoxes, errorToken);

  /** @type {{line: number, col: number|null}|null} */
  let error = null;
  /** @type {import("../core/contract.js").SpanOut|null} */
  let span = null;
  /** The lines of the step shown (1-based, first and last), or null. */
  let step = null;

  // --- metrics of the textarea's text, read from its computed style ---------------------
  // Reading a computed style makes the browser bring every pending style up to date (a new
  // graph's thousands of cards, at the step that follows a run): read once, and again only
  // when the font or the size may have changed (remeasure()).
  let metricsCache = null;
  function metrics() {
    if (metricsCache) return metricsCache;
    const style = getComputedStyle(textarea);
    const lineHeight = parseFloat(style.lineHeight) || 20;
    metricsCache = {
      lineHeight,
      padTop: parseFloat(style.paddingTop) || 0,
      padLeft: parseFloat(style.paddingLeft) || 0,
      charWidth: measureCharWidth(style),
    };
    return metricsCache;
  }

  let charWidthCache = null;
  function measureCharWidth(style) {
    const key = style.font;
    if (charWidthCache?.key === key) return charWidthCache.width;
    const probe = document.createElement("span");
    probe.textContent = "0".repeat(100);
    probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${style.font}`;
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width / 100;
    probe.remove();
    charWidthCache = { key, width };
    return width;
  }

  // --- gutter -----------------------------------------------------------------------------
  function lineCount() {
    return textarea.value.split("\n").length;
  }

  function renderGutter() {
    const count = lineCount();
    while (gutterLines.childElementCount < count) {
      const n = gutterLines.childElementCount + 1;
      const div = document.createElement("div");
      div.className = "ln";
      div.dataset.line = String(n);
      div.textContent = String(n);
      gutterLines.append(div);
    }
    while (gutterLines.childElementCount > count) gutterLines.lastElementChild.remove();
    for (const div of gutterLines.children) {
      const n = Number(div.dataset.line);
      div.classList.toggle("error", error !== null && n === error.line);
      div.classList.toggle("is-step", step !== null && n >= step.line && n <= step.endLine);
    }
  }

  // --- marks --------------------------------------------------------------------------------
  function renderMarks() {
    const m = metrics();
    const dx = -textarea.scrollLeft;
    const dy = -textarea.scrollTop;
    gutterLines.style.transform = `translateY(${dy}px)`;

    stepBand.hidden = step === null;
    if (step) {
      stepBand.style.top = `${m.padTop + (step.line - 1) * m.lineHeight + dy}px`;
      stepBand.style.height = `${(step.endLine - step.line + 1) * m.lineHeight}px`;
    }
    errorBand.hidden = error === null;
    errorToken.hidden = error?.col === null || error?.col === undefined;
    if (error) {
      const top = m.padTop + (error.line - 1) * m.lineHeight + dy;
      errorBand.style.top = `${top}px`;
      errorBand.style.height = `${m.lineHeight}px`;
      if (!errorToken.hidden) {
        // Underline the word starting at the error's column (one character if none).
        const text = textarea.value.split("\n")[error.line - 1] ?? "";
        const word = /^\w+/.exec(text.slice(error.col));
        const length = word ? word[0].length : 1;
        errorToken.style.top = `${top}px`;
        errorToken.style.height = `${m.lineHeight}px`;
        errorToken.style.left = `${m.padLeft + error.col * m.charWidth + dx}px`;
        errorToken.style.width = `${length * m.charWidth}px`;
      }
    }

    spanBoxes.replaceChildren();
    if (span) {
      const lines = textarea.value.split("\n");
      for (let line = span.line; line <= span.end_line && line <= lines.length; line++) {
        const from = line === span.line ? span.col : 0;
        const to = line === span.end_line ? span.end_col : lines[line - 1].length;
        if (to <= from) continue;
        const box = document.createElement("div");
        box.className = "mark mark-span";
        box.style.top = `${m.padTop + (line - 1) * m.lineHeight + dy}px`;
        box.style.height = `${m.lineHeight}px`;
        box.style.left = `${m.padLeft + from * m.charWidth + dx}px`;
        box.style.width = `${(to - from) * m.charWidth}px`;
        spanBoxes.append(box);
      }
    }
  }

  /** Scroll so 1-based `line` is visible. */
  function revealLine(line) {
    const m = metrics();
    const top = m.padTop + (line - 1) * m.lineHeight;
    const view = textarea.clientHeight;
    if (top < textarea.scrollTop || top + m.lineHeight > textarea.scrollTop + view) {
      textarea.scrollTop = Math.max(0, top - view / 3);
    }
  }

  return {
    renderGutter,
    renderMarks,
    revealLine,
    /** The error marked: its 1-based line and 0-based column (null: the line only). */
    setError(next) {
      error = next;
    },
    /** @returns {import("../core/contract.js").SpanOut|null} the span highlighted */
    get span() {
      return span;
    },
    setSpan(next) {
      span = next;
    },
    /** The lines of the step shown: {line, endLine} (1-based), or null. */
    get step() {
      return step;
    },
    setStep(next) {
      step = next;
    },
    /** The font or the size may have changed the line height or the character width:
     * measure them again at the next mark. */
    remeasure() {
      charWidthCache = null;
      metricsCache = null;
    },
  };
}
