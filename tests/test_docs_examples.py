"""Every Python example in the docs runs in chainrule and prints what CPython prints."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest
import torch

from chainrule.runner import trace_to_json
from tests.conftest import strict_loads
from tests.language.test_tutorials import _plotting_stand_in

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples() -> dict[str, str]:
    found = {}
    for page in sorted(DOCS.glob("*.md")):
        for index, block in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8"))):
            found[f"{page.name}:{index}"] = block
    return found


EXAMPLES = examples()


def test_the_language_page_has_its_tutorial_examples() -> None:
    assert sum(key.startswith("language.md") for key in EXAMPLES) >= 5


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_a_docs_example_prints_what_cpython_prints(key: str) -> None:
    source = EXAMPLES[key]
    torch.manual_seed(0)
    out = io.StringIO()
    with _plotting_stand_in(), warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        exec(compile(source, f"<{key}>", "exec"), {"__name__": "docs"})  # noqa: S102
    body = strict_loads(trace_to_json(source))
    assert body["stdout"] == out.getvalue()
    assert body["stdout"], "an example shows something"
