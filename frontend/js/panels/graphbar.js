/**
 * The graph pane's bar and message: the status line, the message over the graph area, the
 * modules button and legend entry (shown when the graph has modules), the Predict toggle.
 * It draws what it is given; app/controls.js binds its buttons.
 */

const $ = (id) => document.getElementById(id);

export function createGraphBar() {
  return {
    /**
     * @param {string} status  the state's status (idle|running|done|error), a class of the line
     * @param {string} text  core/captions.statusText
     * @param {string|null} message  HTML over the graph area (core/captions.graphMessage);
     *   null hides it
     */
    showStatus(status, text, message) {
      $("status").textContent = text;
      $("status").className = `status ${status}`;
      $("graph-message").hidden = message === null;
      // An error is said at the top of the graph area, over what ran before it if drawn.
      $("graph-message").classList.toggle("is-error", status === "error");
      if (message !== null) $("graph-message").firstElementChild.innerHTML = message;
    },
    /**
     * The modules button, when the graph has modules: it expands them all when any is
     * collapsed, else collapses them.
     * @param {string[]} modules  the graph's modules (collapse.occupiedModules)
     * @param {string[]} collapsed  those shown as one box
     */
    showModules(modules, collapsed) {
      $("modules-toggle").hidden = modules.length === 0;
      $("modules-toggle").textContent = collapsed.length ? "Expand modules" : "Collapse modules";
      document.querySelector(".legend-module").hidden = modules.length === 0;
    },
    /** @param {boolean} on  predict mode */
    showPredict(on) {
      $("predict-toggle").setAttribute("aria-pressed", String(on));
    },
  };
}
