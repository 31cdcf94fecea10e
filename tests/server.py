"""A real `python -m chainrule serve` in a subprocess, for tests (and benchmarks) that need
the whole stack: uvicorn, the middleware, the worker pool and its fork server.

    with serve(tmp_path, env={"CHAINRULE_WORKERS": "1"}) as server:
        urllib.request.urlopen(server.base_url + HEALTH_PATH)
        assert server.process.poll() is None
        server.log_text()  # everything the server wrote, request log lines included

Plain Python, no pytest: a server that fails to start raises ServerFailed with its output.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEALTH_PATH = "/api/v1/health"
SERVER_START_TIMEOUT_S = 90.0  # torch's import alone takes seconds on a cold, busy machine
SERVER_POLL_INTERVAL_S = 0.2
SERVER_STOP_TIMEOUT_S = 10.0
HOST = "127.0.0.1"


class ServerFailed(RuntimeError):
    """The server exited, or did not answer its health check in time; the message has its
    output."""


@dataclass(frozen=True)
class Reply:
    """An HTTP response as received: header names lower-cased, the body as bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class LiveServer:
    """A running server: its URL, its process and the file its output goes to."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """The request log: the JSON lines of the server's output."""
        return [json.loads(line) for line in self.log_text().splitlines()
                if line.startswith("{")]

    def wait_for_record(self, match: Callable[[dict[str, Any]], bool],
                        limit_s: float = 5.0) -> dict[str, Any]:
        """The first log record `match` accepts. The line is written just after the
        response is sent, so it may lag the reply by a moment: poll up to `limit_s`."""
        deadline = time.monotonic() + limit_s
        while True:
            found = [record for record in self.log_records() if match(record)]
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(found) == 1, f"{len(found)} log records match"
        return found[0]

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, timeout_s: float = 30.0,
                source_address: str | None = None) -> Reply:
        """One request on a new connection, bytes exactly as given (no JSON encoding).

        `source_address` sends it from another loopback address (127.0.0.2, ...), which
        the rate limiter counts as another client.
        """
        connection = http.client.HTTPConnection(
            HOST, self.port, timeout=timeout_s,
            source_address=(source_address, 0) if source_address else None)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Reply(response.status,
                         {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def is_healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + HEALTH_PATH, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn shuts down and stops its workers), SIGKILL if that takes too long."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serve(log_dir: Path, env: Mapping[str, str] | None = None,
          start_timeout_s: float = SERVER_START_TIMEOUT_S) -> Iterator[LiveServer]:
    """Start a server on a free loopback port, wait until it answers, stop it on exit.

    `env` adds environment variables (CHAINRULE_WORKERS, ...; see settings.OPTIONS).
    """
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    log_path = log_dir / "server.log"
    command = [sys.executable, "-m", "chainrule", "serve", "--host", HOST, "--port", str(port)]
    with log_path.open("wb") as log:
        # The output goes to a file, not a pipe, so a chatty server can never block on it.
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    server = LiveServer(base_url, process, log_path)
    try:
        deadline = time.monotonic() + start_timeout_s
        while not is_healthy(base_url):
            if process.poll() is not None:
                raise ServerFailed(
                    f"chainrule server exited with code {process.returncode} before answering "
                    f"{HEALTH_PATH}; its output:\n{server.log_text()}")
            if time.monotonic() > deadline:
                raise ServerFailed(
                    f"chainrule server did not answer {base_url}{HEALTH_PATH} within "
                    f"{start_timeout_s:.0f} s; its output:\n{server.log_text()}")
            time.sleep(SERVER_POLL_INTERVAL_S)
        yield server
    finally:
        stop(process)
