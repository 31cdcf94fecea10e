/**
 * The Training tab's charts of two runs on one pair of axes: both runs' loss, and each
 * layer's gradient norm in both (run B's dashed), in chart coordinates on one scale. Pure,
 * no DOM: the training panel draws what this says.
 */

import { CHART, gradientChart } from "./training.js";

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

/** The scale from [lo, hi] to [a, b] (a flat range maps to the middle). */
function scale(lo, hi, a, b) {
  if (!(hi > lo)) return () => (a + b) / 2;
  return (v) => a + ((v - lo) / (hi - lo)) * (b - a);
}

/**
 * Lines of both runs on one scale: x the call of backward() (0 … the longer run's last),
 * y the value (log10 on a log chart; values that cannot be drawn are dropped).
 * @param {[Training, Training]} runs
 * @param {{run: 0|1, name: string, colour: string, values: (number|null)[]}[]} series
 * @returns {RunsChart}
 */
export function runsChart(runs, series, log = false) {
  const kept = series.map((s) => ({
    ...s,
    pairs: s.values
      .map((v, i) => [runs[s.run].iterations[i], v])
      .filter(([, v]) => v !== null && Number.isFinite(v) && (!log || v > 0))
      .map(([c, v]) => [c, log ? Math.log10(v) : v]),
  }));
  const ys = kept.flatMap((s) => s.pairs.map(([, v]) => v));
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const last = Math.max(...runs.map((t) => t.iterations.at(-1) ?? 0));
  const x = scale(0, last, CHART.left, CHART.width - CHART.right);
  const y = scale(yMin, yMax, CHART.height - CHART.bottom, CHART.top);
  return {
    lines: kept.map((s) => ({
      name: s.name,
      colour: s.colour,
      run: RUNS[s.run].run,
      dash: RUNS[s.run].dash,
      points: s.pairs.map(([c, v]) => ({ x: x(c), y: y(v), call: c, value: v })),
    })),
    yMin,
    yMax,
    log,
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
  const last = Math.max(...runs.map((t) => t.iterations.at(-1) ?? 0));
  return scale(0, last, CHART.left, CHART.width - CHART.right)(call);
}
