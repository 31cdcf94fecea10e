"""torch's shape errors said with the program's own words: the expression as written and
each tensor operand's shape (`W @ x: 3×4 and 5×2 cannot be multiplied`), torch's message
kept beside it (`TorchError.torch_message`).

`ShapeExplainer` wraps the interpreter's Tracer: a RuntimeError of a call that this module
recognises (matrix products, broadcasting, view/reshape, cat/stack) becomes a TorchError
with the new message; any other error passes through untouched, to be placed and named as
before (expressions.place).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import torch

from chainrule.errors import TorchError
from chainrule.language.calls import Tracer
from chainrule.spans import Span

# Longer expression texts are cut (with …) so a message stays one readable line.
MAX_TEXT_CHARS = 80

_MAT = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
_MATMUL = ("mat1 and mat2 shapes cannot be multiplied", "size mismatch, got input",
           "inconsistent tensor size, expected tensor", "Expected size for first two "
           "dimensions of batch2 tensor", "both arguments to matmul need to be at least 1D")
_BROADCAST = re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b "
                        r"\((\d+)\) at non-singleton dimension (\d+)")
_INPLACE = re.compile(r"output with shape \[([\d, ]*)\] doesn't match the broadcast shape "
                      r"\[([\d, ]*)\]")
_VIEW = re.compile(r"shape '\[([-\d, ]*)\]' is invalid for input of size (\d+)")
_CAT_SIZES = re.compile(r"Sizes of tensors must match except in dimension (\d+)")
_CAT_DIMS = re.compile(r"Tensors must have same number of dimensions: got (\d+) and (\d+)")
_STACK = "stack expects each tensor to be equal size"


def shape_text(shape: Sequence[int]) -> str:
    """3×4 for a matrix, `a vector of 3`, `a scalar`."""
    if len(shape) == 0:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return "×".join(str(n) for n in shape)


def _pair(shapes: Sequence[Sequence[int]]) -> str:
    texts = [shape_text(s) for s in shapes]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def tensor_operands(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[torch.Tensor]:
    """The call's tensors, in order, those inside a list or tuple argument too (cat)."""
    found: list[torch.Tensor] = []
    for value in (*args, *kwargs.values()):
        items = value if isinstance(value, list | tuple) else (value,)
        found.extend(item for item in items if isinstance(item, torch.Tensor))
    return found


def explain(torch_message: str, text: str, operands: Sequence[torch.Tensor]) -> str | None:
    """The message for a shape error torch raised in `text`, or None when it is not one."""
    shapes = [list(t.shape) for t in operands]
    if any(torch_message.startswith(start) for start in _MATMUL):
        return f"{text}: {_multiplied(torch_message, shapes)}"
    found = _BROADCAST.search(torch_message)
    if found:
        a, b, dim = found.groups()
        return (f"{text}: {_pair(shapes)} cannot be broadcast together: at dimension {dim} "
                f"the sizes are {a} and {b} (they must be equal, or one of them 1)")
    found = _INPLACE.search(torch_message)
    if found:
        written = [int(n) for n in found.group(1).split(",") if n.strip()]
        result = [int(n) for n in found.group(2).split(",") if n.strip()]
        return (f"{text}: the result would be {shape_text(result)}, which does not fit the "
                f"{shape_text(written).removeprefix('a ')} it is written into in place")
    found = _VIEW.search(torch_message)
    if found:
        return f"{text}: {_reshaped(found.group(1), int(found.group(2)), shapes)}"
    found = _CAT_SIZES.search(torch_message)
    if found:
        dim = int(found.group(1))
        return (f"{text}: {_pair(shapes)} cannot be joined along dimension {dim}: every "
                f"other dimension must have the same size{_differing(shapes, dim)}")
    found = _CAT_DIMS.search(torch_message)
    if found:
        return (f"{text}: {_pair(shapes)} cannot be joined: they have {found.group(1)} and "
                f"{found.group(2)} dimensions")
    if torch_message.startswith(_STACK):
        return f"{text}: {_pair(shapes)} cannot be stacked: they must have the same shape"
    return None


def _multiplied(torch_message: str, shapes: list[list[int]]) -> str:
    if len(shapes) == 2:
        return f"{_pair(shapes)} cannot be multiplied"
    found = _MAT.search(torch_message)  # a layer's call: the shapes torch multiplied
    if found:
        rows, cols, rows2, cols2 = found.groups()
        return f"{rows}×{cols} and {rows2}×{cols2} cannot be multiplied"
    return f"{_pair(shapes)} cannot be multiplied" if shapes else "cannot be multiplied"


def _reshaped(asked: str, size: int, shapes: list[list[int]]) -> str:
    sizes = [int(n) for n in asked.split(",") if n.strip()]
    known = 1
    for n in sizes:
        known *= n if n != -1 else 1
    if -1 in sizes:
        why = f"{size} is not a multiple of {known}"
    else:
        why = f"{known} element{'s' if known != 1 else ''}"
    what = shape_text(shapes[0]) if shapes else "the tensor"
    elements = f"{size} element{'s' if size != 1 else ''}"
    return f"{what} has {elements}, which cannot take the shape [{asked}] ({why})"


def _differing(shapes: list[list[int]], dim: int) -> str:
    """`: dimension 0 is 2 and 3`, the first dimension (but `dim`) where sizes differ."""
    if len(shapes) < 2 or any(len(s) != len(shapes[0]) for s in shapes):
        return ""
    for k in range(len(shapes[0])):
        sizes = [s[k] for s in shapes]
        if k != dim and len(set(sizes)) > 1:
            return f", but dimension {k} is {' and '.join(str(n) for n in sizes)}"
    return ""


def source_text(lines: tuple[str, ...], span: Span) -> str:
    """The source an expression was written as (its lines joined by a space), cut at
    MAX_TEXT_CHARS."""
    line, col, end_line, end_col = span
    if not 0 < line <= end_line <= len(lines):
        return "this expression"
    if line == end_line:
        text = lines[line - 1][col:end_col]
    else:
        parts = [lines[line - 1][col:], *lines[line:end_line - 1], lines[end_line - 1][:end_col]]
        text = " ".join(part.strip() for part in parts)
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS - 1] + "…"


class ShapeExplainer:
    """A Tracer that says torch's shape errors with the expression and its operands."""

    __slots__ = ("_clean", "_inner", "_lines")

    def __init__(self, inner: Tracer, lines: Callable[[], tuple[str, ...]],
                 clean: Callable[[BaseException], str]) -> None:
        self._inner = inner
        self._lines = lines  # the running program's source lines
        self._clean = clean  # torch's message without its C++ traceback

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any:
        try:
            return self._inner.call(fn, args, kwargs, span)
        except RuntimeError as exc:
            original = self._clean(exc)
            said = explain(original, source_text(self._lines(), span),
                           tensor_operands(args, kwargs))
            if said is None:
                raise
            raise TorchError(said, torch_message=original) from None

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None:
        self._inner.backward(tensor, kwargs, span)

    def custom_backward(self, node_class: type, formula: str) -> None:
        self._inner.custom_backward(node_class, formula)
