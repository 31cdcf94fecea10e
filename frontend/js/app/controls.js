/**
 * The page's buttons and menus: each turns into a state update or an action (run.js,
 * navigation.js, classroom.js). The keys are keys.js.
 */

import { shownTrace } from "../core/conceal.js";
import { playerDocument } from "../core/embedded.js";
import { toHash } from "../core/sharelink.js";
import { SPEEDS } from "../core/state.js";
import { graphCss } from "../draw/svgexport.js";
import { playerShell } from "../net/api.js";
import { downloadHtml, downloadJson, downloadPng, downloadSvg } from "../panels/exporter.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>, view: object,
 *   editor: object, table: object, variables: object, actions: {run: () => void,
 *   goTo: (p: number, o?: {animate?: boolean}) => void, togglePlay: () => void,
 *   position: () => number, toggleAllModules: () => void, shareHash: () => string,
 *   setMode: (mode: string) => void, toggleFullscreen: () => void,
 *   checkGradients: () => void, setPredict: (on: boolean) => void}}} parts
 * @returns {{closeMenus: () => void}}
 */
export function bindControls({ store, view, editor, table, variables, actions }) {
  const { run, goTo, togglePlay, position, toggleAllModules } = actions;
  const { shareHash, setMode, toggleFullscreen, checkGradients, setPredict } = actions;
  $("lessons-toggle").addEventListener("click", () =>
    store.update({ lessonsOpen: !store.state.lessonsOpen }),
  );
  $("present").addEventListener("click", () =>
    setMode(store.state.mode === "present" ? "edit" : "present"),
  );
  $("predict-toggle").addEventListener("click", () => setPredict(!store.state.predict));
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
  $("tab-training").addEventListener("click", () => store.update({ tab: "training" }));
  $("show-output").addEventListener("click", () => store.update({ outputShown: true }));
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
    // What is not to be shown yet is not exported either (core/conceal.js).
    if (store.state.trace) downloadJson(shownTrace(store.state));
  });
  $("export-html").addEventListener("click", () => {
    closeExportMenu();
    // The page disables it while numbers are concealed: the file holds every one.
    const { recording } = store.state;
    if (!recording) return;
    playerShell()
      .then((shell) => playerDocument(shell, { ...recording, title: "chainrule" }))
      .then((html) => downloadHtml(html))
      .catch((err) => console.error(err));
  });

  return {
    /** Close the share panel and the export menu (Esc). */
    closeMenus() {
      $("share-panel").hidden = true;
      closeExportMenu();
    },
  };
}
