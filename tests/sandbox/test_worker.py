"""The worker's own helpers: waiting for finished trace threads to leave the OS."""

from __future__ import annotations

import os
import threading
import time

from chainrule.sandbox.worker import wait_for_threads


def settled_threads() -> int:
    """The process's OS thread count once it has held still for 0.1 s (threads that
    earlier tests finished may still be leaving)."""
    count = len(os.listdir("/proc/self/task"))
    while True:
        time.sleep(0.1)
        now = len(os.listdir("/proc/self/task"))
        if now == count:
            return count
        count = now


def test_wait_for_threads_returns_once_a_straggler_has_exited() -> None:
    before = settled_threads()
    release = threading.Event()
    straggler = threading.Thread(target=lambda: release.wait(10), daemon=True)
    straggler.start()
    try:
        timer = threading.Timer(0.2, release.set)  # the timer is a thread too, gone by then
        timer.daemon = True
        timer.start()
        started = time.monotonic()
        assert wait_for_threads(before, limit_s=5.0) == before
        assert 0.15 <= time.monotonic() - started < 5.0
    finally:
        release.set()
        straggler.join()


def test_wait_for_threads_gives_up_at_its_limit_and_reports_the_count() -> None:
    before = settled_threads()
    release = threading.Event()
    keeper = threading.Thread(target=lambda: release.wait(10), daemon=True)
    keeper.start()
    try:
        started = time.monotonic()
        assert wait_for_threads(before, limit_s=0.1) == before + 1
        assert time.monotonic() - started >= 0.1
    finally:
        release.set()
        keeper.join()
