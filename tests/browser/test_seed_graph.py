"""The page runs a program on the live server and draws its real autograd graph."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from playwright.sync_api import Page, expect

TRACE_TIMEOUT_MS = 60_000  # a cold server imports torch on its first trace
SEED_STDOUT = "dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n"


def _run_and_wait(page: Page, status: str) -> None:
    """Press Run and wait until the page has settled in `status` (done or error)."""
    page.locator("#run").click()
    expect(page.locator("body")).to_have_attribute("data-status", status, timeout=TRACE_TIMEOUT_MS)


def test_seed_program_draws_its_graph_with_values_and_gradients(
    page: Page, screenshot_dir: Path, seed_source: str
) -> None:
    page.goto("/")
    expect(page.locator("#source")).to_have_value(seed_source)

    _run_and_wait(page, "done")

    nodes = page.locator("#graph g.node")
    expect(nodes).to_have_count(9)
    kinds = Counter(nodes.evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert kinds == {"leaf": 2, "constant": 2, "op": 5}
    ops = Counter(nodes.evaluate_all("els => els.map(e => e.dataset.op ?? null)"))
    assert ops == {
        "AccumulateGrad": 2,
        None: 2,
        "MulBackward0": 1,
        "AddBackward0": 1,
        "SubBackward0": 1,
        "PowBackward0": 1,
        "SumBackward0": 1,
    }
    for name, kind in [("w", "leaf"), ("b", "leaf"), ("x", "constant"), ("y", "constant")]:
        node = page.locator(f'#graph g.node[data-name="{name}"]')
        expect(node).to_have_attribute("data-kind", kind)
    expect(page.locator("#graph g.node.is-output")).to_have_attribute("data-op", "SumBackward0")

    w = page.locator('#graph g.node[data-name="w"]')
    b = page.locator('#graph g.node[data-name="b"]')
    expect(w.locator(".node-value")).to_have_text("1.0")
    expect(w.locator(".node-grad")).to_have_text("-0.56")
    expect(b.locator(".node-value")).to_have_text("0.5")
    expect(b.locator(".node-grad")).to_have_text("-0.4")

    # Edges point forward: w feeds the multiplication, and every end is a drawn node.
    edges = page.locator("#graph g.edge")
    expect(edges).to_have_count(8)
    ends = edges.evaluate_all("els => els.map(e => [e.dataset.source, e.dataset.target])")
    ids = set(nodes.evaluate_all("els => els.map(e => e.dataset.nodeId)"))
    assert all(source in ids and target in ids for source, target in ends)
    w_id = w.get_attribute("data-node-id")
    mul_id = page.locator('#graph g.node[data-op="MulBackward0"]').get_attribute("data-node-id")
    assert [w_id, mul_id] in ends

    stdout = page.locator("#stdout").text_content() or ""
    assert stdout.rstrip("\n") == SEED_STDOUT.rstrip("\n")
    expect(page.locator("#error")).to_be_hidden()

    page.screenshot(path=screenshot_dir / "seed-graph.png")


def test_a_fresh_page_whose_examples_fail_says_so_in_the_error_panel(
    page: Page, screenshot_dir: Path
) -> None:
    """The seed program comes with GET /api/v2/examples: without it the page explains."""
    traced: list[str] = []
    page.on("request", lambda r: traced.append(r.url) if r.url.endswith("/trace") else None)
    page.route("**/api/v2/examples", lambda route: route.fulfill(status=500, body="down"))
    page.goto("/")

    expect(page.locator("body")).to_have_attribute("data-status", "error")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-code")).to_have_text("seed unavailable")
    expect(page.locator("#error-message")).to_have_text(
        "No program to open: the examples could not be loaded: the server's answer is not a "
        "list of examples. Write a program and press Run, or reload the page."
    )
    expect(page.locator("#graph-message")).to_contain_text("No program to trace")
    expect(page.locator("#source")).to_have_value("")
    assert traced == []
    assert "#" not in page.url
    page.screenshot(path=screenshot_dir / "no-examples.png")


def test_unknown_name_shows_the_error_and_marks_its_line(
    page: Page, screenshot_dir: Path, seed_source: str
) -> None:
    page.goto("/")
    lines = seed_source.split("\n")
    lines[6] = "loss = (y-q).pow(2).sum()"
    broken = "\n".join(lines)
    page.locator("#source").fill(broken)

    # Ctrl+Enter in the editor runs the program, as the Run button does.
    page.locator("#source").press("Control+Enter")
    expect(page.locator("body")).to_have_attribute("data-status", "error", timeout=TRACE_TIMEOUT_MS)

    panel = page.locator("#error")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Line 7")
    expect(panel).to_contain_text("q")
    expect(page.locator('#gutter .ln[data-line="7"]')).to_have_class("ln error")
    expect(page.locator("#gutter .ln.error")).to_have_count(1)

    selection = page.locator("#source").evaluate("t => [t.selectionStart, t.selectionEnd]")
    line_start = sum(len(line) + 1 for line in lines[:6])
    assert selection == [line_start, line_start + len(lines[6])]
    expect(page.locator("#graph g.node")).to_have_count(0)

    page.screenshot(path=screenshot_dir / "unknown-name-error.png")


def test_editing_after_an_error_clears_the_line_mark(page: Page, seed_source: str) -> None:
    page.goto("/")
    page.locator("#source").fill(seed_source.replace("(y-z)", "(y-q)"))
    _run_and_wait(page, "error")
    expect(page.locator("#gutter .ln.error")).to_have_count(1)

    page.locator("#source").press("End")
    page.keyboard.type(" ")

    expect(page.locator("#gutter .ln.error")).to_have_count(0)
