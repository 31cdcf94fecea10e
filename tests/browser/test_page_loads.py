"""The app's page is served at / and is the chainrule page; its test entry point only
when it is opened for tests."""

from __future__ import annotations

import re
from pathlib import Path

from pages import open_page
from playwright.sync_api import Page, expect


def test_root_serves_the_chainrule_page(page: Page, screenshot_dir: Path) -> None:
    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    expect(page).to_have_title(re.compile("chainrule", re.IGNORECASE))
    page.screenshot(path=screenshot_dir / "root.png")


def test_the_test_entry_point_exists_only_on_a_page_opened_for_tests(page: Page) -> None:
    open_page(page)
    assert page.evaluate("'__chainruleTest' in window") is False
    open_page(page, "/?testing")
    assert page.evaluate("Object.keys(window.__chainruleTest).sort()") == [
        "frameCosts",
        "releaseElk",
    ]
