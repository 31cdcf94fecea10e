"""Methods of plain Python values (lists, dicts, sets, tuples, strings) and string
formatting (`%` and `str.format`), each bounded in the size it can make.

`str.format` and `%` are chainrule's own: a replacement field may name an argument by
position or keyword, never reach into it (`'{0.__class__}'`, `'{0[0]}'` are refused),
and widths are bounded like an f-string's.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

from chainrule.errors import LimitError, NotAllowedError, ProgramTypeError
from chainrule.language.bounded import format_value, text_of
from chainrule.language.values import Function
from chainrule.settings import MAX_LIST_ELEMENTS, MAX_STDOUT_CHARS

_formatter = string.Formatter()


def check_text(text: str) -> str:
    if len(text) > MAX_STDOUT_CHARS:
        raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
    return text


def check_items(size: int) -> None:
    if size > MAX_LIST_ELEMENTS:
        raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")


# --- str.format and % -------------------------------------------------------------------


def format_string(template: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                  stable: Callable[[str], str]) -> str:
    """`template.format(*args, **kwargs)`, with plain field names only."""
    parts: list[str] = []
    automatic = 0
    size = 0
    for literal, field, spec, conversion in _formatter.parse(template):
        parts.append(literal)
        size += len(literal)
        if field is None:
            continue
        if "." in field or "[" in field:
            raise NotAllowedError("a format field may name an argument, not reach into it "
                                  f"('{{{field}}}'): pass the value itself")
        if field == "":
            key: int | str = automatic
            automatic += 1
        elif field.isdigit():
            key = int(field)
        else:
            key = field
        if spec and ("{" in spec):
            raise NotAllowedError("nested format specifications are not allowed")
        try:
            value = args[key] if isinstance(key, int) else kwargs[key]
        except IndexError:
            raise ProgramTypeError(f"Replacement index {key} out of range for positional "
                                   f"args tuple") from None
        except KeyError:
            raise ProgramTypeError(f"format() is missing the argument '{key}'") from None
        text = format_value(value, ord(conversion) if conversion else -1, spec or "")
        parts.append(text)
        size += len(text)
        if size > MAX_STDOUT_CHARS:
            raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
    return stable("".join(parts))


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?"
                      r"(?:\.(?P<precision>\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])")


def percent_format(template: str, values: Any, stable: Callable[[str], str]) -> str:
    """`template % values`, one directive at a time with bounded widths."""
    mapping = values if isinstance(values, dict) else None
    items = list(values) if type(values) is tuple else [values]
    parts: list[str] = []
    position = 0
    index = 0
    for match in _PERCENT.finditer(template):
        parts.append(template[position:match.start()])
        position = match.end()
        kind = match.group("type")
        if kind == "%":
            parts.append("%")
            continue
        if "*" in (match.group("width") or "") + (match.group("precision") or ""):
            raise NotAllowedError("'*' widths are not allowed in % formatting")
        for number in (match.group("width"), match.group("precision")):
            if number is not None and int(number) > 200:
                raise LimitError("format widths are limited to 200")
        key = match.group("key")
        if key is not None:
            if mapping is None:
                raise ProgramTypeError("format requires a mapping")
            value = mapping[key]
        else:
            if index >= len(items):
                raise ProgramTypeError("not enough arguments for format string")
            value = items[index]
            index += 1
        directive = match.group(0) if key is None else \
            "%" + match.group(0)[match.group(0).index(")") + 1:]
        if kind in "rsa":
            value = text_of(value, as_repr=kind != "s")
            directive = directive[:-1] + "s"
        parts.append(directive % (value,))
    parts.append(template[position:])
    if mapping is None and index < len(items):
        raise ProgramTypeError("not all arguments converted during string formatting")
    return stable(check_text("".join(parts)))


# --- methods ------------------------------------------------------------------------------


def _list_extend(items: list[Any], values: Any) -> None:
    values = list(values)
    check_items(len(items) + len(values))
    items.extend(values)


def _list_append(items: list[Any], value: Any) -> None:
    check_items(len(items) + 1)
    items.append(value)


def _list_insert(items: list[Any], index: int, value: Any) -> None:
    check_items(len(items) + 1)
    items.insert(index, value)


def _str_join(separator: str, values: Any) -> str:
    texts = list(values)
    if not all(isinstance(t, str) for t in texts):
        bad = next(t for t in texts if not isinstance(t, str))
        raise ProgramTypeError(f"sequence item: expected str instance, "
                               f"{type(bad).__name__} found")
    total = sum(len(t) for t in texts) + len(separator) * max(len(texts) - 1, 0)
    if total > MAX_STDOUT_CHARS:
        raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
    return separator.join(texts)


def _widened(name: str) -> Callable[..., str]:
    method = getattr(str, name)

    def widen(text: str, width: int, *fill: str) -> str:
        if not isinstance(width, int):
            raise ProgramTypeError(f"'{type(width).__name__}' object cannot be interpreted "
                                   "as an integer")
        if width > MAX_STDOUT_CHARS:
            raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
        return str(method(text, width, *fill))
    return widen


def _str_replace(text: str, old: str, new: str, count: int = -1) -> str:
    if len(new) > len(old) and text.count(old) * (len(new) - len(old)) + len(text) \
            > MAX_STDOUT_CHARS:
        raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
    return text.replace(old, new, count)


def _split(text: str, *args: Any) -> list[str]:
    parts = text.split(*args)
    check_items(len(parts))
    return parts


def _sort(items: list[Any], key: Any = None, reverse: bool = False) -> None:
    items.sort(key=key, reverse=reverse)


def _table(owner: type, names: tuple[str, ...], own: dict[str, Callable[..., Any]]
           ) -> dict[str, Function]:
    """Methods by name: chainrule's bounded version where there is one, else Python's."""
    kind = owner.__name__
    return {name: Function(f"{kind}.{name}", own.get(name) or getattr(owner, name),
                           torch_op=False) for name in names}


LIST_METHODS = _table(list, (
    "append", "extend", "pop", "insert", "reverse", "sort", "index", "count", "remove",
    "clear", "copy"), {"append": _list_append, "extend": _list_extend, "insert": _list_insert,
                       "sort": _sort})
TUPLE_METHODS = _table(tuple, ("index", "count"), {})
DICT_METHODS = _table(dict, (
    "items", "keys", "values", "get", "pop", "setdefault", "update", "copy", "clear"), {})
SET_METHODS = _table(set, (
    "add", "update", "remove", "discard", "pop", "union", "intersection", "difference",
    "issubset", "issuperset", "copy", "clear"), {})
STR_METHODS = _table(str, (
    "upper", "lower", "strip", "lstrip", "rstrip", "replace", "split", "rsplit", "join",
    "startswith", "endswith", "title", "capitalize", "zfill", "center", "ljust", "rjust",
    "count", "find", "index", "isdigit", "isalpha", "isalnum", "isspace", "islower",
    "isupper", "splitlines", "swapcase", "partition", "rpartition"),
    {"join": _str_join, "zfill": _widened("zfill"), "center": _widened("center"),
     "ljust": _widened("ljust"), "rjust": _widened("rjust"), "replace": _str_replace,
     "split": _split})
# str.format needs the program's stable addresses: the interpreter binds it.
FORMAT = "format"

METHODS: dict[type, dict[str, Function]] = {
    list: LIST_METHODS, tuple: TUPLE_METHODS, dict: DICT_METHODS, set: SET_METHODS,
    str: STR_METHODS,
}


def method_of(owner: Any, name: str) -> Function | None:
    """The table's method `name` of a plain value (list, tuple, dict, set, str), or None."""
    table = METHODS.get(type(owner))
    return table.get(name) if table is not None else None
