"""Oracle tests: each corpus program run by the interpreter and by real Python + torch.

Every tensor bound to a name (its value, requires_grad and .grad), every module's
parameters and their .grad, every plain number or string bound to a name, and the printed
output must be identical. The program also runs through `trace_to_json` (the full path,
with the real tracer), whose variables and stdout must match the same oracle.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from torch import nn

from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.runner import trace_to_json
from tests.language.corpus import CORPUS, SHOWS_ADDRESSES

SEED = 0
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_PLAIN = (int, float, bool, str, type(None))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """torch's UserWarnings go to stderr in CPython; neither run compares stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@functools.cache
def _real(source: str) -> tuple[dict[str, Any], str]:
    """The oracle: CPython runs our own corpus text (never user text) with real torch.

    Cached: both tests of a program compare against the same run, and neither changes it.
    """
    torch.manual_seed(SEED)
    names: dict[str, Any] = {}
    out = io.StringIO()
    with _quiet(), contextlib.redirect_stdout(out):
        exec(compile(source, "<corpus>", "exec"), names)
    return names, out.getvalue()


def _ours(source: str) -> tuple[dict[str, Any], str]:
    torch.manual_seed(SEED)
    interpreter = Interpreter(PlainTracer())
    with _quiet():
        interpreter.run(parse_source(source))
    return interpreter.env, interpreter.stdout


def _traced(source: str) -> dict[str, Any]:
    torch.manual_seed(SEED)
    with _quiet():
        return json.loads(trace_to_json(source))


def _grad(t: torch.Tensor) -> torch.Tensor | None:
    # Reading .grad of a non-leaf that does not retain it only warns and gives None.
    return t.grad if t.is_leaf or t.retains_grad else None


def _assert_same(ours: torch.Tensor | None, real: torch.Tensor | None, what: str) -> None:
    if real is None or ours is None:
        assert ours is None and real is None, what
        return
    torch.testing.assert_close(ours.detach(), real.detach(), rtol=0, atol=0, equal_nan=True,
                               msg=lambda m: f"{what}: {m}")


def _tensors(names: dict[str, Any]) -> dict[str, torch.Tensor]:
    return {k: v for k, v in names.items() if isinstance(v, torch.Tensor)}


def _modules(names: dict[str, Any]) -> dict[str, nn.Module]:
    return {k: v for k, v in names.items() if isinstance(v, nn.Module)}


def _plain(names: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in names.items() if isinstance(v, _PLAIN) and not k.startswith("__")}


def _output(program: str, text: str) -> str:
    return _ADDRESS.sub("0x…", text) if program in SHOWS_ADDRESSES else text


def _from_json(payload: dict[str, Any] | None) -> torch.Tensor | None:
    """A tensor from its JSON form; "nan", "inf" and "-inf" stand for themselves."""
    if payload is None:
        return None
    assert payload["data"] is not None, "the corpus keeps tensors small enough to list"

    def number(x: Any) -> Any:
        if isinstance(x, list):
            return [number(v) for v in x]
        return float(x) if isinstance(x, str) else x

    dtype = getattr(torch, payload["dtype"])
    return torch.tensor(number(payload["data"]), dtype=dtype).reshape(payload["shape"])


def test_corpus_has_at_least_forty_programs() -> None:
    assert len(CORPUS) >= 40
    assert set(CORPUS) >= SHOWS_ADDRESSES


@pytest.mark.parametrize("program", sorted(CORPUS))
def test_interpreter_matches_python_and_torch(program: str) -> None:
    source = CORPUS[program]
    real, real_out = _real(source)
    ours, our_out = _ours(source)

    assert _output(program, our_out) == _output(program, real_out)
    assert _plain(ours) == _plain(real)
    assert_same_tensors_and_modules(ours, real)


def assert_same_tensors_and_modules(ours: dict[str, Any], real: dict[str, Any]) -> None:
    """Every tensor bound to a name (value, requires_grad, .grad) and every module's
    parameters (and their .grad) are the same in both runs."""
    real_tensors, our_tensors = _tensors(real), _tensors(ours)
    assert sorted(our_tensors) == sorted(real_tensors)
    for name, t in real_tensors.items():
        mine = our_tensors[name]
        _assert_same(mine, t, name)
        assert mine.requires_grad == t.requires_grad, name
        _assert_same(_grad(mine), _grad(t), f"{name}.grad")

    real_modules, our_modules = _modules(real), _modules(ours)
    assert sorted(our_modules) == sorted(real_modules)
    for name, module in real_modules.items():
        our_parameters = dict(our_modules[name].named_parameters())
        assert sorted(our_parameters) == sorted(dict(module.named_parameters()))
        for pname, p in module.named_parameters():
            _assert_same(our_parameters[pname], p, f"{name}.{pname}")
            _assert_same(our_parameters[pname].grad, p.grad, f"{name}.{pname}.grad")


@pytest.mark.parametrize("program", sorted(CORPUS))
def test_trace_to_json_matches_python_and_torch(program: str) -> None:
    source = CORPUS[program]
    real, real_out = _real(source)
    body = _traced(source)

    assert _output(program, body["stdout"]) == _output(program, real_out)
    variables = body["variables"]
    assert set(_tensors(real)) <= set(variables)
    for key, shown in variables.items():
        root, _, path = key.partition(".")  # a module parameter: model.0.weight
        expected = dict(real[root].named_parameters())[path] if path else real[root]
        _assert_same(_from_json(shown["value"]), expected, key)
        _assert_same(_from_json(shown["grad"]), _grad(expected), f"{key}.grad")
        assert shown["requires_grad"] == expected.requires_grad, key
