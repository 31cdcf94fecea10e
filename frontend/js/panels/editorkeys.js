/**
 * The editor's Python-friendly keys: Ctrl+Enter (or Cmd+Enter) runs, Tab indents, Enter
 * keeps the indentation of the line above (one level deeper after a colon), Escape leaves
 * the editor so keyboard users can Tab on.
 */

/** Spaces a Tab inserts. */
export const INDENT = "    ";

/**
 * The indentation a new line after `line` starts with: the same, one level deeper after a
 * colon.
 * @param {string} line  the text of the line up to the caret
 */
export function nextIndent(line) {
  return /^[ \t]*/.exec(line)[0] + (/:\s*$/.test(line) ? INDENT : "");
}

/**
 * @param {HTMLTextAreaElement} textarea
 * @param {{onRun: () => void}} handlers
 */
export function bindEditorKeys(textarea, { onRun }) {
  /** Insert text at the caret, keeping the browser's undo history where it can. */
  function insertText(text) {
    if (textarea.readOnly) return; // the offline player's recorded program
    textarea.focus();
    const undoable =
      typeof document.execCommand === "function" && document.execCommand("insertText", false, text);
    if (!undoable) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  textarea.addEventListener("keydown", (event) => {
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
      const before = textarea.value.slice(0, textarea.selectionStart);
      const current = before.slice(before.lastIndexOf("\n") + 1);
      event.preventDefault();
      insertText(`\n${nextIndent(current)}`);
    } else if (event.key === "Escape") {
      textarea.blur(); // lets keyboard users Tab out of the editor
    }
  });
}
