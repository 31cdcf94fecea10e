/**
 * The page's buttons, menus and keys: each turns into a state update or an action of
 * main.js. Keys: Space plays and pauses, ←/→ (and a clicker's PageUp/PageDown) step,
 * Home/End jump to the ends, Ctrl+Enter runs, Esc closes the inspector and menus (and
 * leaves presenter mode), F toggles full screen while presenting; keys typed into fields
 * stay there.
 */

import { downloadJson, downloadPng, downloadSvg, graphCss } from "./exporter.js";
import { SPEEDS, toHash } from "./state.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {{store: ReturnType<typeof import("./state.js").createStore>, view: object,
 *   editor: object, table: object, variables: object, actions: {run: () => void,
 *   goTo: (p: number, o?: {animate?: boolean}) => void, togglePlay: () => void,
 *   position: () => number, toggleAllModules: () => void}}} parts
 */
export function bindControls({ store, view, editor, table, variables, actions }) {
  const { run, goTo, togglePlay, position, toggleAllModules } = actions;
  const { shareHash, setMode, toggleFullscreen, checkGradients } = actions;
  $("lessons-toggle").addEventListener("click", () =>
    store.update({ lessonsOpen: !store.state.lessonsOpen }),
  );
  $("present").addEventListener("click", () =>
    setMode(store.state.mode === "present" ? "edit" : "present"),
  );
  $("predict-toggle").addEventListener("click", () =>
    store.update({ predict: !store.state.predict }),
  );
  $("check").addEventListener("click", checkGradients);
  $("fullscreen").addEventListener("click", toggleFullscreen);
  $("run").addEventListener("click", run);
  $("fit").addEventListener("click", () => view.fit());
  $("modules-toggle").addEventListener("click", toggleAllModules);
  $("play").addEventListener("click", togglePlay);
  $("step-back").addEventListener("click", () => goTo(position() - 1, { animate: true }));
  $("step-next").addEventListener("click", () => goTo(position() + 1, { animate: true }));
  $("jump-forward").addEventListener("click", () => goTo(0, { animate: true }));
  $("jump-backward").addEventListener("click", () =>
    goTo(store.state.timeline?.F ?? 0, { animate: true }),
  );
  $("jump-end").addEventListener("click", () => goTo(Infinity));
  $("scrubber").addEventListener("input", (e) => goTo(Number(e.target.value)));
  for (const s of SPEEDS) $("speed").append(new Option(`${s}×`, String(s), s === 1, s === 1));
  $("speed").addEventListener("change", (e) => store.update({ speed: Number(e.target.value) }));
  $("tab-output").addEventListener("click", () => store.update({ tab: "output" }));
  $("tab-steps").addEventListener("click", () => store.update({ tab: "steps" }));
  $("copy-steps").addEventListener("click", () =>
    navigator.clipboard?.writeText(table.asText()).catch(() => {}),
  );

  $("examples").addEventListener("change", (event) => {
    const ex = store.state.examples?.find((e) => e.id === event.target.value);
    event.target.value = "";
    if (!ex) return;
    editor.setValue(ex.source);
    variables.setRows([]);
    store.update({ source: ex.source, variables: [], selected: null, step: null });
    run();
  });

  $("share").addEventListener("click", () => {
    const panel = $("share-panel");
    panel.hidden = !panel.hidden;
    $("share").setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      const link = shareHash() || toHash(store.state.source);
      $("share-link").value = `${location.origin}${location.pathname}${link}`;
      $("share-note").textContent = "";
      $("share-link").select();
    }
  });
  $("share-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("share-link").value);
      $("share-note").textContent = "Copied.";
    } catch {
      $("share-link").select();
      $("share-note").textContent = "Press Ctrl+C to copy.";
    }
  });

  const closeExportMenu = () => {
    $("export-menu").open = false;
  };
  $("export-svg").addEventListener("click", () => {
    closeExportMenu();
    const text = view.toSvgText(graphCss());
    if (text) downloadSvg(text);
  });
  $("export-png").addEventListener("click", () => {
    closeExportMenu();
    const text = view.toSvgText(graphCss());
    if (text) downloadPng(text, view.size()).catch((err) => console.error(err));
  });
  $("export-json").addEventListener("click", () => {
    closeExportMenu();
    if (store.state.trace) downloadJson(store.state.trace);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    // Ctrl+Enter runs from anywhere on the page, not only inside the editor.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target !== $("source")) {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === "Escape") {
      if (store.state.selected) store.update({ selected: null });
      else if (store.state.mode === "present") setMode("edit");
      $("share-panel").hidden = true;
      closeExportMenu();
      return;
    }
    const typing = target.closest?.("textarea, input, select, [contenteditable]");
    if (typing || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    // Space on a focused button presses it, except in the player bar, where it plays.
    const button = target.closest?.("button, a, summary, [role='tab'], tr[tabindex]");
    if (event.key === " " && button && !button.closest(".player")) return;
    const keys = {
      " ": togglePlay,
      ArrowLeft: () => goTo(position() - 1, { animate: true }),
      ArrowRight: () => goTo(position() + 1, { animate: true }),
      PageUp: () => goTo(position() - 1, { animate: true }),
      PageDown: () => goTo(position() + 1, { animate: true }),
      Home: () => goTo(0, { animate: true }),
      End: () => goTo(Infinity),
    };
    if ((event.key === "f" || event.key === "F") && store.state.mode === "present") {
      event.preventDefault();
      toggleFullscreen();
      return;
    }
    const action = keys[event.key];
    if (!action || !store.state.timeline) return;
    event.preventDefault();
    action();
  });
}
