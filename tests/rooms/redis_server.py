"""A real redis-server (Debian's package) on a free loopback port, for the tests of the
Redis store and of rooms across instances; nothing kept on disk."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.server import HOST, free_port, stop

START_WAIT_S = 10.0  # a safety net for redis-server to answer PING


def redis_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if found is None:
        pytest.fail("redis-server is not installed: test.sh installs Debian's redis-server "
                    "as root (scripts/ensure-debian-tool.sh)")
    return found


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """redis-server on loopback, no snapshots and no append-only file: its URL, once it
    answers PING."""
    port = free_port()
    log = (folder / "redis.log").open("wb")
    process = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", HOST, "--save", "",
         "--appendonly", "no", "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_WAIT_S
        while not _answers_ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: "
                                   + (folder / "redis.log").read_text(errors="replace"))
            time.sleep(0.05)
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop(process)
        log.close()
