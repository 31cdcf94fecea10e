/**
 * The training panel's charts, as data: the loss against the call of backward(), and each
 * layer's gradient norm on a log scale, in chart coordinates; the diagnoses' leaves as the
 * graph's node ids. Pure, no DOM: the panel (panels/trainingpanel.js) draws what this says.
 */

/** One colour per layer, in the layers' order (Tableau 10: apart on a projector). */
export const LAYER_COLOURS = Object.freeze([
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
]);

/** The chart's plotting box inside its SVG, in px. */
export const CHART = Object.freeze({ width: 320, height: 120, left: 44, right: 8, top: 8, bottom: 18 });

/**
 * @typedef {import("./contract.js").TrainingOut} Training
 * @typedef {{x: number, y: number, call: number, value: number}} Point
 * @typedef {{name: string, colour: string, points: Point[]}} Line
 * @typedef {{lines: Line[], yMin: number, yMax: number, log: boolean, calls: number}} Chart
 */

/** The scale from [lo, hi] to [a, b] (a flat range maps to the middle). */
function scale(lo, hi, a, b) {
  if (!(hi > lo)) return () => (a + b) / 2;
  return (v) => a + ((v - lo) / (hi - lo)) * (b - a);
}

/**
 * Lines of (call, value) pairs in chart coordinates on one scale, x from call 0 to `last`:
 * each series' values are at its own `iterations`; null values leave a gap (the point is
 * dropped). `log`: values are plotted as log10 (values ≤ 0 dropped). `extra`: the fields
 * a line carries besides its name, colour and points (core/comparechart.js: its run).
 * @template {{name: string, values: (number|null)[], colour: string, iterations: number[]}} S
 * @param {S[]} series
 * @param {number} last
 * @param {boolean} log
 * @param {(s: S) => object} [extra]
 */
export function plotLines(series, last, log, extra = () => ({})) {
  const kept = series.map((s) => ({
    s,
    pairs: s.values
      .map((v, i) => [s.iterations[i], v])
      .filter(([, v]) => v !== null && Number.isFinite(v) && (!log || v > 0))
      .map(([c, v]) => [c, log ? Math.log10(v) : v]),
  }));
  const ys = kept.flatMap((k) => k.pairs.map(([, v]) => v));
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const x = scale(0, last, CHART.left, CHART.width - CHART.right);
  const y = scale(yMin, yMax, CHART.height - CHART.bottom, CHART.top);
  return {
    lines: kept.map(({ s, pairs }) => ({
      name: s.name,
      colour: s.colour,
      ...extra(s),
      points: pairs.map(([c, v]) => ({ x: x(c), y: y(v), call: c, value: v })),
    })),
    yMin,
    yMax,
    log,
  };
}

/**
 * One run's lines (plotLines at its calls).
 * @param {Training} training
 * @param {{name: string, values: (number|null)[], colour: string}[]} series
 * @returns {Chart}
 */
export function chart(training, series, log = false) {
  const calls = training.iterations;
  const last = calls.length ? calls[calls.length - 1] : 0;
  return {
    ...plotLines(series.map((s) => ({ ...s, iterations: calls })), last, log),
    calls: training.calls,
  };
}

/** The loss chart. @param {Training} training */
export function lossChart(training) {
  return chart(training, [{ name: "loss", values: training.loss, colour: "#1f2937" }]);
}

/**
 * The layers' gradient norms on a log scale: each weight (or, without weights, each leaf)
 * in the program's order, coloured by its module's place among the modules.
 * @param {Training} training
 */
export function gradientChart(training) {
  const weights = training.series.filter((s) => s.module && s.name.endsWith(".weight"));
  const shown = weights.length ? weights : training.series;
  const modules = [...new Set(shown.map((s) => s.module ?? s.name))];
  return chart(
    training,
    shown.map((s) => ({
      name: s.name,
      values: s.grad_norm,
      colour: LAYER_COLOURS[modules.indexOf(s.module ?? s.name) % LAYER_COLOURS.length],
    })),
    true,
  );
}

/** An SVG path through a line's points ("" when it has none). @param {Line} line */
export function pathOf(line) {
  return line.points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
}

/** The x of call `call` on a chart whose calls run from 0 to `last`. */
export function xOfCall(last, call) {
  return scale(0, last, CHART.left, CHART.width - CHART.right)(call);
}

/** The x of call `call` on the charts (for the marker of the call shown). @param {Training} training */
export function callX(training, call) {
  const calls = training.iterations;
  return xOfCall(calls.length ? calls[calls.length - 1] : 0, call);
}

/**
 * The node ids of the leaves a diagnosis names (by their variable names), in its order:
 * the first is the one its button shows.
 * @param {{leaves: string[]}} diagnosis
 * @param {{nodes: {id: string, name: string|null}[]}} trace
 */
export function diagnosisNodes(diagnosis, trace) {
  const byName = new Map();
  for (const n of trace.nodes) if (n.name !== null && !byName.has(n.name)) byName.set(n.name, n.id);
  return diagnosis.leaves.filter((name) => byName.has(name)).map((name) => byName.get(name));
}

/** The tick labels of a chart's y axis: its bottom and top, as 10^k on a log chart. */
export function yTicks(c) {
  const label = (v) => (c.log ? `1e${Math.round(v)}` : formatShort(v));
  return [
    { y: CHART.height - CHART.bottom, text: label(c.yMin) },
    { y: CHART.top + 8, text: label(c.yMax) },
  ];
}

function formatShort(v) {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(3));
}
