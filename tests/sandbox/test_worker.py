"""The worker's own helpers: waiting for finished trace threads to leave the OS.

The cases run in a new Python process whose only threads are those it starts, so its OS
thread count is exact (this process holds threads earlier tests may still be ending).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chainrule.sandbox.worker import wait_for_threads

ROOT = Path(__file__).resolve().parents[2]


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def straggler_case() -> dict[str, object]:
    """A thread still running when the wait starts, released a moment later by a timer
    (a thread too): what wait_for_threads returns, and whether both had gone by then."""
    before = _threads()
    release = threading.Event()
    straggler = threading.Thread(target=release.wait)
    straggler.start()
    timer = threading.Timer(0.2, release.set)
    timer.start()
    returned = wait_for_threads(before, limit_s=60.0)
    gone = not straggler.is_alive() and not timer.is_alive()
    release.set()
    straggler.join()
    return {"before": before, "returned": returned, "released": release.is_set(),
            "gone": gone}


def keeper_case() -> dict[str, object]:
    """A thread that stays past the wait's limit: what wait_for_threads returns, and
    whether the thread was still there."""
    before = _threads()
    release = threading.Event()
    keeper = threading.Thread(target=release.wait)
    keeper.start()
    returned = wait_for_threads(before, limit_s=0.1)
    alive = keeper.is_alive()
    release.set()
    keeper.join()
    return {"before": before, "returned": returned, "alive": alive}


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, object]]:
    """Both cases' results, from one new process."""
    script = ("import json\nfrom tests.sandbox.test_worker import keeper_case, straggler_case\n"
              "print(json.dumps({'straggler': straggler_case(), 'keeper': keeper_case()}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_wait_for_threads_returns_once_a_straggler_has_exited(
        cases: dict[str, dict[str, object]]) -> None:
    before = cases["straggler"]["before"]
    assert cases["straggler"] == {"before": before, "returned": before, "released": True,
                                  "gone": True}


def test_wait_for_threads_gives_up_at_its_limit_and_reports_the_count(
        cases: dict[str, dict[str, object]]) -> None:
    before = cases["keeper"]["before"]
    assert isinstance(before, int)
    assert cases["keeper"] == {"before": before, "returned": before + 1, "alive": True}
