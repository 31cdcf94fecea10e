/**
 * The chain-rule card and the narration line over the graph: core/stepcard.js says what
 * they read, KaTeX sets the formulas (typeset.js).
 *
 * Each formula line keeps its plain-text twin in `data-text` and in an off-screen span,
 * so screen readers, copy-paste and tests read "(-0.4)(1.4) = -0.56" rather than MathML.
 */

import { typeset } from "./typeset.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * @param {HTMLElement} cardElement
 * @param {HTMLElement} narrationElement
 * @param {{onFold?: () => void}} [handlers]  onFold: the fold button was pressed
 */
export function createStepCard(cardElement, narrationElement, { onFold = () => {} } = {}) {
  let shown = null;
  let shownOpen = null;

  return {
    /**
     * Show a step's card and narration (null hides both).
     * @param {import("../core/cardlines.js").StepCard|null} card
     * @param {string} narration
     * @param {boolean} [open]  false: only the card's title, the formulas folded away
     */
    show(card, narration, open = true) {
      narrationElement.hidden = card === null;
      cardElement.hidden = card === null;
      if (card === null) {
        shown = null;
        return;
      }
      narrationElement.textContent = narration;
      narrationElement.dataset.order = card.order;
      cardElement.classList.toggle("is-folded", !open);
      if (shown === card && shownOpen === open) return;
      shown = card;
      shownOpen = open;
      cardElement.dataset.order = card.order;
      cardElement.dataset.node = card.node ?? "";
      const head = el("div", "stepcard-head");
      const fold = el("button", "stepcard-fold", open ? "−" : "+");
      fold.type = "button";
      fold.title = open ? "Fold the formulas away" : "Show the formulas";
      fold.setAttribute("aria-expanded", String(open));
      fold.addEventListener("click", onFold);
      head.append(
        el("span", "stepcard-title", card.title),
        el("span", "stepcard-sub", card.subtitle),
        fold,
      );
      const lines = card.lines.map((line) => {
        const row = el("div", `stepcard-line kind-${line.kind}`);
        row.dataset.kind = line.kind;
        row.dataset.text = line.text;
        row.append(typeset(line.tex), el("span", "sr-only", line.text));
        if (line.note) row.append(el("span", "stepcard-note", line.note));
        return row;
      });
      // At the end the narration already says what the heading would.
      const heading = card.order === "done" ? [] : [el("p", "stepcard-heading", card.heading)];
      cardElement.replaceChildren(head, ...heading, ...lines);
    },
  };
}
