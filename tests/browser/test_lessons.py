"""The lessons panel: every lesson the API serves opens in the page, runs and draws, shows
its explanation and question, and each of its pauses is reached from the panel.

Parametrised over GET /api/v1/lessons: the lessons are fetched from the live server. The
lessons share one page (opened once per module), as a student moving through the list
would; a lesson link opening a fresh page is tested in test_classroom.py."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    nodes_named,
    open_page,
    pause_position,
    traced,
    wait_done,
)
from playwright.sync_api import Browser, Page, expect

LESSON_COUNT = 11


@pytest.fixture(scope="session")
def lessons(live_server: str) -> list[dict[str, Any]]:
    """The lessons as the API serves them."""
    with urllib.request.urlopen(f"{live_server}/api/v1/lessons", timeout=30) as answer:
        body: list[dict[str, Any]] = json.load(answer)
    return body


@pytest.fixture(scope="module")
def lesson_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """One page for the module's lessons, opened on the seed program."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_page(page)
    yield page
    context.close()


def test_the_api_serves_every_lesson_numbered_in_order(lessons: list[dict[str, Any]]) -> None:
    assert [lesson["number"] for lesson in lessons] == list(range(1, LESSON_COUNT + 1))


@pytest.mark.parametrize("index", range(LESSON_COUNT))
def test_a_lesson_opened_from_the_panel_runs_its_program_and_reaches_every_pause(
    lesson_page: Page, lessons: list[dict[str, Any]], index: int
) -> None:
    page = lesson_page
    lesson = lessons[index]
    if not page.locator("#lessons-panel").is_visible():
        page.locator("#lessons-toggle").click()
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator(f".lesson-link[data-lesson='{lesson['id']}']").click()
    wait_done(page)
    trace = traced(answer.value)

    expect(page.locator("#source")).to_have_value(lesson["source"])
    expect(page.locator("#lessons-panel")).to_be_visible()
    expect(page.locator("#lesson .lesson-title")).to_have_text(
        f"{lesson['number']}. {lesson['title']}"
    )
    expect(page.locator("#lesson .lesson-explanation")).to_have_text(lesson["explanation"])
    expect(page.locator("#question .lesson-prompt")).to_have_text(lesson["question"]["prompt"])
    if lesson["question"]["kind"] == "choice":
        options = page.locator("#question .question-option")
        expect(options).to_have_text(lesson["question"]["options"])
    else:
        expect(page.locator("#question-answer")).to_be_visible()
    expect(page.locator("#graph g.node").first).to_be_visible()
    assert page.locator("#graph g.node").count() >= 1
    expect(page.locator(".lesson-link[aria-current='true']")).to_have_attribute(
        "data-lesson", lesson["id"]
    )

    pauses = lesson["pauses"]
    buttons = page.locator("#lesson .lesson-pause")
    expect(buttons).to_have_text([f"{p['phase']} {p['node']}" for p in pauses])
    for k, pause in enumerate(pauses):
        target = pause_position(trace, pause)
        buttons.nth(k).click()
        expect(page.locator("body")).to_have_attribute("data-step", str(target))
        current = page.locator("#graph").get_attribute("data-current")
        assert current in nodes_named(trace, pause["node"])
        assert f"step={target}" in page.url and f"lesson={lesson['id']}" in page.url

    # "Next pause" from the end wraps round to the lesson's first pause.
    page.locator("#jump-end").click()
    page.locator("#next-pause").click()
    first = min(pause_position(trace, p) for p in pauses)
    expect(page.locator("body")).to_have_attribute("data-step", str(first))


def test_a_lesson_opens_from_the_panel_and_a_variant_loads_its_source(
    page: Page, lessons: list[dict[str, Any]]
) -> None:
    open_page(page)
    page.locator("#lessons-toggle").click()
    expect(page.locator("#lesson-list .lesson-link")).to_have_count(LESSON_COUNT)
    lesson = next(lesson for lesson in lessons if lesson["variants"])
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator(f".lesson-link[data-lesson='{lesson['id']}']").click()
    wait_done(page)
    expect(page.locator("#source")).to_have_value(lesson["source"])
    assert page.url.endswith(f"#lesson={lesson['id']}")

    variant = lesson["variants"][0]
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator(".lesson-variant").first.click()
    expect(page.locator("#source")).to_have_value(variant["source"])
    # The edited program travels in the link beside its lesson.
    assert f"lesson={lesson['id']}&src=" in page.url
