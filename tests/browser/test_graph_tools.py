"""Around the graph: module clusters that fold and open, the inspector, the examples menu,
the variables table, the text view of the steps, share links, exports, marked errors."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    expect_position,
    go_to,
    node_id,
    open_example,
    open_page,
    wait_done,
)
from playwright.sync_api import Page, expect


def test_a_module_cluster_collapses_to_one_box_and_expands_again(
    page: Page, screenshot_dir: Path
) -> None:
    open_page(page)
    trace = open_example(page, "sequential-mlp")
    nodes = page.locator("#graph g.node")
    expect(nodes).to_have_count(len(trace["nodes"]))
    clusters = page.locator("#graph g.cluster")
    modules = sorted(m["name"] for m in trace["modules"])
    assert sorted(clusters.evaluate_all("els => els.map(e => e.dataset.module)")) == modules
    inside = [n["id"] for n in trace["nodes"] if n["module"] == "model.0"]
    assert len(inside) == 4

    # At a readable scale this graph is larger than the view: Fit shows it whole first.
    page.locator("#fit").click()
    expect(page.locator("#minimap")).to_be_hidden()
    page.locator('#graph g.cluster[data-module="model.0"] .cluster-head').click()
    box = page.locator('#graph g.node[data-node-id="m:model.0"]')
    expect(box).to_have_attribute("data-kind", "module")
    expect(box.locator(".node-op")).to_have_text("Linear · 4 nodes")
    expect(nodes).to_have_count(len(trace["nodes"]) - 4 + 1)
    for hidden in inside:
        expect(page.locator(f'#graph g.node[data-node-id="{hidden}"]')).to_have_count(0)
    expect(page.locator('#graph g.cluster[data-module="model.0"]')).to_have_count(0)
    # x now feeds the box; the box feeds the first ReLU.
    x = node_id(trace, "x")
    into_box = page.locator(f'#graph g.edge[data-source="{x}"][data-target="m:model.0"]')
    expect(into_box).to_have_count(1)
    page.screenshot(path=screenshot_dir / "mlp-model0-collapsed.png")

    # Stepping still works on a collapsed box: it lights up while its nodes compute.
    addmm = next(n["id"] for n in trace["nodes"] if n["module"] == "model.0" and n["kind"] == "op"
                 and n["op"].startswith("Addmm"))
    step = next(k for k, s in enumerate(trace["steps"]["forward"]) if s["node"] == addmm)
    go_to(page, step)
    expect(box).to_have_attribute("data-s", "current")

    box.click()
    expect(nodes).to_have_count(len(trace["nodes"]))
    expect(page.locator('#graph g.cluster[data-module="model.0"]')).to_have_count(1)
    expect_position(page, step)  # the step is kept across the re-layout


def test_clicking_a_node_opens_the_inspector_with_its_source_line(page: Page) -> None:
    trace = open_page(page)
    w = node_id(trace, "w")
    page.locator(f'#graph g.node[data-node-id="{w}"]').click()
    inspector = page.locator("#inspector")
    expect(inspector).to_be_visible()
    expect(inspector).to_have_attribute("data-node", w)
    expect(inspector.locator(".insp-title")).to_have_text("w")
    expect(inspector).to_contain_text("AccumulateGrad")
    expect(inspector).to_contain_text("scalar · float32")
    expect(inspector.locator(".tensor-scalar")).to_have_text(["1.0", "-0.56"])
    made = "torch.tensor(1.0, requires_grad=True)"
    expect(inspector.locator(".insp-source mark")).to_have_text(made)
    w_node = page.locator(f'#graph g.node[data-node-id="{w}"]')
    expect(w_node).to_have_class(re.compile(r"\bis-selected\b"))
    # Its source is marked in the editor, on line 2.
    mark = page.locator("#marks .mark-span")
    expect(mark).to_have_count(1)

    mul = page.locator('#graph g.node[data-op="MulBackward0"]')
    mul.click()
    expect(inspector).to_contain_text("MulBackward0")
    expect(inspector).to_contain_text("multiplication")
    expect(inspector.locator(".insp-local")).to_have_count(2)
    expect(inspector.locator(".insp-saved")).to_contain_text("other")

    page.keyboard.press("Escape")
    expect(inspector).to_be_hidden()


def test_the_menu_lists_every_example_and_each_one_draws(page: Page, live_server: str) -> None:
    with urllib.request.urlopen(f"{live_server}/api/v1/examples") as answer:
        examples = json.load(answer)
    open_page(page)
    listed = page.locator("#examples option[value]:not([value=''])")
    expect(listed).to_have_count(len(examples))
    assert listed.evaluate_all("els => els.map(e => e.value)") == [e["id"] for e in examples]
    for example in examples:
        trace = open_example(page, example["id"])
        expect(page.locator("#source")).to_have_value(example["source"])
        expect(page.locator("#graph g.node")).to_have_count(len(trace["nodes"]))
        expect(page.locator("#error")).to_be_hidden()


def test_a_single_expression_runs_with_the_variables_table(page: Page) -> None:
    open_page(page)
    page.locator("#vars-panel summary").click()
    for name, value, grad in [("w", "1.0", True), ("x", "[1.4]", False), ("b", "0.5", True)]:
        page.locator(".var-add").click()
        row = page.locator(".vars-table tbody tr").last
        row.locator(".var-name").fill(name)
        row.locator(".var-value").fill(value)
        if grad:
            row.locator(".var-grad").check()
    page.locator("#source").fill("(w * x + b).sum()")
    with page.expect_request(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as sent:
        page.locator("#run").click()
    wait_done(page)
    assert json.loads(sent.value.post_data or "{}")["variables"] == {
        "w": {"value": 1.0, "requires_grad": True},
        "x": {"value": [1.4], "requires_grad": False},
        "b": {"value": 0.5, "requires_grad": True},
    }
    w = page.locator('#graph g.node[data-name="w"]')
    expect(w.locator(".node-grad")).to_have_text("1.4")

    page.locator(".vars-table tbody tr").first.locator(".var-value").fill("[1,")
    page.locator("#run").click()
    wait_done(page, "error")
    refused = 'variable w: cannot read "[1," as a number or list'
    expect(page.locator("#error")).to_contain_text(refused)


def test_the_steps_as_text_table_lists_every_step_and_jumps_to_one(page: Page) -> None:
    trace = open_page(page)
    page.locator("#tab-steps").click()
    rows = page.locator("#steps tr[data-position]")
    total = len(trace["steps"]["forward"]) + len(trace["steps"]["backward"])
    expect(rows).to_have_count(total)
    expect(page.locator("#steps .order-row")).to_have_text(
        ["Forward (teaching order)", "Backward (order autograd ran)"]
    )
    w_row = rows.nth(total - 1)
    expect(w_row).to_contain_text("(-0.4)(1.4) = -0.56")
    rows.nth(4).click()
    expect_position(page, 4)
    expect(rows.nth(4)).to_have_class("is-current")


def test_a_share_link_reopens_the_program_step_and_selection(page: Page) -> None:
    trace = open_page(page)
    program = (page.locator("#source").input_value()).replace("1.4", "2.5")
    page.locator("#source").fill(program)
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#run").click()
    wait_done(page)
    go_to(page, 5)
    b = node_id(trace, "b")
    page.locator(f'#graph g.node[data-node-id="{b}"]').click()

    page.locator("#share").click()
    link = page.locator("#share-link").input_value()
    assert "#src=" in link and "&step=5" in link and f"&node={b}" in link

    other = page.context.new_page()
    open_page(other, link)
    expect(other.locator("#source")).to_have_value(program)
    expect_position(other, 5)
    expect(other.locator("#inspector")).to_have_attribute("data-node", b)
    x = other.locator('#graph g.node[data-name="x"] .node-value')
    expect(x).to_have_text("2.5")
    other.close()


def test_the_graph_exports_as_svg_and_the_trace_as_json(page: Page, tmp_path: Path) -> None:
    trace = open_page(page)
    page.locator("#export-menu summary").click()
    with page.expect_download() as svg_download:
        page.locator("#export-svg").click()
    svg_path = tmp_path / "graph.svg"
    svg_download.value.save_as(svg_path)
    assert svg_download.value.suggested_filename == "chainrule-graph.svg"
    svg = svg_path.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert svg.count('class="node ') == len(trace["nodes"])
    assert svg.count('class="edge"') == len(trace["edges"])
    assert ">-0.56<" in svg and "<style>" in svg

    # The SVG is a document a browser draws on its own, nodes and all.
    viewer = page.context.new_page()
    viewer.goto(svg_path.as_uri())
    expect(viewer.locator("g.node")).to_have_count(len(trace["nodes"]))
    viewer.close()

    page.locator("#export-menu summary").click()
    with page.expect_download() as json_download:
        page.locator("#export-json").click()
    json_path = tmp_path / "trace.json"
    json_download.value.save_as(json_path)
    assert json.loads(json_path.read_text(encoding="utf-8")) == trace

    page.locator("#export-menu summary").click()
    with page.expect_download() as png_download:
        page.locator("#export-png").click()
    png_path = tmp_path / "graph.png"
    png_download.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_syntax_error_is_marked_at_its_line_and_column(page: Page) -> None:
    open_page(page)
    program = "import torch\nx = torch.tensor(1.0, requires_grad=True)\ny = x * * 2\n"
    page.locator("#source").fill(program)
    page.locator("#source").press("Control+Enter")
    wait_done(page, "error")
    expect(page.locator("#error-code")).to_have_text("syntax error")
    expect(page.locator("#error")).to_contain_text("Line 3, column 9")
    expect(page.locator("#gutter .ln.error")).to_have_attribute("data-line", "3")
    token = page.locator("#marks .mark-error-token")
    expect(token).to_be_visible()
    # The underline starts at column 8 (0-based) of line 3, after the 12 px editor padding.
    box = token.bounding_box()
    char = page.evaluate(
        "() => { const s = document.createElement('span'); s.textContent = '0'.repeat(100);"
        " s.style.cssText = 'position:absolute;white-space:pre;font:' +"
        " getComputedStyle(document.getElementById('source')).font; document.body.append(s);"
        " const w = s.getBoundingClientRect().width / 100; s.remove(); return w; }"
    )
    code = page.locator("#source").bounding_box()
    assert box is not None and code is not None
    assert abs(box["x"] - (code["x"] + 14 + 8 * char)) < 1.5
    expect(page.locator("#graph g.node")).to_have_count(0)
    expect(page.locator("#stepcard")).to_be_hidden()
