"""The students' link /r/CODE: a redirect to the page with the room's code, normalised, in
the hash; a string that cannot be a code is the API's JSON 404. No room is looked up."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from chainrule.api.roomlink import NOT_A_CODE
from chainrule.app import create_app
from chainrule.settings import ServerSettings

NOT_A_ROOM = {"error": {"code": "room_not_found", "message": NOT_A_CODE, "line": None,
                        "col": None}}


@pytest.fixture(scope="module")
def client() -> TestClient:
    # No `with`: a redirect needs no worker pool, so none is started.
    return TestClient(create_app(ServerSettings(workers=1)), follow_redirects=False)


@pytest.mark.parametrize(("path", "location"), [
    ("/r/7QK3M9TBXD", "../#room=7QK3M9TBXD"),
    ("/r/7qk3-m9tbxd", "../#room=7QK3M9TBXD"),
    ("/r/7QK3%20M9TBXD", "../#room=7QK3M9TBXD"),
    ("/r/oil0-OIL0-xx", "../#room=01100110XX"),
    ("/r/7qk3-m9tbxd/", "../../#room=7QK3M9TBXD"),
])
def test_a_room_link_sends_the_browser_to_the_page_with_the_code_in_the_hash(
        client: TestClient, path: str, location: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.headers["location"]) == (303, location)


def test_a_room_link_answers_head_the_same(client: TestClient) -> None:
    response = client.head("/r/7qk3-m9tbxd")
    assert (response.status_code, response.headers["location"]) == (303, "../#room=7QK3M9TBXD")


@pytest.mark.parametrize(("prefix", "path"), [
    ("", "/r/7qk3-m9tbxd"), ("", "/r/7qk3-m9tbxd/"),
    ("/chainrule", "/r/7qk3-m9tbxd"), ("/chainrule", "/r/7qk3-m9tbxd/"),
])
def test_the_location_resolves_to_the_page_at_the_root_and_under_a_prefix(
        client: TestClient, prefix: str, path: str) -> None:
    # Behind a proxy that strips `prefix`, the browser resolves Location against its own URL.
    location = client.get(path).headers["location"]
    assert urljoin(f"http://host{prefix}{path}", location) == (
        f"http://host{prefix}/#room=7QK3M9TBXD")


def test_a_room_that_does_not_exist_is_still_sent_to_the_page(client: TestClient) -> None:
    # No room was created in this app: the page, not the link, says the room is not live.
    assert client.get("/r/0000000000").status_code == 303


@pytest.mark.parametrize("path", [
    "/r/7QK3M9TBX", "/r/7QK3M9TBXDD", "/r/7QK3M9TBXU", "/r/7QK3M9TBX_", "/r/7QK3M9TBX%C3%A9",
])
def test_a_string_that_cannot_be_a_code_is_the_api_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == NOT_A_ROOM
    assert "location" not in response.headers


def test_a_room_link_takes_only_get_and_head(client: TestClient) -> None:
    response = client.post("/r/7QK3M9TBXD")
    allow = sorted(response.headers["allow"].split(", "))  # starlette's order is a set's
    assert (response.status_code, allow) == (405, ["GET", "HEAD"])
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_room_link_is_not_part_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert [p for p in paths if p.startswith("/r/")] == []
