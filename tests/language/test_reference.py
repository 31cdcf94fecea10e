"""docs/language.md's reference section is the allowlist tables, written out."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from chainrule.language.members import METHOD_TWINS, method_entry
from chainrule.language.reference import BEGIN, END, markdown, rewrite
from chainrule.language.tables import TORCH, TORCH_FUNCTION_NAMES

LANGUAGE_MD = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def test_language_md_holds_the_reference_generated_from_the_tables() -> None:
    document = LANGUAGE_MD.read_text(encoding="utf-8")
    assert rewrite(document) == document, (
        "docs/language.md is stale: run `python -m chainrule.language.reference docs/language.md`")
    section = document[document.index(BEGIN):document.index(END)]
    assert markdown() in section


def test_every_torch_function_with_a_tensor_method_is_callable_both_ways() -> None:
    x = torch.ones(2)
    twins = [n for n in TORCH_FUNCTION_NAMES if hasattr(torch.Tensor, n)]
    assert list(METHOD_TWINS) == twins
    for name in twins:
        assert name in TORCH.members
        assert method_entry(x, name) is not None, name


@pytest.mark.parametrize("name", ["det", "asin", "atan2", "cumprod", "median", "bmm", "inner",
                                  "inverse", "kron", "roll", "fmod", "remainder", "trunc",
                                  "frac", "sinh", "cosh", "acos", "atan", "addmm", "unbind"])
def test_the_method_forms_issue_12_found_refused_are_in_the_docs(name: str) -> None:
    assert f"`{name}`" in markdown().split("also `x.f()`")[1]
    assert method_entry(torch.ones(1), name) is not None
