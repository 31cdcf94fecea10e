"""The README shows every screenshot scripts/make-screens.py takes, and each is there."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_screens",
                                                  ROOT / "scripts" / "make-screens.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_the_readme_links_every_view_at_every_size_and_each_file_exists() -> None:
    script = _script()
    taken = {f"docs/screens/{v.name}-{size}.png" for v in script.VIEWS for size in script.SIZES}
    linked = set(re.findall(r"\(\s*(docs/screens/[\w-]+\.png)\s*\)",
                            (ROOT / "README.md").read_text(encoding="utf-8")))
    assert linked == taken
    assert sorted(p for p in taken if not (ROOT / p).is_file()) == []
    on_disk = {f"docs/screens/{p.name}" for p in (ROOT / "docs" / "screens").glob("*.png")}
    assert on_disk == taken  # no screenshot of a view that is gone
