"""The app serves the page and what it loads, never the rest of frontend/ (node_modules,
the unit tests, npm's and eslint's files in a source tree)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.settings import ServerSettings

NOT_FOUND = {"error": {"code": "not_found", "message": "Not Found", "line": None, "col": None}}

FILES = {
    "index.html": "<!doctype html><title>page</title>",
    "css/app.css": "body { margin: 0 }",
    "js/app/main.js": "export const main = 1;",
    "vendor/d3/d3.min.js": "var d3 = {};",
    "vendor/d3/LICENSE": "ISC",
    "package.json": "{}",
    "package-lock.json": "{}",
    "eslint.config.js": "export default [];",
    "node_modules/eslint/package.json": "{}",
    "tests/model.test.mjs": "import 'node:test';",
    "scripts/refresh-vendor.sh": "#!/bin/sh",
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    # No `with`: the static files need no worker pool, so none is started.
    return TestClient(create_app(ServerSettings(workers=1), frontend_dir=tmp_path))


@pytest.mark.parametrize("path, name", [
    ("/", "index.html"), ("/index.html", "index.html"), ("/css/app.css", "css/app.css"),
    ("/js/app/main.js", "js/app/main.js"), ("/vendor/d3/d3.min.js", "vendor/d3/d3.min.js"),
    ("/vendor/d3/LICENSE", "vendor/d3/LICENSE"),
])
def test_the_page_and_what_it_loads_are_served(client: TestClient, path: str,
                                                name: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.text) == (200, FILES[name])


@pytest.mark.parametrize("path", [
    "/package.json", "/package-lock.json", "/eslint.config.js",
    "/node_modules/eslint/package.json", "/tests/model.test.mjs",
    "/scripts/refresh-vendor.sh", "/js/../package.json", "/api/v1/nothing",
])
def test_the_rest_of_the_frontend_folder_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
