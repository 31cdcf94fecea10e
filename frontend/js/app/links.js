/**
 * Share-link routing: a link (the URL hash, core/sharelink.js) runs its program as a fresh
 * page would, whether the page was opened on it or it was opened in this tab (a
 * `hashchange`); its step and node are shown once traced. A lesson's link waits for the
 * lessons, whose program it is; no link (the seed program) waits for the examples, which
 * bring it; a link with its own program waits for nothing.
 */

import { lessonOf } from "../core/lessons.js";
import { seedUnavailable } from "../core/seed.js";
import { fromShared, parseHash, shareHash } from "../core/sharelink.js";
import { failedRun } from "../core/state.js";

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   editor: {setValue: (source: string) => void},
 *   variables: {setRows: (rows: import("../core/state.js").VariableRow[]) => void},
 *   varsPanel: HTMLDetailsElement,
 *   runner: ReturnType<typeof import("./run.js").createRunner>,
 *   classroom: ReturnType<typeof import("./classroom.js").createClassroom>,
 *   lessonsLoaded: Promise<void>,
 *   examplesLoaded: Promise<{message: string}|null>}} parts  varsPanel: the variables'
 *   <details>, opened when a link brings inputs; lessonsLoaded: settles once the lessons
 *   came (or failed to); examplesLoaded: settles once the examples came (null) or failed
 *   to (the error), the seed program in the store if they brought it
 */
export function createLinks({
  store,
  editor,
  variables,
  varsPanel,
  runner,
  classroom,
  lessonsLoaded,
  examplesLoaded,
}) {
  /** Counts the links opened, so a lesson link whose lessons come late yields to a newer one. */
  let opened = 0;

  /**
   * Open what a link carries (parseHash; null: the seed program) and run it, as a fresh page
   * does: the store already holds its program, inputs, lesson and mode (fromShared); its
   * step and node are shown once traced. A link with a program runs it at once; a lesson
   * link waits for the lessons (its program is theirs), no link for the seed.
   * @param {import("../core/sharelink.js").Shared|null} link
   */
  function openLink(link) {
    const ticket = ++opened;
    runner.restoreAfterRun(link ? { step: link.step, node: link.node } : null);
    editor.setValue(store.state.source);
    variables.setRows(store.state.variables);
    varsPanel.open = store.state.variables.length > 0;
    if (!link) openSeed(ticket);
    else if (!link.lesson) runner.run();
    else {
      lessonsLoaded.then(() => {
        if (ticket !== opened) return;
        const lesson = lessonOf(store.state);
        if (lesson && link.source === null) classroom.openLesson(lesson.id);
        else if (!lesson) {
          // No such lesson: the link's own program, else the seed.
          store.update({ lesson: null });
          if (link.source === null) openSeed(ticket);
          else runner.run();
        } else runner.run();
      });
    }
  }

  /**
   * Run the seed program, as soon as the examples brought it; the reason in the error
   * panel if they did not. Meanwhile the page is running (so it writes no hash), and a
   * program typed or run meanwhile, or a newer link, takes the seed's place.
   * @param {number} ticket  the link being opened
   */
  function openSeed(ticket) {
    const { seed, run } = store.state;
    if (seed !== null) {
      editor.setValue(seed);
      runner.run();
      return;
    }
    store.update({ status: "running", source: "" });
    editor.setValue("");
    examplesLoaded.then((failure) => {
      if (ticket !== opened || store.state.run !== run) return;
      if (store.state.source !== "") store.update({ status: "idle" });
      else if (store.state.seed !== null) {
        editor.setValue(store.state.seed);
        runner.run();
      } else {
        // The error panel says why, over an empty graph (a link's may still be drawn).
        store.update(failedRun(seedUnavailable(failure)));
      }
    });
  }

  /**
   * A share link opened in this tab (a same-document hash change): run its program, as a
   * fresh load would. The page keeps its own hash up to date with history.replaceState,
   * which fires no hashchange; a hash that says what the page already shows is ignored.
   * @param {string} hash  location.hash
   */
  function onHashChange(hash) {
    if (hash === shareHash(store.state)) return;
    const link = parseHash(hash);
    const { mode, ...opens } = fromShared(link, store.state.seed);
    runner.abort();
    // Running from here: the hash the page writes waits for the link's program to be traced.
    store.update({
      ...opens,
      status: "running",
      selected: null,
      step: null,
      answers: {},
      lessonsOpen: false,
    });
    if (mode !== store.state.mode) classroom.setMode(mode);
    openLink(link);
  }

  return { openLink, onHashChange };
}
