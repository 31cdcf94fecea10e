"""Oracle tests for the tutorial-style programs of corpus_tutorials.py.

Each program runs in plain CPython + torch (tests/oracle/in_process.py, with its stand-in
pyplot for the plotting ones) and through chainrule exactly as test_oracle.py runs the main
corpus (the interpreter alone, and the full `trace_to_json` path), and everything is
compared: printed output, every plain value and tensor bound to a name (value,
requires_grad, .grad), and every module's parameters and their .grad. Every program must
match: a refusal, a different number or a different line of output fails the test.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.language.corpus_tutorials import CLOCK_NAMES, TUTORIALS, TUTORIALS_PLOTTING
from tests.oracle.in_process import (
    assert_same_tensors_and_modules,
    assert_variables_shown,
    plain_values,
    run_interpreter,
    run_python,
    run_traced,
)

PROGRAMS = {**TUTORIALS, **TUTORIALS_PLOTTING}


def _run_plain(program: str) -> tuple[dict[str, Any], str]:
    return run_python(PROGRAMS[program], f"<tutorial {program}>")


# The oracle's run, cached: the tests of a program compare against the same run.
_real = functools.cache(_run_plain)


def _compared_plain(program: str, names: dict[str, Any]) -> dict[str, Any]:
    """Plain values bound to names, less the clock readings (they differ on every run)."""
    clocks = CLOCK_NAMES.get(program, frozenset())
    return {k: v for k, v in plain_values(names).items() if k not in clocks}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_the_oracle_run_is_deterministic(program: str) -> None:
    """Checks the oracle, not chainrule: one plain run is a fair yardstick only if a second
    gives the same output, names and tensors (and the output shows no address)."""
    real, real_out = _real(program)
    again, again_out = _run_plain(program)

    assert "0x" not in real_out, "no memory addresses in the output"
    assert again_out == real_out
    assert set(CLOCK_NAMES.get(program, frozenset())) <= set(plain_values(real))
    assert _compared_plain(program, again) == _compared_plain(program, real)
    assert_same_tensors_and_modules(again, real)


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_interpreter_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    ours, our_out = run_interpreter(PROGRAMS[program])

    assert our_out == real_out
    assert _compared_plain(program, ours) == _compared_plain(program, real)
    assert_same_tensors_and_modules(ours, real)


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_trace_to_json_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    body = run_traced(PROGRAMS[program])

    assert body["stdout"] == real_out
    assert_variables_shown(body["variables"], real)
