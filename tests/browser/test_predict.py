"""Predict, then reveal: a run opens at the start of the forward pass; in predict mode each
step asks for the number it works out (a forward step: the value from its inputs; a
backward step: the upstream gradient times the local derivative, or the sum of the parts)
and nothing on the page shows that number before it is answered: not the graph's cards
or tooltips, the step card, the narration, the steps table, the inspector, the readout,
nor the program's output. A wrong answer gets a hint and a second try; "Reveal" gives up;
a running score counts. A lesson's open question conceals its answer the same way.

Every number is torch's, taken from the trace the page itself received."""

from __future__ import annotations

import json
import re
from typing import Any

from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    card_lines,
    expect_position,
    go_to,
    open_page,
    program_path,
    traced,
    wait_done,
)
from playwright.sync_api import Page, expect

SQUARE = "import torch\na = torch.tensor(2.0, requires_grad=True)\n(a * a).backward()\n"

# Everything the page shows as text: the body's rendered text (cards, panels, the steps
# table, KaTeX), every SVG <text> and every SVG <title> (the tooltips), rendered or not.
PAGE_TEXT = """() => [
  document.body.innerText,
  ...[...document.querySelectorAll('svg text, svg title')].map((t) => t.textContent),
].join('\\n')"""


def first(tensor: dict[str, Any] | None) -> float | None:
    """A tensor's first element, as the trace sent it."""
    data = tensor["data"] if tensor else None
    while isinstance(data, list):
        data = data[0]
    return None if data is None else float(data)


def asked_numbers(trace: dict[str, Any]) -> dict[int, float]:
    """Position -> the number its step asks for: an op's value at a forward step that reads
    inputs; the gradient arriving at a backward step that received parts from its
    consumers (not the seed, where backward() starts with 1)."""
    forward = trace["steps"]["forward"]
    nodes = {n["id"]: n for n in trace["nodes"]}
    asked: dict[int, float] = {}
    for k, step in enumerate(forward):
        node = nodes[step["node"]]
        if node["kind"] == "op" and step["edges"]:
            value = first(node["value"])
            assert value is not None
            asked[k] = value
    received: set[str] = set()  # nodes some backward step has sent a gradient to
    for k, step in enumerate(trace["steps"]["backward"]):
        if step["node"] in received:
            grad = first(step["grad"])
            assert grad is not None
            asked[len(forward) + k] = grad
        for e, sent in zip(step["edges"], step["sends"], strict=True):
            if sent is not None:
                received.add(trace["edges"][e]["source"])
    return asked


def given_numbers(trace: dict[str, Any], position: int) -> list[float]:
    """Every number the page may show at `position` with its question open: every value
    computed before it and the inputs; at a backward step also the gradients of the steps
    before it and every local derivative (what the student works from)."""
    forward = trace["steps"]["forward"]
    nodes = {n["id"]: n for n in trace["nodes"]}
    shown_values = [n for n in trace["nodes"] if n["kind"] != "op"]
    shown_values += [nodes[s["node"]] for s in forward[: min(position, len(forward))]]
    numbers = [first(n["value"]) for n in shown_values]
    if position >= len(forward):
        numbers += [first(s["grad"]) for s in trace["steps"]["backward"][: position - len(forward)]]
        numbers += [first(e["local"]) for e in trace["edges"]]
    return [x for x in numbers if x is not None]


def page_format(page: Page, x: float) -> str:
    """`x` as the page writes numbers (core/format.js)."""
    text: str = page.evaluate("x => import('/js/core/format.js').then((m) => m.formatNumber(x))", x)
    return text


def shows(text: str, number: str) -> bool:
    """Does `text` show `number` as a number of its own (with its sign, in either minus)?"""
    digits = re.escape(number.lstrip("-"))
    sign = "[-−]" if number.startswith("-") else "(?<![-−])"
    return re.search(rf"(?<![\d.]){sign}{digits}(?![\d])", text) is not None


def the_forms(page: Page, x: float) -> list[str]:
    """How `x` could appear: as the page writes it, as the trace's JSON carries it, and
    as print() writes a torch tensor (4 decimals)."""
    return list(dict.fromkeys([page_format(page, x), json.dumps(x), f"{x:.4f}"]))


def turn_predict_on(page: Page) -> None:
    page.locator("#predict-toggle").click()
    expect(page.locator("#predict-toggle")).to_have_attribute("aria-pressed", "true")


def look_at(page: Page, node: str) -> None:
    """Hover the node (its tooltip and readout) and select it (the inspector)."""
    card = page.locator(f'#graph g.node[data-node-id="{node}"] rect.card')
    card.dispatch_event("pointerover")
    expect(page.locator("#readout")).to_be_visible()
    card.dispatch_event("click")
    expect(page.locator("#inspector")).to_have_attribute("data-node", node)


def test_a_run_opens_at_the_start_of_the_forward_pass(page: Page) -> None:
    trace = open_page(page)
    expect_position(page, 0)
    forward = len(trace["steps"]["forward"])
    expect(page.locator("#stepcard")).to_contain_text(f"Forward step 1 of {forward}")
    # A share link without a step opens at the start too.
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.goto(program_path(SQUARE))
    wait_done(page)
    expect_position(page, 0)


def test_predict_mode_walks_the_seed_program_never_showing_the_number_asked(page: Page) -> None:
    trace = open_page(page)
    forward = len(trace["steps"]["forward"])
    end = forward + len(trace["steps"]["backward"])
    asked = asked_numbers(trace)
    steps = trace["steps"]["forward"] + trace["steps"]["backward"]
    page.locator("#tab-steps").click()  # the steps as text, shown throughout
    turn_predict_on(page)
    expect_position(page, 0)

    strict: list[int] = []  # positions whose number is shown by nothing the student works from
    for p in range(end):
        if p:
            page.locator("#step-next").click()
        expect_position(page, p)
        if p not in asked:
            expect(page.locator("#predict .predict-ask")).to_be_hidden()
            continue
        expect(page.locator("#predict .predict-ask")).to_be_visible()
        node = steps[p]["node"]
        look_at(page, node)
        given = {page_format(page, x) for x in given_numbers(trace, p)}
        forms = [form for form in the_forms(page, asked[p]) if form not in given]
        text = page.evaluate(PAGE_TEXT)
        for form in forms:
            assert not shows(text, form), f"step {p} shows {form} before it is answered"
        if page_format(page, asked[p]) not in given:
            strict.append(p)
        # The node and the card say "?" where the number will be.
        assert card_lines(page)[-1 if p < forward else 0].endswith("= ?")
        torch_says = page_format(page, asked[p])
        page.locator("#predict-input").fill(torch_says)
        page.locator("#predict-submit").click()
        expect(page.locator("#predict-verdict")).to_have_text(
            f"✓ Right: {float(torch_says):g} (torch: {torch_says})"
        )
        # Answered, the number is shown.
        assert any(line.endswith(f"= {torch_says}") for line in card_lines(page))

    # w*x = 1.4 is x, the loss equals the square, ∂loss/∂square = 1.0 is the seed, ∂/∂(y-z)
    # = 0.4 is the square's local derivative, b and w*x receive z's: the rest never showed.
    assert strict == [5, 6, 7, forward + 3, forward + 6]
    assert [page_format(page, asked[p]) for p in strict] == ["1.9", "0.2", "0.04", "-0.4", "-0.56"]
    expect(page.locator("#predict-score")).to_have_text(f"{len(asked)} / {len(asked)} right")
    # Everything answered: the output is shown.
    page.locator("#tab-output").click()
    expect(page.locator("#stdout")).to_have_text(trace["stdout"])


def test_a_wrong_answer_gets_a_hint_then_a_second_try(page: Page) -> None:
    open_page(page)
    turn_predict_on(page)
    page.locator("#jump-end").click()
    expect_position(page, 4)  # no further than the first step owed: w*x
    page.locator("#predict-input").fill("1.4")
    page.locator("#predict-submit").click()
    expect(page.locator("#predict-verdict")).to_have_text("✓ Right: 1.4 (torch: 1.4)")

    page.locator("#step-next").click()
    expect_position(page, 5)  # z = w*x + b
    page.locator("#predict-input").fill("1.8")
    page.locator("#predict-submit").click()
    hint = page.locator("#predict-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Not 1.8")
    expect(hint).to_contain_text("= 1.4 + 0.5")  # the formula with the numbers filled in
    expect(page.locator("#predict-verdict")).to_be_hidden()
    assert card_lines(page)[-1].endswith("= ?")  # still concealed for the second try
    expect(page.locator("#predict-input")).to_have_value("")

    page.locator("#predict-input").fill("2.0")
    page.keyboard.press("Enter")
    expect(page.locator("#predict-verdict")).to_have_text("✗ Not quite: you said 2; torch says 1.9")
    expect(page.locator("#predict-verdict")).to_have_class("verdict is-wrong")
    expect(hint).to_be_hidden()
    assert card_lines(page)[-1].endswith("= 1.9")
    expect(page.locator("#predict-score")).to_have_text("1 / 2 right")


def test_reveal_gives_up_and_shows_torchs_number(page: Page) -> None:
    trace = open_page(page)
    forward = len(trace["steps"]["forward"])
    turn_predict_on(page)
    # Reveal every step up to w's gradient, the last one.
    at_w = forward + len(trace["steps"]["backward"]) - 1
    while True:
        page.locator("#jump-end").click()
        if page.locator("body").get_attribute("data-step") == str(at_w):
            break
        page.locator("#predict-reveal").click()
        expect(page.locator("#predict-verdict")).to_contain_text("Revealed: torch says")
    expect(page.locator("#predict-label")).to_have_text(
        "What is ∂loss/∂w? Work it out, then check."
    )
    lines = card_lines(page)
    assert lines[0].endswith("= (-0.4)(1.4) = ?"), lines
    page.locator("#predict-input").fill("-0.4")
    page.locator("#predict-submit").click()
    expect(page.locator("#predict-hint")).to_contain_text("(-0.4) × 1.4")
    page.locator("#predict-reveal").click()
    expect(page.locator("#predict-verdict")).to_have_text("Revealed: torch says -0.56")
    assert "w.grad = -0.56" in card_lines(page)
    revealed = len(asked_numbers(trace))
    expect(page.locator("#predict-score")).to_have_text(f"0 / {revealed} right")


def test_turning_predict_on_rewinds_to_the_first_step_still_owed(page: Page) -> None:
    trace = open_page(page)
    end = len(trace["steps"]["forward"]) + len(trace["steps"]["backward"])
    page.locator("#jump-end").click()
    expect_position(page, end)
    expect(page.locator("#stdout")).to_have_text(trace["stdout"])
    turn_predict_on(page)
    expect_position(page, 4)
    # The output would give the gradients away: hidden, unless asked for.
    expect(page.locator("#stdout")).to_be_hidden()
    page.locator("#show-output").click()
    expect(page.locator("#stdout")).to_have_text(trace["stdout"])

    for answer in ("1.4", "1.9"):
        page.locator("#predict-input").fill(answer)
        page.locator("#predict-submit").click()
        expect(page.locator("#predict-verdict")).to_contain_text("✓ Right")
        page.locator("#step-next").click()
    expect_position(page, 6)
    page.locator("#predict-toggle").click()  # off: the steps are free again
    go_to(page, end)
    turn_predict_on(page)
    expect_position(page, 6)  # y - z, the first not answered


def test_a_lesson_question_conceals_its_answer_until_answered(page: Page) -> None:
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.goto("/#lesson=chain-rule")
    wait_done(page)
    trace = traced(answer.value)
    expect_position(page, 0)
    x = next(n for n in trace["nodes"] if n["name"] == "x")
    dydx = first(x["grad"])
    assert dydx is not None and round(dydx, 3) == 2.332  # dy/dx of exp(sin(x²)) at 0.8
    written = page_format(page, dydx)
    assert written == "2.332"
    forms = the_forms(page, dydx)

    page.locator("#tab-steps").click()
    end = len(trace["steps"]["forward"]) + len(trace["steps"]["backward"])
    for p in [*range(end + 1)]:  # every step, each pause among them, and the Done card
        go_to(page, p)
        look_at(page, x["id"])
        text = page.evaluate(PAGE_TEXT)
        for form in forms:
            assert not shows(text, form), f"position {p} shows {form}"
    expect(page.locator("#stdout")).to_be_hidden()

    page.locator("#question-answer").fill(written)
    page.locator("#question button[type=submit]").click()
    expect(page.locator("#question-verdict")).to_have_class("verdict is-right")
    page.locator("#tab-output").click()
    expect(page.locator("#stdout")).to_have_text(trace["stdout"])
    assert f"∂u3/∂x = {written}" in card_lines(page)  # the Done card
