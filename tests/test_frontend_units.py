"""The frontend's pure modules (format, model, layout, ...) pass their node:test unit tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
TIMEOUT_SECONDS = 120


def test_frontend_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the frontend unit tests need node >= 20 on PATH")
    files = sorted(str(p.relative_to(FRONTEND)) for p in (FRONTEND / "tests").glob("*.test.mjs"))
    assert files, "no frontend/tests/*.test.mjs files found"
    result = subprocess.run(
        [node, "--test", *files],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"node --test failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
