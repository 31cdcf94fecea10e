"""Oracle tests for the tutorial-style programs of corpus_tutorials.py.

Each program first runs in plain CPython + torch. That check passes today: it pins the
programs as valid, deterministic Python that prints something and shows no address.
Then each runs through chainrule exactly as test_oracle.py runs the main corpus (the
interpreter alone, and the full `trace_to_json` path), and everything is compared:
printed output, every plain value and tensor bound to a name (value, requires_grad,
.grad), and every module's parameters and their .grad. Every program must
match: a refusal, a different number or a different line of output fails the test.

Every run starts from torch.manual_seed(0) and random.seed(0), the state chainrule
documents for every program. The plotting programs import matplotlib, which the test
venv does not install: their plain run gets a stand-in `matplotlib.pyplot` whose
functions do nothing, return None and print nothing. chainrule's own plotting stand-in
prints nothing either, so the outputs are compared as they are.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import random
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.runner import trace_to_json
from tests.language.corpus_tutorials import CLOCK_NAMES, TUTORIALS, TUTORIALS_PLOTTING
from tests.language.test_oracle import (
    _assert_same,
    _from_json,
    _grad,
    _plain,
    _quiet,
    _tensors,
    assert_same_tensors_and_modules,
)

SEED = 0
PROGRAMS = {**TUTORIALS, **TUTORIALS_PLOTTING}
# What the stand-in pyplot offers; savefig is left out on purpose (it would write a file).
PLOT_FUNCTIONS = ("plot", "show", "xlabel", "ylabel", "title", "legend", "figure", "subplot",
                  "scatter", "hist", "grid")


def _seed() -> None:
    torch.manual_seed(SEED)
    random.seed(SEED)


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Every stand-in plotting function: draws nothing, prints nothing."""


@contextlib.contextmanager
def _plotting_stand_in() -> Iterator[None]:
    """`matplotlib` and `matplotlib.pyplot` in sys.modules for the duration of one run."""
    pyplot = types.ModuleType("matplotlib.pyplot")
    for name in PLOT_FUNCTIONS:
        setattr(pyplot, name, _nothing)
    package = types.ModuleType("matplotlib")
    package.pyplot = pyplot  # type: ignore[attr-defined]
    saved = {name: sys.modules.get(name) for name in ("matplotlib", "matplotlib.pyplot")}
    sys.modules.update({"matplotlib": package, "matplotlib.pyplot": pyplot})
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _run_plain(program: str) -> tuple[dict[str, Any], str]:
    """CPython runs our own tutorial text (never user text) with real torch."""
    plotting = _plotting_stand_in() if program in TUTORIALS_PLOTTING else contextlib.nullcontext()
    names: dict[str, Any] = {}
    out = io.StringIO()
    _seed()
    with plotting, _quiet(), contextlib.redirect_stdout(out):
        exec(compile(PROGRAMS[program], f"<tutorial {program}>", "exec"), names)
    return names, out.getvalue()


# The oracle, cached: the tests of a program compare against the same run.
_real = functools.cache(_run_plain)


def _ours(source: str) -> tuple[dict[str, Any], str]:
    _seed()
    interpreter = Interpreter(PlainTracer())
    with _quiet():
        interpreter.run(parse_source(source))
    return interpreter.env, interpreter.stdout


def _traced(source: str) -> dict[str, Any]:
    _seed()
    with _quiet():
        return json.loads(trace_to_json(source))


def _compared_plain(program: str, names: dict[str, Any]) -> dict[str, Any]:
    """Plain values bound to names, less the clock readings (they differ on every run)."""
    clocks = CLOCK_NAMES.get(program, frozenset())
    return {k: v for k, v in _plain(names).items() if k not in clocks}


def _assert_shown(shown: dict[str, Any] | None, expected: torch.Tensor | None,
                  what: str) -> None:
    """A tensor as /trace shows it: listed when small; past MAX_LISTED_ELEMENTS (the
    two-layer net's 64x1000 batch) only summarised, so shape, dtype, min and max."""
    if shown is None or expected is None or shown["data"] is not None:
        _assert_same(_from_json(shown), expected, what)
        return
    assert shown["shape"] == list(expected.shape), what
    assert shown["dtype"] == str(expected.dtype).removeprefix("torch."), what
    for stat, value in (("min", expected.min()), ("max", expected.max())):
        # the summary holds float32 statistics in their shortest decimal form
        assert torch.tensor(float(shown["summary"][stat]), dtype=expected.dtype) == value, \
            f"{what}: {stat}"


# --- the programs themselves, in plain CPython --------------------------------------------

def test_there_are_at_least_seventy_tutorials_and_a_few_plotting_ones() -> None:
    assert len(TUTORIALS) >= 70
    assert 1 <= len(TUTORIALS_PLOTTING) <= 5
    assert not set(TUTORIALS) & set(TUTORIALS_PLOTTING)
    assert set(CLOCK_NAMES) <= set(PROGRAMS)


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_program_says_what_it_covers(program: str) -> None:
    assert PROGRAMS[program].startswith("# covers: ")


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_program_runs_the_same_twice_in_plain_python(program: str) -> None:
    real, real_out = _real(program)
    again, again_out = _run_plain(program)

    assert real_out.strip(), "a tutorial prints what it found"
    assert "0x" not in real_out, "no memory addresses in the output"
    assert again_out == real_out
    assert set(CLOCK_NAMES.get(program, frozenset())) <= set(_plain(real))
    assert _compared_plain(program, again) == _compared_plain(program, real)
    assert_same_tensors_and_modules(again, real)


def test_plotting_stand_in_draws_nothing_and_leaves_sys_modules_as_it_was() -> None:
    before = {name: sys.modules.get(name) for name in ("matplotlib", "matplotlib.pyplot")}
    out = io.StringIO()
    with _plotting_stand_in(), contextlib.redirect_stdout(out):
        import matplotlib.pyplot as plt

        assert [getattr(plt, name)([1.0], label="x") for name in PLOT_FUNCTIONS] == [
            None] * len(PLOT_FUNCTIONS)
        assert not hasattr(plt, "savefig")
    assert out.getvalue() == ""
    assert {name: sys.modules.get(name) for name in before} == before


# --- the same programs through chainrule ---------------------------------------------------

@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_interpreter_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    ours, our_out = _ours(PROGRAMS[program])

    assert our_out == real_out
    assert _compared_plain(program, ours) == _compared_plain(program, real)
    assert_same_tensors_and_modules(ours, real)


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_trace_to_json_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    body = _traced(PROGRAMS[program])

    assert body["stdout"] == real_out
    variables = body["variables"]
    assert set(_tensors(real)) <= set(variables)
    for key, shown in variables.items():
        root, _, path = key.partition(".")  # a module parameter: model.fc1.weight
        expected = dict(real[root].named_parameters())[path] if path else real[root]
        _assert_shown(shown["value"], expected, key)
        _assert_shown(shown["grad"], _grad(expected), f"{key}.grad")
        assert shown["requires_grad"] == expected.requires_grad, key
