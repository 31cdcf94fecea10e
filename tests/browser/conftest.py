"""Fixtures for the Playwright browser tests: a live server and a Chromium to drive it.

- `live_server` (session): base URL of a real `python -m chainrule serve` on a free port.
- `base_url` (session): the same URL, so `page.goto("/")` reaches the live server.
- `browser_type_launch_args` (session): pytest-playwright's launch options, pointed at
  $CHROMIUM_PATH (else /usr/bin/chromium), headless; fails the tests if there is none.
- `screenshot_dir`: an existing folder for this test's screenshots under test-results/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.server import ServerFailed, serve

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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app from a subprocess for the whole session; yield its base URL."""
    try:
        with serve(tmp_path_factory.mktemp("live_server")) as server:
            yield server.base_url
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)


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
