"""Calls run below the dispatch mode (one known aten op) are recorded as the mode would.

The recorder runs operators and a few elementwise functions straight, naming the aten op
from a table: each entry is held against what a dispatch mode sees, and whole programs
give the same bytes with the shortcut as without it.
"""

from __future__ import annotations

import operator
import re
from typing import Any

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from chainrule.content.examples import EXAMPLES
from chainrule.content.lessons import LESSONS
from chainrule.errors import ChainruleError
from chainrule.pipeline import trace_to_json
from chainrule.trace import recorder
from tests.language.corpus import CORPUS


class _Seen(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.ops: list[Any] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.ops.append((func, args))
        return func(*args, **(kwargs or {}))


def _operands() -> list[Any]:
    x = torch.tensor([0.5, 2.0], requires_grad=True)
    return [torch.tensor([1.5, -0.5]), torch.tensor(3.0), 2, 0.25, x]


CALLS = [(fn, name) for fn, name in [
    (operator.add, "a + b"), (operator.sub, "a - b"), (operator.mul, "a * b"),
    (operator.truediv, "a / b"), (operator.pow, "a ** b")]]


def _same_records(fn: Any, args: tuple[Any, ...]) -> None:
    """The shortcut's records are the ops, inputs and values the mode sees."""
    aten = recorder._single_op(fn, args)
    assert aten is not None
    with _Seen() as seen:
        fn(*args)
    _, pending = recorder.run_single(aten, fn, args, recorder.Recorder().read)
    assert [record.op for record in pending] == [op for op, _ in seen.ops]
    assert pending[0].args is args
    assert all(a is b if isinstance(b, torch.Tensor) else a == b
               for a, b in zip(seen.ops[0][1], args, strict=True))
    expected = fn(*args).detach()
    assert torch.equal(pending[0].values[0], expected)
    for record in pending[1:]:  # the detach of a saved output
        assert torch.equal(record.values[0], expected)
    # Every input without a grad_fn is kept as the op read it.
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    assert sorted(pending[0].reads) == sorted({id(t) for t in tensors})
    for t in tensors:
        assert torch.equal(pending[0].reads[id(t)], t) and pending[0].reads[id(t)] is not t


@pytest.mark.parametrize(("fn", "name"), CALLS, ids=[name for _, name in CALLS])
def test_each_binary_entry_is_the_one_op_the_dispatch_mode_sees(fn: Any, name: str) -> None:
    for left in (torch.tensor([0.5, 2.0], requires_grad=True), torch.tensor([0.5, 2.0])):
        for right in _operands():
            _same_records(fn, (left, right))


UNARY = sorted(recorder._UNARY_OPS.items(), key=lambda kv: str(kv[1]) + repr(kv[0]))


@pytest.mark.parametrize(("fn", "aten"), UNARY, ids=[f"{f!r}" for f, _ in UNARY])
def test_each_unary_entry_is_the_one_op_the_dispatch_mode_sees(fn: Any, aten: Any) -> None:
    assert recorder._single_op(fn, (torch.ones(2),)) is aten
    for x in (torch.tensor([0.5, 2.0], requires_grad=True), torch.tensor([0.5, 2.0])):
        _same_records(fn, (x,))


def test_calls_outside_the_table_take_the_dispatch_mode() -> None:
    x = torch.tensor([0.5, 2.0])
    assert recorder._single_op(operator.add, (2, x)) is None  # reflected: rsub, radd
    assert recorder._single_op(operator.matmul, (x, x)) is None
    assert recorder._single_op(operator.add, (x, True)) is None
    assert recorder._single_op(torch.sin, (x, x)) is None
    big = torch.zeros(3000)
    assert recorder._single_op(operator.mul, (big, big)) is None  # product past the limit


def _programs() -> list[Any]:
    programs = [pytest.param(source, id=f"corpus:{name}") for name, source in CORPUS.items()]
    programs += [pytest.param(e.source, id=f"example:{e.id}") for e in EXAMPLES]
    for lesson in LESSONS:
        programs.append(pytest.param(lesson.source, id=f"lesson:{lesson.id}"))
        programs += [pytest.param(v.source, id=f"lesson:{lesson.id}:{v.title}")
                     for v in lesson.variants]
    return programs


def _trace_or_error(source: str) -> bytes | str:
    torch.manual_seed(0)  # programs that build modules without seeding draw their weights
    try:  # printed grad_fn objects show their addresses, which differ from run to run
        return re.sub(rb"0x[0-9a-f]+", b"0x", trace_to_json(source, check=True))
    except ChainruleError as exc:  # a refusal: the two runs must refuse alike too
        return f"{type(exc).__name__}: {exc.to_dict()}"


@pytest.mark.parametrize("source", _programs())
def test_programs_give_the_same_bytes_without_the_shortcut(
        source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _trace_or_error(source)
    monkeypatch.setattr(recorder, "_single_op", lambda fn, args: None)
    slow = _trace_or_error(source)
    assert fast == slow
