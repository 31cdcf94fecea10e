/**
 * The handoff between the quick layout and ELK's for a graph ELK lays out: the first paint
 * never waits long for ELK. In a fresh page ELK's first layout takes 0.2–1 s (its worker
 * starts and its code is compiled); if it has not answered within a short budget after the
 * trace's response, the quick layout is painted at once and the drawing moves to ELK's
 * coordinates when they come. Pure: states in, a decision out.
 */

/** How long after the trace's response the first paint may wait for ELK, in ms. */
export const ELK_BUDGET_MS = 70;

/** How long the drawing takes to move from the quick layout to ELK's, in ms. */
export const MOVE_MS = 250;

/**
 * @typedef {"waiting"|"answered"|"failed"} ElkState  ELK's layout: not back yet, back, or
 *   given up (ran past its time limit)
 * @typedef {"none"|"quick"|"elk"} Shown  what the graph is drawn with so far
 * @typedef {{action: "wait", ms: number}|{action: "paint-elk"}|{action: "paint-quick"}|
 *   {action: "move"}|{action: "keep"}} Step  wait: ask again once ELK answers or `ms` have
 *   passed (Infinity: only once it answers); paint-elk / paint-quick: draw the graph with
 *   that layout; move: move what is drawn to ELK's coordinates; keep: nothing more to do
 */

/**
 * What to do next with a graph ELK is laying out.
 * @param {{elk: ElkState, shown: Shown, elapsedMs: number, budgetMs?: number,
 *   current?: boolean}} at  elapsedMs: since the trace's response; budgetMs: how long the
 *   first paint may wait for ELK (Infinity: for as long as ELK takes); current: the graph
 *   drawn is still the one ELK is laying out (no newer run, no module opened or folded)
 * @returns {Step}
 */
export function nextStep({ elk, shown, elapsedMs, budgetMs = ELK_BUDGET_MS, current = true }) {
  if (shown === "none") {
    if (elk === "answered") return { action: "paint-elk" };
    if (elk === "failed" || elapsedMs >= budgetMs) return { action: "paint-quick" };
    return { action: "wait", ms: budgetMs - elapsedMs };
  }
  if (shown === "quick" && current) {
    if (elk === "answered") return { action: "move" };
    if (elk === "waiting") return { action: "wait", ms: Infinity };
  }
  return { action: "keep" };
}

/** How long the move to ELK's coordinates takes: none (a jump) when motion is reduced. */
export function moveDuration(reducedMotion, ms = MOVE_MS) {
  return reducedMotion ? 0 : ms;
}
