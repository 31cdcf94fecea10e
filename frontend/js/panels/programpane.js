/**
 * The program pane around the editor: the examples menu, the error panel (and the error's
 * mark in the editor), the printed output with the run's notes, and the Output / Steps tabs.
 * It draws what it is given; app/controls.js binds its menu and tabs.
 */

const $ = (id) => document.getElementById(id);

/** @param {{markError: (line: number, col: number|null) => void, clearError: () => void}} editor */
export function createProgramPane(editor) {
  return {
    /** What the program printed. */
    showOutput(stdout) {
      $("stdout").textContent = stdout;
    },
    /** The run's notes under its output: what chainrule did not do (plots are not drawn). */
    showNotes(notes) {
      const list = $("notes");
      list.replaceChildren(
        ...(notes ?? []).map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }),
      );
      list.hidden = !notes?.length;
    },
    /**
     * The error panel, and the error's place marked in the editor (null hides both).
     * @param {import("../core/state.js").ErrorShown|null} error
     * @param {string} text  the message with its place (core/format.formatError)
     */
    showError(error, text) {
      $("error").hidden = error === null;
      if (error) {
        $("error-code").textContent = error.code.replace(/_/g, " ");
        $("error-message").textContent = text;
        // torch's own words, when the message says them otherwise (a shape error's)
        $("error-torch").hidden = !error.torchMessage;
        $("error-torch").textContent = error.torchMessage ? `torch: ${error.torchMessage}` : "";
        if (error.line) editor.markError(error.line, error.col);
        else editor.clearError();
      } else {
        editor.clearError();
      }
    },
    /** @param {"output"|"steps"} tab  which panel of the lower left is shown */
    showTab(tab) {
      for (const name of ["output", "steps", "training"]) {
        $(`tab-${name}`).setAttribute("aria-selected", String(tab === name));
        $(`panel-${name}`).hidden = tab !== name;
      }
      $("copy-steps").hidden = tab !== "steps";
    },
    /**
     * The examples menu, grouped by topic.
     * @param {import("../core/contract.js").Example[]|null} list
     */
    fillExamples(list) {
      const select = $("examples");
      select.replaceChildren(new Option("Examples…", ""));
      const groups = new Map();
      for (const ex of list ?? []) {
        if (!groups.has(ex.topic)) {
          const group = document.createElement("optgroup");
          group.label = ex.topic;
          groups.set(ex.topic, group);
          select.append(group);
        }
        groups.get(ex.topic).append(new Option(ex.title, ex.id));
      }
    },
  };
}
