"""Escapes that must stay refused once the language has functions, classes and the rest.

Each row of `refused_tutorial_escapes.REFUSED_ESCAPES` runs through `trace_to_json`, the
full path a program takes on the server, and must fail with the row's code, message and
place. The rows are never run by CPython, except those coded `torch_error`: torch itself
must refuse them there too, so the code is the one the oracle would give.
"""

from __future__ import annotations

import warnings

import pytest

from chainrule.errors import ChainruleError
from chainrule.pipeline import trace_to_json
from tests.language.refused_tutorial_escapes import REFUSED_ESCAPES


def _refusal(source: str) -> ChainruleError:
    with pytest.raises(ChainruleError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trace_to_json(source)
    return caught.value


@pytest.mark.parametrize(
    "case", sorted(k for k, row in REFUSED_ESCAPES.items() if row.code == "torch_error"))
def test_torch_refuses_the_torch_error_rows_in_plain_python(case: str) -> None:
    row = REFUSED_ESCAPES[case]
    with pytest.raises((RuntimeError, TypeError)) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(row.source, f"<refused {case}>", "exec"), {})  # noqa: S102 - our rows
    assert str(caught.value) == row.message


@pytest.mark.parametrize("case", sorted(REFUSED_ESCAPES))
def test_chainrule_refuses_with_the_row_error(case: str) -> None:
    row = REFUSED_ESCAPES[case]
    assert _refusal(row.source).to_dict() == {"code": row.code, "message": row.message,
                                              "line": row.line, "col": row.col}
