"""Bounded values: printed output, and the measure of lists before they are built or read.

`show` writes lists and tuples as CPython does, but stops at the output limit instead of
building a string of any size (`print([x] * 100000)`); `count_items` counts the numbers
in nested lists before `torch.tensor` reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from chainrule.errors import LimitError
from chainrule.settings import (
    MAX_FORMAT_SPEC_CHARS,
    MAX_FORMAT_WIDTH,
    MAX_MODULE_DEPTH,
    MAX_MODULES,
    MAX_STDOUT_CHARS,
    MAX_TENSOR_ELEMENTS,
)

_ADDRESS = re.compile(r"(?<= at )0x[0-9a-fA-F]+(?=>)")
MAX_NOTES = 20


class Output:
    """Captured printed output, bounded in size, and the program's stable addresses.

    CPython shows some objects with their memory address (`<MulBackward0 object at
    0x7f3a...>`). A worker's addresses differ from run to run and say something about the
    server, so text made from objects shows the n-th distinct address instead as
    `0x` and n in twelve hex digits (`0x000000000001`): the same program prints the same
    text every time, and two objects are told apart as they are in CPython.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._addresses: dict[str, str] = {}
        self._stable: set[str] = set()
        self.notes: list[str] = []  # what the program asked for that chainrule did not do

    def note(self, text: str) -> None:
        """Say once that something the program asked for was not carried out."""
        if text not in self.notes and len(self.notes) < MAX_NOTES:
            self.notes.append(text)

    def stable(self, text: str) -> str:
        """`text` with every object address replaced by its stable one."""
        if " at 0x" not in text:
            return text
        return _ADDRESS.sub(self._address, text)

    def _address(self, match: re.Match[str]) -> str:
        real = match.group(0).lower()
        if real in self._stable:  # already stable: text made earlier by this program
            return real
        known = self._addresses.get(real)
        if known is None:
            known = self._addresses[real] = f"0x{len(self._addresses) + 1:012x}"
            self._stable.add(known)
        return known

    def write(self, text: str) -> None:
        self._size += len(text)
        if self._size > MAX_STDOUT_CHARS:
            raise LimitError(f"the program printed more than {MAX_STDOUT_CHARS} characters")
        self._parts.append(text)

    def text(self) -> str:
        return "".join(self._parts)


@dataclass(frozen=True)
class _Text:
    text: str


_BRACKETS: dict[type, tuple[str, str]] = {list: ("[", "]"), tuple: ("(", ")"),
                                          set: ("{", "}")}


def show(value: Any) -> str:
    """str(value) as Python gives it, refusing one longer than the output limit.

    Lists and tuples are written here, without recursion, so a nested or repeated list
    is measured as it is written rather than built whole first.
    """
    if type(value) not in (list, tuple, dict, set):
        return text_of(value)
    parts: list[str] = []
    size = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            text = item.text
        elif type(item) in (list, tuple, set):
            opening, closing = _BRACKETS[type(item)]
            if type(item) is tuple and len(item) == 1:
                closing = ",)"
            elements = list(item)
            if type(item) is set and not elements:
                opening, closing = "set()", ""
            stack.append(_Text(closing))
            for index in range(len(elements) - 1, -1, -1):
                stack.append(elements[index])
                if index:
                    stack.append(_Text(", "))
            text = opening
        elif type(item) is dict:
            stack.append(_Text("}"))
            pairs = list(item.items())
            for index in range(len(pairs) - 1, -1, -1):
                stack.append(pairs[index][1])
                stack.append(_Text(": "))
                stack.append(pairs[index][0])
                if index:
                    stack.append(_Text(", "))
            text = "{"
        else:
            text = text_of(item, as_repr=True)
        size += len(text)
        if size > MAX_STDOUT_CHARS:
            raise LimitError(f"the program printed more than {MAX_STDOUT_CHARS} characters")
        parts.append(text)
    return "".join(parts)


def count_items(value: Any, cap: int) -> int:
    """How many numbers nested lists and tuples hold (a repeated inner list counts each
    time), stopping as soon as the count passes `cap`."""
    if type(value) not in (list, tuple):
        return 1
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            if id(node) not in sizes:
                stack.append((node, True))
                stack.extend((item, False) for item in node if type(item) in (list, tuple))
            continue
        total = 0
        for item in node:
            total += sizes[id(item)] if type(item) in (list, tuple) else 1
            if total > cap:
                return total
        sizes[id(node)] = total
    return sizes[id(value)]


def check_data(values: Iterable[Any]) -> None:
    """Refuse a list or tuple among `values` (a call's arguments, an index) holding more
    numbers than a tensor may, before torch reads it: `[[0] * 10**4] * 10**4` is small
    for Python (one shared row) and 10**8 numbers for torch."""
    for value in values:
        if type(value) in (list, tuple) \
                and count_items(value, MAX_TENSOR_ELEMENTS) > MAX_TENSOR_ELEMENTS:
            raise LimitError(f"this would make a tensor of more than {MAX_TENSOR_ELEMENTS} "
                             "elements")


def format_value(value: Any, conversion: int, spec: str) -> str:
    """One f-string field, with the width in its spec bounded."""
    digits = "".join(ch if ch.isdigit() else " " for ch in spec).split()
    if len(spec) > MAX_FORMAT_SPEC_CHARS:
        raise LimitError(f"format specs are limited to {MAX_FORMAT_SPEC_CHARS} characters")
    if any(int(d) > MAX_FORMAT_WIDTH for d in digits):
        raise LimitError(f"format widths are limited to {MAX_FORMAT_WIDTH}")
    if conversion == ord("s"):
        value = show(value)
    elif conversion in (ord("r"), ord("a")):
        text = repr(value) if isinstance(value, str) else show(value)
        value = text if conversion == ord("r") else _ascii(text)
    elif type(value) in (list, tuple):
        value = show(value)
    if not isinstance(value, (int, float, bool, str, torch.Tensor, type(None))):
        value = text_of(value)
    return format(value, spec)


def text_of(value: Any, as_repr: bool = False) -> str:
    """str(value) or repr(value), refusing first a model nested too deep for its text:
    torch writes each level by re-indenting all the text below it."""
    if isinstance(value, nn.Module):
        check_module_depth(value)
    return repr(value) if as_repr else str(value)


def check_module_depth(module: nn.Module) -> None:
    """Refuse a model with modules nested past MAX_MODULE_DEPTH, or holding more than
    MAX_MODULES (a module with no submodules, the most common, costs nothing)."""
    if not module._modules:
        return
    height, uses = measure_modules(module)
    if height > MAX_MODULE_DEPTH:
        raise LimitError(f"modules are nested more than {MAX_MODULE_DEPTH} deep")
    if uses > MAX_MODULES:
        raise LimitError(f"a model may hold at most {MAX_MODULES} modules (a shared module "
                         "counts at each place it is used)")


def measure_modules(root: nn.Module) -> tuple[int, int]:
    """How many modules deep `root` goes (1: no submodules) and how many it holds, each
    use of a shared module counted, walked once each without recursion; stopped as soon
    as either passes its limit (a module inside itself is endless)."""
    measured: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[nn.Module, bool]] = [(root, False)]
    while stack:
        module, finished = stack.pop()
        key = id(module)
        if finished:
            on_path.discard(key)
            below = [measured[id(child)] for child in _held(module)]
            height = 1 + max((h for h, _ in below), default=0)
            uses = 1 + sum(u for _, u in below)
            measured[key] = (height, uses)
            if height > MAX_MODULE_DEPTH or uses > MAX_MODULES:
                return height, uses
        elif key in on_path:
            return MAX_MODULE_DEPTH + 1, MAX_MODULES + 1
        elif key not in measured:
            on_path.add(key)
            stack.append((module, True))
            stack.extend((child, False) for child in _held(module))
    return measured[id(root)]


def _held(module: nn.Module) -> list[nn.Module]:
    """A module's submodules at each place it holds them: children() names a shared one
    once, but torch's text, state_dict() and nn.Sequential's forward visit every place."""
    return [child for child in module._modules.values() if child is not None]


def _ascii(text: str) -> str:
    """What ascii() does to a repr: non-ASCII characters as \\x, \\u or \\U escapes."""
    return text.encode("ascii", "backslashreplace").decode("ascii")
