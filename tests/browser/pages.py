"""Helpers the browser tests share: open the page and wait for its trace, open an example
or a program's share link, move the step player. Each returns or checks what the page
shows, never sleeps blindly."""

from __future__ import annotations

import base64
from typing import Any

import torch
from playwright.sync_api import Page, Response, expect
from tests.wire import from_v2

from chainrule.settings import PROGRAM_SEED

TRACE_TIMEOUT_MS = 60_000  # a cold server imports torch on its first trace
TRACE_ROUTE = "**/api/v2/trace"


def traced(response: Response) -> dict[str, Any]:
    """The trace a page received (API v2), in v1's shape: each tensor in its places."""
    return from_v2(response.json())


def open_page(page: Page, path: str = "/") -> dict[str, Any]:
    """Go to `path`, wait until the page has drawn its first trace; return that trace."""
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.goto(path)
    wait_done(page)
    return traced(answer.value)


def program_path(source: str) -> str:
    """The page's path with a share link to `source` (base64url of its UTF-8, as
    state.toHash writes it): opening it runs the program."""
    encoded = base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")
    return f"/#src={encoded}"


def wait_done(page: Page, status: str = "done") -> None:
    expect(page.locator("body")).to_have_attribute("data-status", status, timeout=TRACE_TIMEOUT_MS)


def open_example(page: Page, example_id: str) -> dict[str, Any]:
    """Pick an example from the menu; return the trace the page received for it."""
    expect(page.locator(f'#examples option[value="{example_id}"]')).to_have_count(1)
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#examples").select_option(example_id)
    wait_done(page)
    return traced(answer.value)


def position(page: Page) -> int:
    """The timeline position the page shows."""
    return int(page.locator("body").get_attribute("data-step") or "-1")


def expect_position(page: Page, value: int) -> None:
    expect(page.locator("body")).to_have_attribute("data-step", str(value))


def go_to(page: Page, value: int) -> None:
    """Move the scrubber to a position (no animation)."""
    page.locator("#scrubber").fill(str(value))
    expect_position(page, value)


def node_id(trace: dict[str, Any], name: str) -> str:
    """The id of the node bound to `name`."""
    ids = [n["id"] for n in trace["nodes"] if n["name"] == name]
    assert len(ids) == 1, f"{len(ids)} nodes named {name}"
    return str(ids[0])


def backward_position(trace: dict[str, Any], node: str, phase: int = 0) -> int:
    """The timeline position of `node`'s backward step in `phase`."""
    forward = len(trace["steps"]["forward"])
    for k, step in enumerate(trace["steps"]["backward"]):
        if step["node"] == node and step["phase"] == phase:
            return forward + k
    raise AssertionError(f"no backward step of {node} in phase {phase}")


def card_lines(page: Page) -> list[str]:
    """The plain-text twins of the chain-rule card's formula lines."""
    lines: list[str] = page.locator("#stepcard .stepcard-line").evaluate_all(
        "els => els.map(e => e.dataset.text)"
    )
    return lines


def nodes_named(trace: dict[str, Any], name: str) -> set[str]:
    """Ids of the nodes a lesson names: by variable name, else by grad_fn op name."""
    named = {n["id"] for n in trace["nodes"] if n["name"] == name}
    return named or {n["id"] for n in trace["nodes"] if n["op"] == name}


def pause_position(trace: dict[str, Any], pause: dict[str, str]) -> int:
    """The timeline position of a lesson's pause: its node's first step in that phase."""
    ids = nodes_named(trace, pause["node"])
    forward = trace["steps"]["forward"]
    if pause["phase"] == "forward":
        return next(k for k, s in enumerate(forward) if s["node"] in ids)
    backward = trace["steps"]["backward"]
    return len(forward) + next(k for k, s in enumerate(backward) if s["node"] in ids)


def in_torch(source: str) -> dict[str, Any]:
    """The program run by plain torch, seeded as the server seeds it: its names after it."""
    torch.manual_seed(PROGRAM_SEED)
    names: dict[str, Any] = {}
    exec(compile(source, "<program>", "exec"), names)  # noqa: S102 - the test's own program
    return names


def losses_in_torch(source: str) -> list[float]:
    """Every loss the program's loop computed, as loss.item() (its loop rewritten to keep them)."""
    keeping = source.replace("    loss.backward()\n",
                             "    loss.backward()\n    kept.append(loss.item())\n")
    return list(in_torch("kept = []\n" + keeping)["kept"])
