"""docs/notebook.ipynb, executed as a user would run it (nbclient, a real kernel): its
outputs hold the player, and the file its `rec.save()` wrote opens from file:// with the
network cut off and steps through the backward pass with torch's numbers."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest
from playwright.sync_api import BrowserContext, expect
from tests.test_standalone import parsed, unpacked
from tests.wire import from_v2

from test_standalone import (  # noqa: F401 (offline: the fixture)
    LOAD_TIMEOUT_MS,
    Watch,
    assert_seed_cards,
    offline,
    open_offline,
    seed_in_torch,
    shown,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebook.ipynb"
KERNEL_TIMEOUT_S = 600  # a bound on a stuck kernel, not a timing assertion


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The notebook after running every cell in a fresh kernel, in a folder of its own."""
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=KERNEL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook, folder


def _player_trace(output: Any) -> dict[str, Any]:
    """The v1 form of the trace inside a cell's inline player."""
    frame = output["data"]["text/html"]
    assert frame.startswith('<iframe class="chainrule-player"')
    document = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))  # type: ignore[union-attr]
    embedded = json.loads(parsed(document).scripts["chainrule-embedded"])
    return from_v2(json.loads(unpacked(embedded["trace"])))  # type: ignore[no-any-return]


def _results(notebook: Any) -> list[Any]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
            if o.output_type == "execute_result"]


def test_every_displayed_recording_is_the_inline_player(
        executed: tuple[Any, Path]) -> None:
    notebook, _ = executed
    players = _results(notebook)
    assert len(players) == 3  # the seed, the training step, show()
    for output in players:
        assert output["data"]["text/plain"].startswith("<chainrule.Recording: ")


def test_the_seed_cells_player_holds_torchs_gradients(executed: tuple[Any, Path]) -> None:
    notebook, _ = executed
    trace = _player_trace(_results(notebook)[0])
    grads = {n["name"]: n["grad"]["data"] for n in trace["nodes"] if n["kind"] == "leaf"}
    torch_says = seed_in_torch()
    assert {k: shown(v) for k, v in grads.items()} == {
        "w": shown(torch_says["w.grad"]), "b": shown(torch_says["b.grad"])}
    printed = [o["text"] for o in notebook.cells[3].outputs if o.output_type == "stream"]
    assert printed == ["dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n"]


def test_the_training_steps_player_names_the_models_parameters(
        executed: tuple[Any, Path]) -> None:
    notebook, _ = executed
    trace = _player_trace(_results(notebook)[1])
    leaves = sorted(n["name"] for n in trace["nodes"] if n["kind"] == "leaf")
    assert leaves == ["model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight"]


def test_the_saved_player_steps_through_backward_offline(
        executed: tuple[Any, Path], offline: BrowserContext,  # noqa: F811 (the fixture)
        screenshot_dir: Path) -> None:
    _, folder = executed
    saved = folder / "seed.html"
    embedded = json.loads(parsed(saved.read_text(encoding="utf-8"))
                          .scripts["chainrule-embedded"])
    trace = from_v2(json.loads(unpacked(embedded["trace"])))
    page, watch = open_offline(offline, saved)
    assert_seed_cards(page, trace)
    page.screenshot(path=screenshot_dir / "notebook-saved-backward.png")
    assert watch.problems == []


def test_the_inline_player_works_inside_the_notebooks_output_frame(
        executed: tuple[Any, Path], offline: BrowserContext,  # noqa: F811 (the fixture)
        tmp_path: Path, screenshot_dir: Path) -> None:
    """The seed cell's output as a notebook front end shows it: its HTML in a page, the
    player inside its iframe (about:srcdoc), stepping through backward offline."""
    notebook, _ = executed
    output = _results(notebook)[0]
    page_path = tmp_path / "notebook-output.html"
    page_path.write_text("<!doctype html><html><body><h3>Out[2]:</h3>"
                         f"{output['data']['text/html']}</body></html>", encoding="utf-8")
    trace = _player_trace(output)
    page = offline.new_page()
    watch = Watch(page)
    page.goto(page_path.as_uri())
    page.wait_for_function("document.querySelector('iframe.chainrule-player')"
                           ".contentDocument?.body?.dataset.status === 'done'",
                           timeout=LOAD_TIMEOUT_MS)
    frame = page.frame(url="about:srcdoc")
    assert frame is not None
    expect(frame.locator("#graph g.node")).to_have_count(len(trace["nodes"]))
    assert_seed_cards(frame, trace)  # type: ignore[arg-type]
    page.screenshot(path=screenshot_dir / "notebook-inline-player.png")
    assert watch.problems == []
