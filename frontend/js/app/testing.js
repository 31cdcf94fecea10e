/**
 * The page's one test entry point. A page opened with `testing` in its query string gets
 * `window.__chainruleTest`; any other page gets nothing, and every hook is a no-op there.
 * No other module reads a global the tests set: main.js hands each hook, as an argument,
 * to the one module that needs it.
 *
 *   /?testing           __chainruleTest.frameCosts: set it to [] and every frame the player
 *                       draws pushes its JavaScript time in ms (benchmarks/browser.py)
 *   /?testing=hold-elk  the same, and ELK's layouts are held back, as a cold worker's
 *                       would be, until __chainruleTest.releaseElk() is called
 *                       (tests/browser/test_layout_handoff.py)
 */

/** The name of the test object on window. */
export const TEST_OBJECT = "__chainruleTest";

/**
 * Install the test object when `search` asks for it.
 * @param {string} search  the page's query string (location.search)
 * @param {object} [target]  where the test object goes (window)
 * @returns {{elkGate: Promise<void>|null, frameCosts: () => number[]|null}}  elkGate: what
 *   ELK's answers wait for (layout/arrange.js); frameCosts: where the player's frame costs
 *   go now (app/navigation.js)
 */
export function installTestHooks(search, target = globalThis) {
  const flag = new URLSearchParams(search).get("testing");
  if (flag === null) return { elkGate: null, frameCosts: () => null };
  let release = () => {};
  const elkGate =
    flag === "hold-elk"
      ? new Promise((resolve) => {
          release = resolve;
        })
      : null;
  const hooks = { frameCosts: null, releaseElk: () => release() };
  target[TEST_OBJECT] = hooks;
  return { elkGate, frameCosts: () => hooks.frameCosts };
}
