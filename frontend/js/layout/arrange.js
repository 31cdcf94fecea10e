/**
 * Coordinates for a view: ELK's when it has something to order and can finish quickly
 * (layered.pickLayout), else the quick layout; and, when ELK is slow to answer (a cold
 * worker), the quick layout first with ELK's to follow (core/handoff.nextStep).
 */

import { nextStep } from "../core/handoff.js";
import { forwardOrder } from "../core/model.js";
import { FAST_PLACEMENT, fromElkResult, toElkGraph } from "./elk.js";
import { LayoutTimeout } from "./elkengine.js";
import { assignLayers, pickLayout, quickLayout } from "./layered.js";

/**
 * Graphs ELK lays out get its tidiest, slowest node placement up to this work (nodes plus
 * dummy nodes)...
 */
const TIDY_MAX_WORK = 100;
/** ...and ELK gets this long before the quick layout is kept for good. */
const ELK_TIMEOUT_MS = 8000;

/**
 * A view's coordinates, whichever layout made them.
 * @typedef {{x: number, y: number}} Point
 * @typedef {{x: number, y: number, w: number, h: number}} Box
 * @typedef {object} Layout
 * @property {number} width
 * @property {number} height
 * @property {Object<string, Box>} nodes  by node id
 * @property {{id: string, source: string, target: string, points: Point[]}[]} edges
 * @property {Object<string, Box>} [clusters]  frames of expanded modules, by cluster id
 */

/**
 * @typedef {object} Arranged
 * @property {Layout} layout  the coordinates to draw now
 * @property {"elk"|"quick"|"interim"} layoutKind  interim: the quick layout, until ELK's
 *   comes (`later`)
 * @property {Promise<Layout|null>|null} later  ELK's coordinates,
 *   for an interim layout; null when ELK gave up. Rejects with elk.LayoutCancelled when a
 *   newer layout replaced it.
 */

/**
 * @param {ReturnType<typeof import("./elkengine.js").createLayoutEngine>} engine
 * @param {{elkGate?: Promise<void>|null}} [hooks]  elkGate: ELK's answers wait for it (a
 *   test holds ELK back with it, as a cold worker would: app/testing.js)
 */
export function createArranger(engine, { elkGate = null } = {}) {
  /**
   * Lay out a view.
   * @param {import("../core/model.js").Model} graph  the view (collapse.buildView)
   * @param {Map<string, {width: number, height: number}>} sizes  card sizes by node id
   * @param {{since?: number, budgetMs?: number}} [options]  since: when the trace's
   *   response came (performance.now()); budgetMs: how long after it ELK may make the first
   *   paint wait (Infinity: ELK's layout, however long it takes)
   * @returns {Promise<Arranged>}
   */
  async function arrange(graph, sizes, { since = performance.now(), budgetMs = Infinity } = {}) {
    const order = forwardOrder(graph);
    const layers = assignLayers(graph, order);
    const { kind, work } = pickLayout(graph, layers);
    const quick = () => quickLayout(graph, sizes, order, layers);
    if (kind !== "elk") return { layout: quick(), layoutKind: "quick", later: null };

    const elkGraph = toElkGraph(graph, sizes, order, work <= TIDY_MAX_WORK ? {} : FAST_PLACEMENT);
    const answer = { state: "waiting", layout: null };
    const elk = engine
      .layout(elkGraph, { timeoutMs: ELK_TIMEOUT_MS })
      .then(async (result) => {
        await elkGate;
        return fromElkResult(result, graph);
      })
      .then(
        (layout) => Object.assign(answer, { state: "answered", layout }).layout,
        (err) => {
          if (!(err instanceof LayoutTimeout)) throw err;
          answer.state = "failed";
          return null;
        },
      );
    let step;
    for (;;) {
      step = nextStep({
        elk: answer.state,
        shown: "none",
        elapsedMs: performance.now() - since,
        budgetMs,
      });
      if (step.action !== "wait") break;
      await Promise.race([elk, ...(Number.isFinite(step.ms) ? [sleep(step.ms)] : [])]);
    }
    if (step.action === "paint-elk") {
      return { layout: answer.layout, layoutKind: "elk", later: null };
    }
    if (answer.state === "failed") return { layout: quick(), layoutKind: "quick", later: null };
    // A cancelled ELK layout (a newer one replaced it) rejects `later`, and so the caller's.
    elk.catch(() => {});
    return { layout: quick(), layoutKind: "interim", later: elk };
  }

  return { arrange };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
