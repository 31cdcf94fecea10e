/**
 * Two runs compared, in words: run B's status over its graph, which call of backward()
 * each run's graph shows, and the gradient norm a node of too many elements to list has
 * in the training records. Pure, no DOM.
 */

/**
 * @typedef {import("./contract.js").TrainingOut} TrainingOut
 * @typedef {import("./state.js").Compared} Compared
 */

/** The call a run's graph shows, 0-based (the response's, else the last); null: no records. */
export function shownCall(training) {
  if (!training || training.calls < 1) return null;
  return training.shown_call ?? training.calls - 1;
}

/** "call 5 of 30": the call a run's graph shows, 1-based; null for one call (or none). */
export function callText(training) {
  const call = shownCall(training);
  return call === null || training.calls < 2 ? null : `call ${call + 1} of ${training.calls}`;
}

/**
 * Run B's status, over its graph: running, failed, or its nodes, the call of backward()
 * its graph shows and how many nodes paired with A's, each part only when it is known.
 * @param {Compared|null} compared
 * @param {number|null} paired  how many of B's nodes paired with A's (null: not drawn)
 */
export function compareStatus(compared, paired) {
  if (!compared) return "Run B to trace it";
  if (compared.status === "running") return "Running B…";
  if (compared.status === "error") return `B failed (${compared.error?.code ?? "error"})`;
  const call = callText(compared.trace?.training ?? null);
  return [
    `${compared.model.nodes.length} nodes`,
    call === null ? null : `backward() ${call}`,
    paired === null ? null : `${paired} paired with A`,
  ]
    .filter((part) => part !== null)
    .join(" · ");
}

/**
 * Which call each run's graph shows, when either ran backward() more than once:
 * "A: call 5 of 25 · B: call 5 of 30"; null when neither did.
 * @param {TrainingOut|null} a
 * @param {TrainingOut|null} b
 */
export function callsShown(a, b) {
  const ca = callText(a);
  const cb = callText(b);
  if (ca === null && cb === null) return null;
  return `A: ${ca ?? "its only call"} · B: ${cb ?? "its only call"}`;
}

/**
 * The graphs the training tab's scrubber shows: "The graph shows call 5." for one run;
 * for two, each run's.
 * @param {TrainingOut} a
 * @param {TrainingOut|null} b
 */
export function graphsShowText(a, b) {
  const ca = (shownCall(a) ?? 0) + 1;
  if (!b) return `The graph shows call ${ca}.`;
  return `Run A's graph shows call ${ca}; run B's, call ${(shownCall(b) ?? 0) + 1} of ${b.calls}.`;
}

/**
 * A leaf's gradient norm at the call its run's graph shows, from the training records
 * (for a gradient with too many elements for the trace to list); null when not recorded.
 * @param {TrainingOut|null} training
 * @param {string|null} name  the leaf's name (`model.0.weight`)
 */
export function recordedNorm(training, name) {
  if (!training || !name) return null;
  const series = training.series.find((s) => s.name === name);
  const at = training.iterations.indexOf(shownCall(training) ?? -1);
  if (!series || at < 0) return null;
  return series.grad_norm[at] ?? null;
}

/**
 * Which call of B to trace when run A is shown at call `call`: the same one, or B's last
 * when B ran fewer; null when B's calls are not known (it has no records yet).
 * @param {number} call
 * @param {TrainingOut|null} trainingB
 */
export function callOfB(call, trainingB) {
  if (!trainingB || trainingB.calls < 1) return null;
  return Math.min(call, trainingB.calls - 1);
}
