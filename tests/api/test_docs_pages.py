"""/docs and /redoc load everything from the app itself: no CDN, so they work offline."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.settings import ServerSettings

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(ServerSettings(workers=1, standby=0)))


@pytest.mark.parametrize(("page", "assets"), [
    ("/docs", ["/vendor/swagger-ui/swagger-ui.css", "/vendor/swagger-ui/favicon-32x32.png",
               "/vendor/swagger-ui/swagger-ui-bundle.js"]),
    ("/redoc", ["/vendor/swagger-ui/favicon-32x32.png", "/vendor/redoc/redoc.standalone.js"]),
])
def test_a_docs_page_loads_its_assets_from_the_app(client: TestClient, page: str,
                                                   assets: list[str]) -> None:
    reply = client.get(page)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert ASSET.findall(reply.text) == assets
    assert "//" not in "".join(ASSET.findall(reply.text))  # no scheme, no other host
    assert "fonts.googleapis.com" not in reply.text
    assert "spec-url=\"/openapi.json\"" in reply.text or "url: '/openapi.json'" in reply.text
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_docs_pages_are_not_part_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert [p for p in paths if p in ("/docs", "/redoc")] == []


def test_swagger_ui_asks_no_validator_off_the_server(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text
