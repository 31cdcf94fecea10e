"""Every Python example in the docs runs in chainrule and prints what CPython prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.oracle.in_process import run_python, run_traced

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples() -> dict[str, str]:
    found = {}
    for page in sorted(DOCS.glob("*.md")):
        for index, block in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8"))):
            found[f"{page.name}:{index}"] = block
    return found


EXAMPLES = examples()


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_a_docs_example_prints_what_cpython_prints(key: str) -> None:
    source = EXAMPLES[key]
    _, printed = run_python(source, f"<{key}>")
    assert printed, "an example shows something"
    assert run_traced(source)["stdout"] == printed
