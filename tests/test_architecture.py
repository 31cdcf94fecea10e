"""The backend's layers import only what docs/architecture.md says they may.

The table under "backend/chainrule" names each part of the package (a folder or a
top-level module) and what it may import: other parts, and packages beyond the standard
library. Every import of every module, also those inside functions, is checked against it.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backend" / "chainrule"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _table() -> dict[str, set[str]]:
    """Part -> what it may import, from the docs' table whose header is `| part |`."""
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    header = lines.index("| part | what lives there | may import |")
    allowed: dict[str, set[str]] = {}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        part, _job, may = (cell.strip() for cell in line.strip("|").split("|"))
        (name,) = re.findall(r"`([^`]+)`", part)
        allowed[name] = set(re.findall(r"`([^`]+)`", may))
    return allowed


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return f"{relative.parts[0]}/" if len(relative.parts) > 1 else relative.name


def _imports(path: Path) -> set[str]:
    """What a module imports: `trace/`, `settings.py` for chainrule's parts, else the
    top-level package name."""
    package = list(path.relative_to(PACKAGE).parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = ["chainrule", *package[: len(package) - node.level + 1]]
            names = (["/".join([*base, node.module])] if node.module
                     else ["/".join([*base, alias.name]) for alias in node.names])
            names = [name.replace("/", ".") for name in names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.module == "chainrule":
                names = [f"chainrule.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "chainrule":
                found.add(parts[0])
            elif len(parts) > 1:
                found.add(f"{parts[1]}/" if (PACKAGE / parts[1]).is_dir() else f"{parts[1]}.py")
    return found


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"
                  or path.parent != PACKAGE)


def test_the_table_names_every_part_of_the_package() -> None:
    parts = {_part(path) for path in _modules()}
    assert sorted(parts) == sorted(_table())


def test_every_module_imports_only_what_its_part_may() -> None:
    allowed = _table()
    standard = set(sys.stdlib_module_names) | {"__future__"}
    wrong = sorted(f"{path.relative_to(PACKAGE)} imports {name}"
                   for path in _modules()
                   for name in _imports(path) - standard
                   if name != _part(path) and name not in allowed[_part(path)])
    assert wrong == []


def test_the_check_sees_imports_inside_functions() -> None:
    """contract.py imports the app inside a function; the checker must see it."""
    assert _imports(PACKAGE / "contract.py") >= {"app.py", "settings.py"}


def test_language_and_trace_know_nothing_of_http_or_each_other() -> None:
    allowed = _table()
    assert not allowed["language/"] & {"trace/", "api/", "sandbox/", "fastapi"}
    assert not allowed["trace/"] & {"language/", "api/", "sandbox/", "fastapi"}
