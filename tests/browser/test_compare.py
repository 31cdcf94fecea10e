"""Two runs compared: Compare keeps the run shown and traces a second program beside it;
both loss curves on one chart, run B's graph with its nodes where run A's are, a node's
gradient in both runs, the pair in a share link, and the vanishing-gradients lesson.
Every number is checked against the same program run with plain torch."""

from __future__ import annotations

import base64
import math
import re
from typing import Any
from urllib.parse import parse_qsl

import torch
from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    in_torch,
    losses_in_torch,
    open_page,
    program_path,
    traced,
)
from playwright.sync_api import Page, expect
from test_training import SGD

from chainrule.content.lessons import LESSONS

TANH = SGD  # tests/browser/test_training.py's loop: Tanh, 25 SGD steps
# Run B: the activation changed, and five more steps.
RELU = TANH.replace("nn.Tanh()", "nn.ReLU()").replace("range(25)", "range(30)")
LESSON = next(lesson for lesson in LESSONS if lesson.id == "vanishing-gradients")


def weight_grad_norm(source: str, layer: str = "0") -> float:
    """The norm of model.<layer>.weight's .grad after the program: its last backward()'s."""
    model = in_torch(source)["model"]
    return float(model.get_submodule(layer).weight.grad.norm().item())


def close_to_shown(text: str, value: float) -> bool:
    """Does a number the page wrote (4 significant digits) stand for `value`?"""
    shown = float(text.lstrip("×"))
    return abs(shown - value) <= 5e-4 * abs(value)


def open_compare(page: Page, b_source: str) -> dict[str, Any]:
    """Press Compare, write program B, run it; the trace B's graph was drawn from."""
    page.locator("#compare-open").click()
    expect(page.locator("#compare-wrap")).to_be_visible()
    expect(page.locator("#source-b")).to_have_value(page.locator("#source").input_value())
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    page.locator("#source-b").fill(b_source)
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#compare-run").click()
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    return traced(answer.value)


def node_of(trace: dict[str, Any], **fields: Any) -> str:
    ids = [n["id"] for n in trace["nodes"] if all(n[k] == v for k, v in fields.items())]
    assert len(ids) == 1, f"{len(ids)} nodes with {fields}"
    return str(ids[0])


def settled(page: Page, read: str, arg: Any, *, aligned: bool = False) -> Any:
    """What the page function `read` gives for `arg` once it is the same two frames running
    (polled every frame; with `aligned`, once its two items are also equal): the value of
    that frame. The predicate answers at once: a Promise it returned would count as truthy
    and not be awaited."""
    page.evaluate("() => { window.lastRead = null; }")
    agree = " && now[0] === now[1]" if aligned else ""
    value = page.wait_for_function(f"""arg => {{
        const now = ({read})(arg);
        const same = JSON.stringify(now) === JSON.stringify(window.lastRead);
        window.lastRead = now;
        return same{agree} ? now : false;
    }}""", arg=arg, polling="raf", timeout=TRACE_TIMEOUT_MS)
    return value.json_value()


def left_xs(page: Page, id_a: str, id_b: str) -> list[float]:
    """The on-screen x of a node's card in run A's graph and of one in run B's, read in the
    same frame once the graphs are still (no layout to come, no zoom moving) and B has
    followed A's view: B follows each step of A's zoom, so under load a read between A's
    last step and B's can see them apart for a frame. Waits for them to agree (a B that
    never follows fails here, at the expectation's timeout)."""
    expect(page.locator("body")).not_to_have_attribute("data-layout", "interim")
    cards = [f'#graph g.node[data-node-id="{id_a}"] rect.card',
             f'#graph-b g.node[data-node-id="{id_b}"] rect.card']
    for card in cards:
        expect(page.locator(card)).to_have_count(1)
    read = "cs => cs.map(c => document.querySelector(c).getBoundingClientRect().x)"
    return [float(x) for x in settled(page, read, cards, aligned=True)]


def test_compare_charts_both_runs_losses_on_one_chart(page: Page, screenshot_dir: Any) -> None:
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    page.locator("#tab-training").click()
    expect(page.locator("#panel-training")).to_have_attribute("data-compared", "true")
    for run, source in (("A", TANH), ("B", RELU)):
        losses = losses_in_torch(source)
        line = page.locator(f"#training-loss path.training-line[data-run={run}]")
        expect(line).to_have_attribute("data-points", str(len(losses)))
        key = page.locator(f"#training-runs li[data-run={run}]")
        expect(key).to_have_attribute("data-calls", str(len(losses)))
        assert float(key.get_attribute("data-last-loss") or "nan") == losses[-1]
    # Each layer's gradient norm in both runs: A's solid, B's dashed.
    grads = page.locator("#training-grads path.training-line")
    assert grads.evaluate_all("ps => ps.map(p => [p.dataset.name, p.dataset.run])") == [
        ["model.0.weight A", "A"], ["model.2.weight A", "A"],
        ["model.0.weight B", "B"], ["model.2.weight B", "B"]]
    page.screenshot(path=screenshot_dir / "compare-training.png")


def test_run_bs_nodes_sit_in_the_columns_of_the_nodes_they_pair_with(page: Page) -> None:
    a = open_page(page, program_path(TANH))
    b = open_compare(page, RELU)
    for name in ("X", "model.0.weight", "model.2.bias", "loss"):
        x_a, x_b = left_xs(page, node_of(a, name=name), node_of(b, name=name))
        assert x_a == x_b, name
    # The activation changed: Tanh's place holds the ReLU, marked changed.
    tanh, relu = node_of(a, op="TanhBackward0"), node_of(b, op="ReluBackward0")
    x_a, x_b = left_xs(page, tanh, relu)
    assert x_a == x_b
    expect(page.locator(f'#graph-b g.node[data-node-id="{relu}"] .compare-badge')).to_contain_text(
        "changed")


def test_a_selected_nodes_gradient_in_both_runs_and_their_difference_are_torchs(
        page: Page, screenshot_dir: Any) -> None:
    a = open_page(page, program_path(TANH))
    open_compare(page, RELU)
    page.locator(f'#graph g.node[data-node-id="{node_of(a, name="model.0.weight")}"] rect.card'
                 ).click()
    readout = page.locator("#compare-readout")
    expect(readout.locator("h4")).to_have_text("model.0.weight")
    norm_a, norm_b = weight_grad_norm(TANH), weight_grad_norm(RELU)
    shown = {key: readout.locator(f'dd[data-key="{key}"]').inner_text()
             for key in ("a", "b", "diff", "ratio")}
    assert close_to_shown(shown["a"], norm_a), shown
    assert close_to_shown(shown["b"], norm_b), shown
    assert close_to_shown(shown["diff"], norm_b - norm_a), shown
    assert close_to_shown(shown["ratio"], norm_b / norm_a), shown
    page.screenshot(path=screenshot_dir / "compare-readout.png")


def test_the_share_link_carries_both_programs_and_reopens_compare(page: Page) -> None:
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    expect(page).to_have_url(re.compile(r"&cmp="))
    link = page.evaluate("location.hash")
    params = dict(parse_qsl(link.lstrip("#")))
    decode = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()  # noqa: E731
    assert decode(params["src"]) == TANH
    assert decode(params["cmp"]) == RELU

    page.goto("about:blank")
    def of_b(response: Any) -> bool:
        return bool(response.url.endswith("/api/v2/trace")
                    and response.request.post_data_json["source"] == RELU)

    with page.expect_response(of_b, timeout=TRACE_TIMEOUT_MS) as answer:
        open_page(page, "/" + link)
    b = traced(answer.value)
    expect(page.locator("#source-b")).to_have_value(RELU)
    expect(page.locator("#source")).to_have_value(TANH)
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    assert b["training"]["loss"] == losses_in_torch(RELU)
    expect(page.locator("#graph-b g.node")).to_have_count(len(b["nodes"]))

    # Compare folds A's step card to leave room; leaving it opens the card again.
    expect(page.locator("#stepcard")).to_have_class(re.compile(r"\bis-folded\b"))
    page.locator("#compare-leave").click()
    expect(page.locator("#stepcard")).not_to_have_class(re.compile(r"\bis-folded\b"))
    expect(page.locator("#compare-wrap")).to_be_hidden()
    expect(page.locator("#compare-editor")).to_be_hidden()
    expect(page.locator("#compare-open")).to_be_visible()
    assert "cmp=" not in page.evaluate("location.hash")


def test_predict_mode_draws_no_number_of_run_b(page: Page) -> None:
    a = open_page(page, program_path(TANH))
    open_compare(page, RELU)
    page.locator(f'#graph g.node[data-node-id="{node_of(a, name="model.0.weight")}"] rect.card'
                 ).click()
    expect(page.locator("#compare-readout")).to_be_visible()
    page.locator("#predict-toggle").click()
    expect(page.locator("#compare-message")).to_have_text(
        "Run B's numbers show once the numbers of run A are revealed.")
    expect(page.locator("#graph-b g.node")).to_have_count(0)
    expect(page.locator("#compare-readout")).to_be_hidden()
    expect(page.locator("#tab-training")).to_be_hidden()
    page.locator("#predict-toggle").click()
    expect(page.locator("#compare-message")).to_be_hidden()
    expect(page.locator("#graph-b g.node")).to_have_count(len(a["nodes"]))


def test_the_vanishing_gradients_lesson_compares_sigmoid_with_relu(
        page: Page, screenshot_dir: Any) -> None:
    a = open_page(page, "/#lesson=vanishing-gradients")
    expect(page.locator("#lesson .lesson-title")).to_have_text("11. Vanishing gradients")
    page.locator("#tab-training").click()
    expect(page.locator("#diagnoses li[data-kind=vanishing]")).to_contain_text(
        "model.0.weight's gradient norm")

    relu = LESSON.variants[0].source
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#lesson .lesson-compare").click()
    b = traced(answer.value)
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    expect(page.locator("#source-b")).to_have_value(relu)
    assert not any(d["kind"] == "vanishing" for d in b["training"]["diagnoses"])
    for run, source in (("A", LESSON.source), ("B", relu)):
        key = page.locator(f"#training-runs li[data-run={run}]")
        assert float(key.get_attribute("data-last-loss") or "nan") == losses_in_torch(source)[-1]

    # The diagnosis's button selects model.0.weight: in run A, and its pair in run B.
    weight = node_of(a, name="model.0.weight")
    page.locator("#diagnoses li[data-kind=vanishing] button").click()
    expect(page.locator("#compare-readout h4")).to_have_text("model.0.weight")
    expect(page.locator(f'#graph-b g.node[data-node-id="{node_of(b, name="model.0.weight")}"]')
           ).to_have_class(re.compile(r"\bis-selected\b"))
    ratio_text = page.locator('#compare-readout dd[data-key="ratio"]').inner_text()
    ratio = weight_grad_norm(relu) / weight_grad_norm(LESSON.source)
    assert close_to_shown(ratio_text, ratio)
    expect(page.locator(f'#graph g.node[data-node-id="{weight}"]')).to_have_class(
        re.compile(r"\bis-selected\b"))
    page.screenshot(path=screenshot_dir / "vanishing-lesson.png")

    # The question's right option is what torch's two gradients say.
    right = "More than a million times" if ratio > 1e6 else None
    assert right == LESSON.question.answer
    page.locator("#question .question-option", has_text=right).click()
    expect(page.locator("#question-verdict")).to_have_class(re.compile(r"\bis-right\b"))
    assert math.isfinite(ratio)


def zoom_of(page: Page, svg: str) -> dict[str, float]:
    """A graph view's zoom ({k, x, y}), once it is still (the same two frames running)."""
    read = "s => { const t = d3.zoomTransform(document.querySelector(s)); return [t.k, t.x, t.y]; }"
    k, x, y = settled(page, read, svg)
    return {"k": k, "x": x, "y": y}


def test_ctrl_enter_in_program_b_runs_b_only(page: Page) -> None:
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    step = page.locator("body").get_attribute("data-step")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data_json["source"])
            if r.url.endswith("/api/v2/trace") else None)
    page.locator("#source-b").fill(RELU.replace("range(30)", "range(20)"))
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#source-b").press("Control+Enter")
    b = traced(answer.value)
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    # Both requests, had A run too, leave in the one keydown: B's answer came after both.
    assert sent == [RELU.replace("range(30)", "range(20)")]
    assert b["training"]["calls"] == 20
    expect(page.locator("body")).to_have_attribute("data-status", "done")
    assert page.locator("body").get_attribute("data-step") == step


def test_a_compare_link_keeps_its_step_and_node(page: Page) -> None:
    a = open_page(page, program_path(TANH))
    weight = node_of(a, name="model.0.weight")
    encode = lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")  # noqa: E731
    link = f"{program_path(TANH)}&step=5&node={weight}&cmp={encode(RELU)}"
    page.goto("about:blank")
    open_page(page, link)
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    expect(page.locator("body")).to_have_attribute("data-step", "5")
    expect(page.locator(f'#graph g.node[data-node-id="{weight}"]')).to_have_class(
        re.compile(r"\bis-selected\b"))
    expect(page.locator("#compare-readout h4")).to_have_text("model.0.weight")
    assert dict(parse_qsl(page.evaluate("location.hash").lstrip("#")))["step"] == "5"


def test_running_b_keeps_the_view_the_user_panned_a_to(page: Page) -> None:
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    box = page.locator("#graph").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 40
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y - 30, steps=6)
    page.mouse.up()
    panned = zoom_of(page, "#graph")
    # B took A's view as the user dragged it.
    assert zoom_of(page, "#graph-b") == panned
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#compare-run").click()
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    expect(page.locator("#graph-b g.node").first).to_be_visible()
    assert zoom_of(page, "#graph") == panned
    assert zoom_of(page, "#graph-b") == panned


def test_opening_a_lesson_leaves_compare_but_its_own_compare_stays(page: Page) -> None:
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    page.locator("#lessons-toggle").click()
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator(".lesson-link[data-lesson='vanishing-gradients']").click()
    expect(page.locator("#compare-wrap")).to_be_hidden()
    expect(page.locator("#compare-editor")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-status", "done",
                                                   timeout=TRACE_TIMEOUT_MS)
    assert "cmp=" not in page.evaluate("location.hash")

    relu = LESSON.variants[0].source
    compare = page.locator("#lesson .lesson-compare")
    expect(compare).to_have_attribute("aria-label", f"Compare with: {LESSON.variants[0].title}")
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        compare.click()
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    expect(page.locator("#source-b")).to_have_value(relu)
    expect(page.locator("#source")).to_have_value(LESSON.source)

    # The variant tried instead (in run A's editor): one run again.
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#lesson .lesson-variant").click()
    expect(page.locator("#compare-wrap")).to_be_hidden()
    expect(page.locator("#source")).to_have_value(relu)


def test_run_b_gets_the_variables_table_as_run_a_does(page: Page) -> None:
    open_page(page)
    page.locator("#vars-panel summary").click()
    for name, value, grad in [("w", "1.5", True), ("x", "[1.4, -2.0]", False)]:
        page.locator(".var-add").click()
        row = page.locator(".vars-table tbody tr").last
        row.locator(".var-name").fill(name)
        row.locator(".var-value").fill(value)
        if grad:
            row.locator(".var-grad").check()
    page.locator("#source").fill("(w * x).sum()")
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#run").click()
    expect(page.locator("body")).to_have_attribute("data-status", "done",
                                                   timeout=TRACE_TIMEOUT_MS)
    with page.expect_request(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as sent:
        open_compare(page, "(w * w * x).sum()")
    assert sent.value.post_data_json["variables"] == {
        "w": {"value": 1.5, "requires_grad": True},
        "x": {"value": [1.4, -2.0], "requires_grad": False},
    }
    w = torch.tensor(1.5, requires_grad=True)
    (w * w * torch.tensor([1.4, -2.0])).sum().backward()
    assert w.grad is not None
    shown = page.locator('#graph-b g.node[data-name="w"] .node-grad').text_content() or "nan"
    assert close_to_shown(shown, float(w.grad))


def grad_norms_per_call(source: str, layer: str = "0") -> list[float]:
    """model.<layer>.weight's .grad norm after each backward() of the program's loop."""
    keeping = source.replace(
        "    loss.backward()\n",
        f"    loss.backward()\n    kept.append(model.get_submodule('{layer}').weight.grad"
        ".norm().item())\n")
    return list(in_torch("kept = []\n" + keeping)["kept"])


def test_the_training_scrubber_shows_both_runs_at_the_call_picked(page: Page) -> None:
    a = open_page(page, program_path(TANH))
    open_compare(page, RELU)
    page.locator("#tab-training").click()
    requests: list[dict[str, Any]] = []
    page.on("request", lambda r: requests.append(r.post_data_json)
            if r.url.endswith("/api/v2/trace") else None)
    page.locator("#training-call").fill("4")
    expect(page.locator("#training-call-label")).to_contain_text("Run A, call 5 of 25")
    page.locator("#training-show").click()
    expect(page.locator("#training-shown")).to_have_text(
        "Run A's graph shows call 5; run B's, call 5 of 30.", timeout=TRACE_TIMEOUT_MS)
    expect(page.locator("#compare-wrap")).to_have_attribute(
        "data-status", "done", timeout=TRACE_TIMEOUT_MS)
    assert sorted((r["source"] == RELU, r.get("call")) for r in requests) == [
        (False, 4), (True, 4)]
    expect(page.locator("#compare-status")).to_contain_text("backward() call 5 of 30")

    page.locator(f'#graph g.node[data-node-id="{node_of(a, name="model.0.weight")}"] rect.card'
                 ).click()
    readout = page.locator("#compare-readout")
    expect(readout.locator(".compare-calls")).to_have_text("A: call 5 of 25 · B: call 5 of 30")
    assert close_to_shown(readout.locator('dd[data-key="a"]').inner_text(),
                          grad_norms_per_call(TANH)[4])
    assert close_to_shown(readout.locator('dd[data-key="b"]').inner_text(),
                          grad_norms_per_call(RELU)[4])


def overlap(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    assert a is not None and b is not None
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_on_a_phone_the_step_player_stays_under_a_and_never_covers_b(
        page: Page, screenshot_dir: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, program_path(TANH))
    open_compare(page, RELU)
    player, graph_b = page.locator("#player"), page.locator("#compare-wrap .compare-graph")
    for where in ("top", "b", "bottom"):
        if where == "b":
            graph_b.scroll_into_view_if_needed()
        elif where == "bottom":
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")
        assert not overlap(player.bounding_box(), graph_b.bounding_box()), where
        if where == "b":
            page.screenshot(path=screenshot_dir / "compare-phone.png")
    # Right under A's graph.
    wrap, bar = page.locator("#graph-wrap").bounding_box(), player.bounding_box()
    assert wrap is not None and bar is not None
    assert bar["y"] >= wrap["y"] + wrap["height"] - 1
