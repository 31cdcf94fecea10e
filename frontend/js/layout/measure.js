/**
 * The sizes of what is laid out: a node card's geometry and size (from what it says,
 * core/nodecard.js), where each output row of an op with several sits on its card, a module
 * frame's padding. Pure, no DOM: card text is monospace, so its width follows from the
 * character count.
 */

/** Geometry of a node card, shared with draw/cards.js so drawing matches measuring. */
export const CARD = Object.freeze({
  padX: 11,
  padTop: 9,
  padBottom: 9,
  titleSize: 14,
  titleLine: 18,
  subtitleSize: 10.5,
  subtitleLine: 14,
  dividerGap: 7, // space above and below the divider
  rowSize: 12,
  rowLine: 18,
  labelGap: 14, // between a row's label and its value
  heatmapGap: 4, // above a row's heatmap (below it: half of this)
  minWidth: 96,
  maxTextChars: 26, // longer strings are cut with an ellipsis
});

/** Advance of one monospace character, as a fraction of the font size. */
export const MONO_ADVANCE = 0.6;

/** Space inside a module cluster's frame: room for its title on top. */
export const CLUSTER_PADDING = Object.freeze({ top: 34, left: 14, bottom: 14, right: 14 });

/** Cut `text` to at most `max` characters, ending in … when cut. */
export function clip(text, max = CARD.maxTextChars) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Width in px of monospace `text` at `size`, counting code points (∂ is one character). */
export function monoWidth(text, size) {
  return [...text].length * size * MONO_ADVANCE;
}

/**
 * The size of a card.
 * @param {import("../core/nodecard.js").Card} card
 * @returns {{width: number, height: number}}
 */
export function measureCard(card) {
  const title = monoWidth(clip(card.title), CARD.titleSize);
  const subtitle = monoWidth(clip(card.subtitle), CARD.subtitleSize);
  const labels = Math.max(0, ...card.rows.map((r) => monoWidth(clip(r.label), CARD.subtitleSize)));
  const values = Math.max(0, ...card.rows.map((r) => monoWidth(clip(r.text), CARD.rowSize)));
  const rowsWidth = card.rows.length ? labels + CARD.labelGap + values : 0;
  const heatmaps = Math.max(0, ...card.rows.map((r) => r.heatmap?.width ?? 0));
  const inner = Math.max(title, subtitle, rowsWidth, heatmaps);
  const width = Math.ceil(Math.max(CARD.minWidth, inner + 2 * CARD.padX));
  const rowsHeight = card.rows.reduce((h, r) => h + rowHeight(r), 0);
  const height = Math.ceil(
    CARD.padTop +
      CARD.titleLine +
      CARD.subtitleLine +
      (card.rows.length ? 2 * CARD.dividerGap + rowsHeight : 0) +
      CARD.padBottom,
  );
  const outputs = outputRows(card);
  return outputs.length ? { width, height, outputs } : { width, height };
}

/**
 * Where the value row of each output sits on the card of an op listing several outputs:
 * the middle of its line, from the card's top. Edges reading an output leave the card
 * there, so each visibly comes from its row. [] for every other card.
 * @param {import("../core/nodecard.js").Card} card
 * @returns {{output: number, y: number}[]}
 */
export function outputRows(card) {
  const rows = [];
  let top = CARD.padTop + CARD.titleLine + CARD.subtitleLine + 2 * CARD.dividerGap;
  for (const row of card.rows) {
    if (row.key === "value" && row.output !== null && row.output !== undefined) {
      rows.push({ output: row.output, y: top + CARD.rowLine / 2 });
    }
    top += rowHeight(row);
  }
  return rows;
}

/** Height of one card row: its line, and its heatmap below when it has one. */
export function rowHeight(row) {
  return CARD.rowLine + (row.heatmap ? row.heatmap.height + 1.5 * CARD.heatmapGap : 0);
}
