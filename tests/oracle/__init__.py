"""Plain CPython + torch, run in a process of its own, as the oracle for what chainrule shows."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.conftest import as_tensor

SCRIPT = Path(__file__).resolve().parent / "plain_torch.py"


def run_plain(programs: dict[str, str], roots: dict[str, str | None] | None = None
              ) -> dict[str, dict[str, Any]]:
    """Each program's record from plain_torch.py, all run by one new Python process."""
    return start_plain(programs, roots)()


def start_plain(programs: dict[str, str], roots: dict[str, str | None] | None = None
                ) -> Callable[[], dict[str, dict[str, Any]]]:
    """Start plain_torch.py on the programs; the returned function waits for its records
    (the caller's own work runs meanwhile, on the machine's other core)."""
    requests = [{"id": key, "source": source, "root": (roots or {}).get(key)}
                for key, source in programs.items()]
    done: list[subprocess.CompletedProcess[str]] = []
    runner = threading.Thread(target=lambda: done.append(subprocess.run(
        [sys.executable, str(SCRIPT)], input=json.dumps(requests), capture_output=True,
        text=True, check=False)))
    runner.start()

    def wait() -> dict[str, dict[str, Any]]:
        runner.join()
        result = done[0]
        if result.returncode != 0:
            raise RuntimeError(f"plain_torch.py failed ({result.returncode}):\n{result.stderr}")
        return json.loads(result.stdout)  # type: ignore[no-any-return]
    return wait


def same(ours: dict[str, Any] | None, theirs: dict[str, Any] | None, what: str) -> None:
    """The tensor chainrule wrote is the one torch delivered: dtype, shape and every bit."""
    if ours is None or theirs is None:
        assert ours is None and theirs is None, f"{what}: {ours} != {theirs}"
        return
    assert (ours["dtype"], ours["shape"]) == (theirs["dtype"], theirs["shape"]), what
    expected = as_tensor(theirs)
    if ours["data"] is None:  # summarised: its statistics are the tensor's own
        low, high = float(expected.double().min()), float(expected.double().max())
        assert (float(ours["summary"]["min"]), float(ours["summary"]["max"])) == \
            (pytest.approx(low, rel=1e-6), pytest.approx(high, rel=1e-6)), what
        return
    shown = as_tensor(ours)
    assert torch.equal(shown, expected) or (
        torch.equal(shown.isnan(), expected.isnan())
        and torch.equal(shown.nan_to_num(), expected.nan_to_num())), what
