"""/docs (Swagger UI) and /redoc render with no internet: every request they make goes to
the app, and the API's routes appear."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect


def _offline(page: Page, base_url: str) -> list[str]:
    """Abort every request to another host (as with no internet); return their URLs."""
    ours = urlsplit(base_url).netloc
    elsewhere: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", route)
    return elsewhere


@pytest.mark.parametrize(("path", "shown"), [
    ("/docs", ".swagger-ui .opblock-summary-path[data-path='/api/v1/trace']"),
    ("/redoc", "h2:has-text('Run a program and return its autograd graph')"),
])
def test_a_docs_page_renders_with_no_internet(page: Page, base_url: str, path: str,
                                              shown: str) -> None:
    elsewhere = _offline(page, base_url)
    page.goto(path)
    expect(page.locator(shown).first).to_be_visible(timeout=30_000)
    assert elsewhere == []
