"""`python -m chainrule open program.py`: run a Python file of the user's in-process,
record it, and open the player in the browser (or write it to `--out`).

The file runs as `python program.py` would run it, with the user's own rights: this is
for their own code on their own machine, never for what a server receives.
"""

from __future__ import annotations

import tempfile
import webbrowser
from pathlib import Path

from chainrule.inprocess.recording import record_file


def open_program(program: Path, out: Path | None = None, browse: bool = True) -> Path:
    """Record `program` and write its player to `out` (a temporary file when None); open
    it in the browser when `browse`. The written path."""
    rec = record_file(program)
    if out is None:
        with tempfile.NamedTemporaryFile("w", suffix=".html", prefix="chainrule-",
                                         delete=False) as file:
            out = Path(file.name)
    rec.save(out, title=f"chainrule: {program.name}")
    if browse:
        webbrowser.open(out.resolve().as_uri())
    return out
