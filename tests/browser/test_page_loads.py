"""The app's page is served at / and is the chainrule page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_root_serves_the_chainrule_page(page: Page, screenshot_dir: Path) -> None:
    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    expect(page).to_have_title(re.compile("chainrule", re.IGNORECASE))
    page.screenshot(path=screenshot_dir / "root.png")
