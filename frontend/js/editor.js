/**
 * The program editor: a plain textarea with a line-number gutter, Python-friendly keys,
 * an error mark on a line and a highlight over a source span.
 *
 * The textarea never wraps, so line n of the text is row n on screen; marks are drawn
 * in a layer behind the transparent textarea and follow its scrolling.
 */

/** Spaces a Tab inserts. */
const INDENT = "    ";

/**
 * @param {{textarea: HTMLTextAreaElement, gutter: HTMLElement, marks: HTMLElement}} parts
 * @param {{onRun?: () => void, onChange?: (source: string) => void,
 *   onCaretLine?: (line: number) => void}} [handlers]  onCaretLine: the caret moved to
 *   another 1-based line (by click or keys)
 */
export function createEditor(
  { textarea, gutter, marks },
  { onRun = () => {}, onChange = () => {}, onCaretLine = () => {} } = {},
) {
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
  marks.replaceChildren(errorBand, spanBoxes, errorToken);

  /** @type {{line: number, col: number|null}|null} */
  let error = null;
  /** @type {import("./api.js").Span|null} */
  let span = null;

  // --- metrics of the textarea's text, read from its computed style ---------------------
  function metrics() {
    const style = getComputedStyle(textarea);
    const lineHeight = parseFloat(style.lineHeight) || 20;
    return {
      lineHeight,
      padTop: parseFloat(style.paddingTop) || 0,
      padLeft: parseFloat(style.paddingLeft) || 0,
      charWidth: measureCharWidth(style),
    };
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
      div.classList.toggle("error", error !== null && Number(div.dataset.line) === error.line);
    }
  }

  // --- marks --------------------------------------------------------------------------------
  function renderMarks() {
    const m = metrics();
    const dx = -textarea.scrollLeft;
    const dy = -textarea.scrollTop;
    gutterLines.style.transform = `translateY(${dy}px)`;

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

  /** Offsets of the start and end (before the newline) of 1-based `line`. */
  function lineRange(line) {
    const lines = textarea.value.split("\n");
    const n = Math.min(Math.max(1, line), lines.length);
    let start = 0;
    for (let i = 0; i < n - 1; i++) start += lines[i].length + 1;
    return { start, end: start + lines[n - 1].length, line: n };
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

  // --- keys -----------------------------------------------------------------------------------
  /** Insert text at the caret, keeping the browser's undo history where it can. */
  function insertText(text) {
    textarea.focus();
    const undoable =
      typeof document.execCommand === "function" && document.execCommand("insertText", false, text);
    if (!undoable) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function onKeyDown(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onRun();
    } else if (
      event.key === "Tab" &&
      !event.shiftKey &&
      !event.altKey &&
      !event.ctrlKey &&
      !event.metaKey
    ) {
      event.preventDefault();
      insertText(INDENT);
    } else if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
      // Keep the indentation of the line above, one level deeper after a colon.
      const before = textarea.value.slice(0, textarea.selectionStart);
      const current = before.slice(before.lastIndexOf("\n") + 1);
      const indent = /^[ \t]*/.exec(current)[0] + (/:\s*$/.test(current) ? INDENT : "");
      event.preventDefault();
      insertText(`\n${indent}`);
    } else if (event.key === "Escape") {
      textarea.blur(); // lets keyboard users Tab out of the editor
    }
  }

  textarea.addEventListener("keydown", onKeyDown);
  textarea.addEventListener("input", () => {
    // Line numbers may have moved: an old mark would point at the wrong text.
    error = null;
    span = null;
    renderGutter();
    renderMarks();
    onChange(textarea.value);
  });
  textarea.addEventListener("scroll", renderMarks);
  let caretLine = null;
  const caretMoved = () => {
    const line = textarea.value.slice(0, textarea.selectionStart).split("\n").length;
    if (line !== caretLine) {
      caretLine = line;
      onCaretLine(line);
    }
  };
  textarea.addEventListener("click", caretMoved);
  textarea.addEventListener("keyup", caretMoved);
  new ResizeObserver(renderMarks).observe(textarea);
  document.fonts?.ready.then(() => {
    charWidthCache = null;
    renderMarks();
  });

  renderGutter();
  renderMarks();

  return {
    getValue: () => textarea.value,
    /** Replace the whole program (no undo step). */
    setValue(source) {
      textarea.value = source;
      error = null;
      span = null;
      renderGutter();
      renderMarks();
    },
    /**
     * Mark an error's place: its gutter number, a band over 1-based `line` with the line
     * selected, and the word at 0-based `col` underlined when a column is known.
     */
    markError(line, col = null) {
      const range = lineRange(line);
      error = { line: range.line, col: range.line === line ? col : null };
      renderGutter();
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(range.start, range.end);
      revealLine(range.line);
      renderMarks();
    },
    clearError() {
      error = null;
      renderGutter();
      renderMarks();
    },
    /** Highlight the source of a node (null to clear). */
    highlightSpan(next) {
      // Measuring the marks reads styles, which lays out the page: not when nothing changes.
      if (next === span) return;
      span = next;
      if (span) revealLine(span.line);
      renderMarks();
    },
    focus: () => textarea.focus(),
  };
}
