/**
 * The step player's bar: the scrubber with its forward and backward parts, the step label,
 * which buttons can be pressed, and the play button's state. It draws what it is given;
 * app/controls.js binds its buttons.
 */

/** @param {HTMLElement} bar  #player */
export function createPlayerBar(bar) {
  const $ = (id) => bar.querySelector(`#${id}`);

  return {
    /**
     * Show position `p` (the scrubber, the label, the buttons); a null timeline: nothing
     * traced, everything disabled.
     * @param {import("../core/timeline.js").Timeline|null} timeline
     * @param {number} p
     * @param {string} label  core/captions.stepLabel
     */
    showPosition(timeline, p, label) {
      const scrubber = $("scrubber");
      scrubber.max = String(timeline ? timeline.end : 0);
      scrubber.value = String(p);
      scrubber.disabled = !timeline;
      const split = timeline && timeline.end ? (timeline.F / timeline.end) * 100 : 100;
      bar.style.setProperty("--split", `${split}%`);
      $("step-label").textContent = label;
      for (const id of ["play", "step-back", "step-next", "jump-forward", "jump-end"])
        $(id).disabled = !timeline;
      $("jump-backward").disabled = !timeline || timeline.B === 0;
    },
    /** The play button as Pause while playing. */
    showPlaying(playing) {
      const play = $("play");
      play.classList.toggle("is-playing", playing);
      play.setAttribute("aria-label", playing ? "Pause" : "Play");
      play.title = playing ? "Pause (Space)" : "Play (Space)";
    },
  };
}
