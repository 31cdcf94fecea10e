"""Oracle tests: each corpus program run by the interpreter and by real Python + torch.

Every tensor bound to a name (its value, requires_grad and .grad), every module's
parameters and their .grad, every plain number or string bound to a name, and the printed
output must be identical. The program also runs through `trace_to_json` (the full path,
with the real tracer), whose variables and stdout must match the same oracle.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest

from tests.language.corpus import CORPUS, SHOWS_ADDRESSES
from tests.oracle.in_process import (
    assert_same_tensors_and_modules,
    assert_variables_shown,
    plain_values,
    run_interpreter,
    run_python,
    run_traced,
)

_ADDRESS = re.compile(r"0x[0-9a-f]+")


@functools.cache
def _real(program: str) -> tuple[dict[str, Any], str]:
    """The oracle's run, cached: both tests of a program compare against the same run, and
    neither changes it."""
    return run_python(CORPUS[program], f"<corpus {program}>")


def _output(program: str, text: str) -> str:
    return _ADDRESS.sub("0x…", text) if program in SHOWS_ADDRESSES else text


@pytest.mark.parametrize("program", sorted(CORPUS))
def test_interpreter_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    ours, our_out = run_interpreter(CORPUS[program])

    assert _output(program, our_out) == _output(program, real_out)
    assert plain_values(ours) == plain_values(real)
    assert_same_tensors_and_modules(ours, real)


@pytest.mark.parametrize("program", sorted(CORPUS))
def test_trace_to_json_matches_python_and_torch(program: str) -> None:
    real, real_out = _real(program)
    body = run_traced(CORPUS[program])

    assert _output(program, body["stdout"]) == _output(program, real_out)
    assert_variables_shown(body["variables"], real)
