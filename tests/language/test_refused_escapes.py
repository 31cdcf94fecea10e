"""Escapes that must stay refused once the language has functions, classes and the rest.

Each row of `refused_tutorial_escapes.REFUSED_ESCAPES` runs through `trace_to_json`, the
full path a program takes on the server, and must fail with the row's error code. The
rows are never run by CPython, except those coded `torch_error`: torch itself must refuse
them there too, so the code is the one the oracle would give.
"""

from __future__ import annotations

import ast
import warnings

import pytest

from chainrule.errors import ChainruleError
from chainrule.runner import trace_to_json
from tests.language.refused_tutorial_escapes import HINTS, REFUSED_ESCAPES

CODES = {"not_allowed", "limit_exceeded", "type_error", "unknown_name", "torch_error"}



def _refusal(source: str) -> ChainruleError:
    with pytest.raises(ChainruleError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trace_to_json(source)
    return caught.value


def test_table_has_at_least_thirty_rows_with_known_codes() -> None:
    assert len(REFUSED_ESCAPES) >= 30
    assert {code for _, code in REFUSED_ESCAPES.values()} <= CODES
    assert set(HINTS) <= set(REFUSED_ESCAPES)


@pytest.mark.parametrize("case", sorted(REFUSED_ESCAPES))
def test_row_is_valid_python(case: str) -> None:
    """A refusal must come from the language, never from a syntax error."""
    source, _ = REFUSED_ESCAPES[case]
    ast.parse(source)


@pytest.mark.parametrize(
    "case", sorted(k for k, (_, code) in REFUSED_ESCAPES.items() if code == "torch_error"))
def test_torch_refuses_the_torch_error_rows_in_plain_python(case: str) -> None:
    source, _ = REFUSED_ESCAPES[case]
    with pytest.raises((RuntimeError, TypeError)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, f"<refused {case}>", "exec"), {})


@pytest.mark.parametrize("case", sorted(REFUSED_ESCAPES))
def test_chainrule_refuses_with_the_row_code(case: str) -> None:
    source, code = REFUSED_ESCAPES[case]
    assert _refusal(source).code == code


@pytest.mark.parametrize("case", sorted(HINTS))
def test_refusal_suggests_what_to_write_instead(case: str) -> None:
    source, code = REFUSED_ESCAPES[case]
    error = _refusal(source)
    assert error.code == code
    assert HINTS[case] in error.message
