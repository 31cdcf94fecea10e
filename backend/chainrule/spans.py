"""A place in the program's source, shared by the language and the trace layers."""

from __future__ import annotations

# (line, col, end_line, end_col): lines 1-based, columns 0-based in characters, end exclusive.
Span = tuple[int, int, int, int]
