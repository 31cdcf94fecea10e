"""Fixtures for the Playwright browser tests: a live server and a Chromium to drive it.

- `live_server` (session): base URL of a real `python -m chainrule serve` on a free port.
- `base_url` (session): the same URL, so `page.goto("/")` reaches the live server.
- `browser_type_launch_args` (session): pytest-playwright's launch options, pointed at
  $CHROMIUM_PATH (else /usr/bin/chromium), headless; fails the tests if there is none.
- `screenshot_dir`: an existing folder for this test's screenshots under test-results/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HEALTH_PATH = "/api/v1/health"
SERVER_START_TIMEOUT_S = 60.0  # torch's import alone takes seconds on a cold machine
SERVER_POLL_INTERVAL_S = 0.2
SERVER_STOP_TIMEOUT_S = 10.0
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _is_healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + HEALTH_PATH, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app from a subprocess for the whole session; yield its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("live_server") / "server.log"
    command = [sys.executable, "-m", "chainrule", "serve", "--host", "127.0.0.1"]
    with log_path.open("wb") as log:
        # The log goes to a file, not a pipe, so a chatty server can never block on it.
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _is_healthy(base_url):
            if server.poll() is not None:
                pytest.fail(
                    f"chainrule server exited with code {server.returncode} before answering "
                    f"{HEALTH_PATH}; its output:\n{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"chainrule server did not answer {base_url}{HEALTH_PATH} within "
                    f"{SERVER_START_TIMEOUT_S:.0f} s; its output:\n"
                    f"{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(SERVER_POLL_INTERVAL_S)
        yield base_url
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base URL for relative `page.goto` paths: the live server.

    Defining it here also replaces the plugin's own `base_url`, a session fixture on a
    class instance that pytest 9 warns about (and the warnings-as-errors setting fails).
    """
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium headless; a missing browser fails the tests, never skips."""
    executable = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(
            f"no Chromium at {executable!r}: set CHROMIUM_PATH to a Chromium executable "
            "or run ./test.sh, which finds or installs one",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def screenshot_dir(output_path: str) -> Path:
    """This test's own artifact folder under test-results/ (pytest-playwright's --output)."""
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
