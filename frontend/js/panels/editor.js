/**
 * The program editor: a plain textarea with a line-number gutter and marks (an error on a
 * line, a highlight over a source span: editormarks.js), Python-friendly keys
 * (editorkeys.js), and the caret's line reported as it moves.
 */

import { bindEditorKeys } from "./editorkeys.js";
import { createEditorMarks } from "./editormarks.js";

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
  const drawn = createEditorMarks({ textarea, gutter, marks });

  /** Offsets of the start and end (before the newline) of 1-based `line`. */
  function lineRange(line) {
    const lines = textarea.value.split("\n");
    const n = Math.min(Math.max(1, line), lines.length);
    let start = 0;
    for (let i = 0; i < n - 1; i++) start += lines[i].length + 1;
    return { start, end: start + lines[n - 1].length, line: n };
  }

  bindEditorKeys(textarea, { onRun: () => onRun() });
  textarea.addEventListener("input", () => {
    // Line numbers may have moved: an old mark would point at the wrong text.
    drawn.setError(null);
    drawn.setSpan(null);
    drawn.setStep(null);
    drawn.renderGutter();
    drawn.renderMarks();
    onChange(textarea.value);
  });
  textarea.addEventListener("scroll", drawn.renderMarks);
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
  new ResizeObserver(() => {
    drawn.remeasure();
    drawn.renderMarks();
  }).observe(textarea);
  document.fonts?.ready.then(() => {
    drawn.remeasure();
    drawn.renderMarks();
  });

  drawn.renderGutter();
  drawn.renderMarks();

  return {
    getValue: () => textarea.value,
    /** Replace the whole program (no undo step). */
    setValue(source) {
      textarea.value = source;
      drawn.setError(null);
      drawn.setSpan(null);
      drawn.setStep(null);
      drawn.renderGutter();
      drawn.renderMarks();
    },
    /**
     * Mark an error's place: its gutter number, a band over 1-based `line` with the line
     * selected, and the word at 0-based `col` underlined when a column is known.
     */
    markError(line, col = null) {
      const range = lineRange(line);
      drawn.setError({ line: range.line, col: range.line === line ? col : null });
      drawn.renderGutter();
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(range.start, range.end);
      drawn.revealLine(range.line);
      drawn.renderMarks();
    },
    clearError() {
      drawn.setError(null);
      drawn.renderGutter();
      drawn.renderMarks();
    },
    /** Highlight the source of a node (null to clear). */
    highlightSpan(next) {
      // Measuring the marks reads styles, which lays out the page: not when nothing changes.
      if (next === drawn.span) return;
      drawn.setSpan(next);
      if (next) drawn.revealLine(next.line);
      drawn.renderMarks();
    },
    /**
     * Mark the lines of the source span that made the step shown (null to clear): a band
     * behind them and their numbers in the gutter (class `is-step`), scrolled into view.
     */
    markStep(next) {
      const lines = next ? { line: next.line, endLine: next.end_line ?? next.line } : null;
      const now = drawn.step;
      if (lines?.line === now?.line && lines?.endLine === now?.endLine) return;
      drawn.setStep(lines);
      if (lines) drawn.revealLine(lines.line);
      drawn.renderGutter();
      drawn.renderMarks();
    },
    focus: () => textarea.focus(),
    /** The editor's font size may have changed (presenter mode): measure it again. */
    remeasure() {
      drawn.remeasure();
      drawn.renderMarks();
    },
  };
}
