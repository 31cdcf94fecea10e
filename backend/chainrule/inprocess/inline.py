"""The player inside a notebook's output: the standalone document in an iframe.

The document brings its own import map, styles and scripts; in an iframe (`srcdoc`) they
cannot meet the notebook's own (JupyterLab, Notebook 7 and VS Code render an output's
HTML in their page; Colab in an iframe of its own). The frame is as wide as the output
and tall enough for the graph and the step card.
"""

from __future__ import annotations

import html

FRAME_HEIGHT_PX = 640


def inline_html(document: str, height: int = FRAME_HEIGHT_PX) -> str:
    """`document` as a notebook cell's HTML output."""
    return (f'<iframe class="chainrule-player" title="chainrule player" '
            f'style="width:100%;height:{height}px;border:1px solid #d0d7de;border-radius:6px" '
            f'srcdoc="{html.escape(document, quote=True)}"></iframe>')
