/**
 * The Training tab's charts of two runs on one pair of axes: both runs' loss, and each
 * layer's gradient norm in both (run B's dashed), in chart coordinates on one scale. Pure,
 * no DOM: the training panel draws what this says.
 */

import { gradientChart, plotLines, xOfCall } from "./training.js";

/** Each run's colour and how its lines are drawn (A solid, B dashed), on every chart. */
export const RUNS = Object.freeze([
  Object.freeze({ run: "A", colour: "#2f5fb3", dash: "" }),
  Object.freeze({ run: "B", colour: "#d9730d", dash: "5 3" }),
]);

/**
 * @typedef {import("./contract.js").TrainingOut} Training
 * @typedef {import("./training.js").Line & {run: "A"|"B", dash: string}} RunLine
 * @typedef {{lines: RunLine[], yMin: number, yMax: number, log: boolean, calls: number}} RunsChart
 */

/**
 * Lines of both runs on one scale: x the call of backward() (0 … the longer run's last),
 * y the value (log10 on a log chart; values that cannot be drawn are dropped).
 * @param {[Training, Training]} runs
 * @param {{run: 0|1, name: string, colour: string, values: (number|null)[]}[]} series
 * @returns {RunsChart}
 */
export function runsChart(runs, series, log = false) {
  const last = Math.max(...runs.map((t) => t.iterations.at(-1) ?? 0));
  const plotted = plotLines(
    series.map((s) => ({ ...s, iterations: runs[s.run].iterations })),
    last,
    log,
    (s) => ({ run: RUNS[s.run].run, dash: RUNS[s.run].dash }),
  );
  return {
    .../** @type {{lines: RunLine[], yMin: number, yMax: number, log: boolean}} */ (plotted),
    calls: Math.max(...runs.map((t) => t.calls)),
  };
}

/** Both runs' loss, in their runs' colours. @param {[Training, Training]} runs */
export function runsLossChart(runs) {
  return runsChart(
    runs,
    runs.map((t, k) => ({ run: /** @type {0|1} */ (k), name: `loss ${RUNS[k].run}`, colour: RUNS[k].colour, values: t.loss })),
  );
}

/**
 * Each layer's gradient norm in both runs (log scale), in the layers' colours of the
 * single-run chart; B's lines are dashed.
 * @param {[Training, Training]} runs
 */
export function runsGradientChart(runs) {
  const series = runs.flatMap((t, k) => {
    const single = gradientChart(t);
    const shown = new Map(single.lines.map((l) => [l.name, l.colour]));
    return t.series
      .filter((s) => shown.has(s.name))
      .map((s) => ({ run: /** @type {0|1} */ (k), name: `${s.name} ${RUNS[k].run}`, colour: shown.get(s.name), values: s.grad_norm }));
  });
  return runsChart(runs, series, true);
}

/** The x of call `call` on the two runs' charts (the marker of run A's call shown). */
export function runsCallX(runs, call) {
  return xOfCall(Math.max(...runs.map((t) => t.iterations.at(-1) ?? 0)), call);
}
