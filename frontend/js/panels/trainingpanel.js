/**
 * The training panel: the loss against each call of backward(), each layer's gradient
 * norm on a log scale, a scrubber that picks a call to show its graph, and the diagnoses,
 * each naming its leaves (click: select it in the graph). Draws what core/training.js says;
 * while two runs are compared, both runs on each chart (core/comparechart.js).
 */

import {
  CHART,
  callX,
  diagnosisNodes,
  gradientChart,
  lossChart,
  pathOf,
  yTicks,
} from "../core/training.js";
import { RUNS, runsCallX, runsGradientChart, runsLossChart } from "../core/comparechart.js";
import { graphsShowText } from "../core/comparestatus.js";

const SVG = "http://www.w3.org/2000/svg";

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Draw one chart into its <svg>, with the marker at the call shown. */
function drawChart(svg, c, markerX, title) {
  svg.setAttribute("viewBox", `0 0 ${CHART.width} ${CHART.height}`);
  svg.replaceChildren();
  svg.append(svgEl("title"));
  svg.firstChild.textContent = title;
  const axis = svgEl("path", {
    class: "training-axis",
    d: `M${CHART.left},${CHART.top}V${CHART.height - CHART.bottom}H${CHART.width - CHART.right}`,
  });
  svg.append(axis);
  for (const t of yTicks(c)) {
    const label = svgEl("text", { class: "training-tick", x: CHART.left - 4, y: t.y });
    label.textContent = t.text;
    svg.append(label);
  }
  const calls = svgEl("text", {
    class: "training-tick training-calls",
    x: CHART.width - CHART.right,
    y: CHART.height - 4,
  });
  calls.textContent = `${c.calls.toLocaleString("en")} calls`;
  svg.append(calls);
  for (const line of c.lines) {
    const path = svgEl("path", { class: "training-line", d: pathOf(line), stroke: line.colour });
    if (line.dash) path.setAttribute("stroke-dasharray", line.dash);
    if (line.run) path.dataset.run = line.run;
    path.dataset.name = line.name;
    path.dataset.points = String(line.points.length);
    const tip = svgEl("title");
    tip.textContent = line.name;
    path.append(tip);
    svg.append(path);
  }
  if (markerX !== null) {
    svg.append(
      svgEl("line", {
        class: "training-marker",
        x1: markerX,
        x2: markerX,
        y1: CHART.top,
        y2: CHART.height - CHART.bottom,
      }),
    );
  }
}

/**
 * @param {HTMLElement} element  #panel-training
 * @param {{onShowCall: (call: number) => void, onSelect: (nodeId: string) => void}} handlers
 */
export function createTrainingPanel(element, { onShowCall, onSelect }) {
  const $ = (sel) => element.querySelector(sel);
  const scrub = /** @type {HTMLInputElement} */ ($("#training-call"));
  const label = $("#training-call-label");
  let training = null;
  /** Two runs compared: the scrubber's loss is run A's, and says so. */
  let comparing = false;

  const picked = () => training?.iterations[Number(scrub.value)] ?? 0;
  const showPicked = () => {
    if (!training) return;
    const call = picked();
    const at = Number(scrub.value);
    const loss = training.loss[at];
    label.textContent = `${comparing ? "Run A, " : ""}call ${call + 1} of ${training.calls}: loss ${
      loss === null ? "not finite" : loss.toPrecision(4)
    }`;
  };
  scrub.addEventListener("input", showPicked);
  /** The key of the two runs' lines, with each run's last loss; hidden for one run. */
  const showLegend = (runs) => {
    const legend = $("#training-runs");
    legend.hidden = runs === null;
    legend.replaceChildren();
    for (const [k, t] of (runs ?? []).entries()) {
      const item = document.createElement("li");
      item.dataset.run = RUNS[k].run;
      item.dataset.calls = String(t.calls);
      item.dataset.lastLoss = String(t.loss.at(-1));
      const swatch = svgEl("svg", { class: "training-run-swatch", viewBox: "0 0 22 6", "aria-hidden": "true" });
      swatch.append(svgEl("line", { x1: 1, x2: 21, y1: 3, y2: 3, stroke: RUNS[k].colour, "stroke-dasharray": RUNS[k].dash }));
      const last = t.loss.at(-1);
      const text = document.createElement("span");
      text.className = "training-run-text";
      text.textContent = `Run ${RUNS[k].run}: ${t.calls} calls, last loss ${last === null || last === undefined ? "not finite" : last.toPrecision(4)}`;
      item.append(swatch, text);
      legend.append(item);
    }
  };
  $("#training-show").addEventListener("click", () => training && onShowCall(picked()));

  return {
    /**
     * @param {import("../core/contract.js").TrainingOut|null} data  null: none (or concealed)
     * @param {{nodes: {id: string, name: string|null}[]}|null} trace
     * @param {import("../core/contract.js").TrainingOut|null} [other]  the compared run
     *   B's records, charted beside these (run A's); null: one run
     */
    show(data, trace, other = null) {
      training = data;
      comparing = Boolean(data && other);
      element.dataset.calls = String(data?.calls ?? 0);
      element.dataset.compared = String(Boolean(data && other));
      showLegend(data && other ? [data, other] : null);
      if (!data) {
        for (const svg of element.querySelectorAll("svg")) svg.replaceChildren();
        $("#diagnoses").replaceChildren();
        label.textContent = "";
        return;
      }
      const shownCall = data.shown_call ?? data.calls - 1;
      let marker = callX(data, shownCall);
      const runs = other ? [data, other] : null;
      if (runs) marker = runsCallX(runs, shownCall);
      drawChart(
        $("#training-loss"),
        runs ? runsLossChart(runs) : lossChart(data),
        marker,
        "Loss against the call of backward()",
      );
      drawChart(
        $("#training-grads"),
        runs ? runsGradientChart(runs) : gradientChart(data),
        marker,
        "Each layer's gradient norm (log scale) against the call of backward()",
      );
      scrub.max = String(data.iterations.length - 1);
      const at = data.iterations.indexOf(shownCall);
      scrub.value = String(at >= 0 ? at : data.iterations.length - 1);
      showPicked();
      $("#training-shown").textContent = graphsShowText(data, other);
      const list = $("#diagnoses");
      list.replaceChildren();
      for (const d of data.diagnoses) {
        const item = document.createElement("li");
        item.className = `diagnosis diagnosis-${d.kind}`;
        item.dataset.kind = d.kind;
        item.textContent = d.message;
        const nodes = trace ? diagnosisNodes(d, trace) : [];
        if (nodes.length) {
          const go = document.createElement("button");
          go.type = "button";
          go.className = "button small";
          go.textContent = `Show ${d.leaves[0]}`;
          go.addEventListener("click", () => onSelect(nodes[0]));
          item.append(" ", go);
        }
        list.append(item);
      }
      if (!data.diagnoses.length) {
        const item = document.createElement("li");
        item.className = "diagnosis diagnosis-none";
        item.textContent = "Nothing stands out: no dead units, vanishing or exploding gradients, non-finite values or rising loss.";
        list.append(item);
      }
    },
  };
}
