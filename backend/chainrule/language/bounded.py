"""Bounded values: printed output, and the measure of lists before they are built or read.

`show` writes lists and tuples as CPython does, but stops at the output limit instead of
building a string of any size (`print([x] * 100000)`); `count_items` counts the numbers
in nested lists before `torch.tensor` reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chainrule.errors import LimitError
from chainrule.settings import MAX_STDOUT_CHARS

_ADDRESS = re.compile(r"(?<= at )0x[0-9a-fA-F]+(?=>)")


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


def show(value: Any) -> str:
    """str(value) as Python gives it, refusing one longer than the output limit.

    Lists and tuples are written here, without recursion, so a nested or repeated list
    is measured as it is written rather than built whole first.
    """
    if type(value) not in (list, tuple):
        return str(value)
    parts: list[str] = []
    size = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            text = item.text
        elif type(item) in (list, tuple):
            opening, closing = ("[", "]") if type(item) is list else ("(", ")")
            if type(item) is tuple and len(item) == 1:
                closing = ",)"
            stack.append(_Text(closing))
            for index in range(len(item) - 1, -1, -1):
                stack.append(item[index])
                if index:
                    stack.append(_Text(", "))
            text = opening
        else:
            text = repr(item)
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
