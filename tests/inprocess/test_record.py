"""`chainrule.record()`, `chainrule.show()` and `python -m chainrule open`: trusted code
recorded in-process, its numbers torch's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

import chainrule
from chainrule.errors import ChainruleError
from chainrule.inprocess.show import FREED_NOTE, GRADIENTS_NOTE
from tests.conftest import as_tensor
from tests.test_standalone import parsed, unpacked


def _by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in body["nodes"] if n["name"]}


def test_a_recorded_block_has_torchs_values_and_gradients() -> None:
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    x = torch.tensor([2.0, 3.0])
    with chainrule.record() as rec:
        y = torch.tanh(w * x)
        loss = (y - 1).pow(2).sum()
        loss.backward()
    body = json.loads(rec.to_json(api=1))
    nodes = _by_name(body)
    assert w.grad is not None
    assert torch.equal(as_tensor(nodes["w"]["grad"]), w.grad)
    assert torch.equal(as_tensor(nodes["y"]["value"]), torch.tanh(w.detach() * x))
    assert torch.equal(as_tensor(nodes["loss"]["value"]), loss.detach())
    assert body["nodes"][0]["name"] == "loss"  # the graph of the tensor backward() ran on


def test_the_recorded_lines_and_columns_are_the_blocks_own() -> None:
    w = torch.tensor(2.0, requires_grad=True)
    with chainrule.record() as rec:
        loss = (w * 3.0) ** 2
        loss.backward()
    line = sys._getframe().f_lineno - 2  # the `loss = ...` line above
    spans = {n["op"]: n["span"] for n in json.loads(rec.to_json(api=1))["nodes"] if n["op"]}
    assert spans["MulBackward0"] == {"line": line, "col": 16, "end_line": line, "end_col": 23}
    assert spans["PowBackward0"] == {"line": line, "col": 15, "end_line": line, "end_col": 29}


def test_a_modules_parameters_are_named_by_their_variable() -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x = torch.randn(4, 3)
    with chainrule.record() as rec:
        loss = model(x).sum()
        loss.backward()
    nodes = _by_name(json.loads(rec.to_json(api=1)))
    assert model.weight.grad is not None
    assert torch.equal(as_tensor(nodes["model.weight"]["grad"]), model.weight.grad)
    assert nodes["model.bias"]["module"] == "model"


def test_what_the_block_prints_is_shown_and_kept(capsys: pytest.CaptureFixture[str]) -> None:
    with chainrule.record() as rec:
        x = torch.ones(2, requires_grad=True)
        print("sum:", x.sum().item())
    assert capsys.readouterr().out == "sum: 2.0\n"
    assert json.loads(rec.to_json())["stdout"] == "sum: 2.0\n"


def test_without_backward_the_last_assigned_tensor_is_shown() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    with chainrule.record() as rec:
        b = a * 2
        c = b + 1
        print(c.sum())
    body = json.loads(rec.to_json(api=1))
    assert body["nodes"][0]["name"] == "c"
    assert body["nodes"][0]["value"]["data"] == [3.0, 5.0]


def test_v1_and_v2_are_the_same_trace() -> None:
    from tests.wire import from_v2

    w = torch.tensor(1.5, requires_grad=True)
    with chainrule.record() as rec:
        loss = (w * w).sin()
        loss.backward()
    assert from_v2(json.loads(rec.to_json(api=2))) == json.loads(rec.to_json(api=1))


def test_a_recording_shows_itself_inline_as_a_player_in_an_iframe() -> None:
    w = torch.tensor(1.0, requires_grad=True)
    with chainrule.record() as rec:
        (w * 2).backward()
    html = rec._repr_html_()
    assert html.startswith('<iframe class="chainrule-player"')
    assert "srcdoc=\"&lt;!DOCTYPE html&gt;" in html or "srcdoc=\"&lt;!doctype html&gt;" in html
    assert repr(rec) == "<chainrule.Recording: 2 nodes; display it in a notebook or .save() it>"


def test_show_reads_values_autograd_saved_and_computes_gradients_without_touching_grad(
) -> None:
    w = torch.tensor(1.5, requires_grad=True)
    x = torch.tensor(2.0)
    y = torch.tanh(w * x)
    loss = (y - 1) ** 2
    rec = chainrule.show(loss)
    body = json.loads(rec.to_json(api=1))
    nodes = _by_name(body)
    expected_w = torch.autograd.grad(loss, w, retain_graph=True)[0]
    assert w.grad is None
    assert torch.equal(as_tensor(nodes["y"]["value"]), y.detach())
    assert torch.equal(as_tensor(nodes["loss"]["value"]), loss.detach())
    assert torch.equal(as_tensor(nodes["w"]["grad"]), expected_w)
    assert body["notes"] == [GRADIENTS_NOTE]


def test_show_after_backward_says_what_was_freed() -> None:
    w = torch.tensor(1.5, requires_grad=True)
    y = torch.tanh(w * 2)
    loss = (y - 1) ** 2
    loss.backward()
    body = json.loads(chainrule.show(loss).to_json(api=1))
    nodes = _by_name(body)
    assert body["notes"] == [FREED_NOTE]
    assert nodes["y"]["value"] is None
    assert nodes["w"]["value"]["data"] == 1.5


def test_show_refuses_what_is_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="chainrule.show takes a tensor, not list"):
        chainrule.show([1.0])  # type: ignore[arg-type]


PROGRAM = """import torch
w = torch.tensor(1.0, requires_grad=True)
loss = (w * 3 - 1) ** 2
loss.backward()
print(w.grad.item())
"""


def test_open_writes_the_player_of_a_program_file(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "player.html"
    done = subprocess.run([sys.executable, "-m", "chainrule", "open", str(program), "--out",
                           str(out)], capture_output=True, text=True, check=True)
    assert done.stdout == f"12.0\nchainrule: wrote {out}\n"
    embedded = json.loads(parsed(out.read_text(encoding="utf-8")).scripts["chainrule-embedded"])
    trace = json.loads(unpacked(embedded["trace"]))
    assert (embedded["title"], embedded["source"]) == ("chainrule: program.py", PROGRAM)
    assert trace["stdout"] == "12.0\n"
    assert [n["name"] for n in trace["nodes"] if n["kind"] == "leaf"] == ["w"]


def test_open_refuses_a_missing_file(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "chainrule", "open",
                           str(tmp_path / "missing.py")], capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{tmp_path / 'missing.py'}: no such file" in done.stderr


def test_an_error_in_the_recorded_program_reaches_the_caller(tmp_path: Path) -> None:
    program = tmp_path / "broken.py"
    program.write_text("import torch\nx = torch.ones(2) @ torch.ones(3)\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        chainrule.record_file(program)


def test_record_at_the_top_level_of_a_script_records(tmp_path: Path) -> None:
    script = tmp_path / "top.py"
    script.write_text("import json, torch, chainrule\nx = torch.ones(2, requires_grad=True)\n"
                      "with chainrule.record() as rec:\n    y = x * 3\n"
                      "print(json.loads(rec.to_json(api=1))['nodes'][0]['value']['data'])\n",
                      encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "[3.0, 3.0]\n"


def test_the_blocks_own_exception_comes_through_unchanged() -> None:
    with pytest.raises(KeyError, match="mine"), \
            chainrule.record(max_bytes=100) as rec:  # too small for any graph
        x = torch.ones(2, requires_grad=True) * 2
        raise KeyError("mine")
    assert isinstance(rec.error, ChainruleError)
    with pytest.raises(RuntimeError, match="the recording has no trace"):
        rec.to_json()
    assert x.shape == (2,)


def test_a_recording_names_only_what_its_block_used_and_keeps_none_of_it_alive(
        tmp_path: Path) -> None:
    """At a notebook cell's (a script's) top level. (Inside a function, Python 3.11 keeps
    the snapshot of its locals that naming them took until the function returns.)"""
    script = tmp_path / "cell.py"
    script.write_text(
        "import gc, json, weakref, torch, chainrule\nfrom torch import nn\n"
        "unrelated = torch.randn(1000, 10)  # a dataset in the notebook, not used below\n"
        "model = nn.Linear(2, 1)\nx = torch.ones(3, 2)\n"
        "with chainrule.record() as rec:\n    loss = model(x).sum()\n    loss.backward()\n"
        "print(sorted(json.loads(rec.to_json(api=1))['variables']))\n"
        "held = weakref.ref(model)\ndel model, loss\ngc.collect()\nprint(held() is None)\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "['loss', 'model.bias', 'model.weight', 'x']\nTrue\n"


def test_the_sandboxs_size_limit_does_not_apply_to_your_own_kernel() -> None:
    big = torch.ones(3000, 3000)  # 9,000,000 elements: past the server's per-op limit
    with chainrule.record() as rec:
        total = (big * 2).sum()
    assert total.item() == 18_000_000.0
    assert json.loads(rec.to_json(api=1))["nodes"][0]["name"] == "total"


def test_prints_inside_the_block_keep_the_streams_encoding() -> None:
    with chainrule.record():
        encoding = sys.stdout.encoding
    assert encoding == sys.stdout.encoding  # the stream's own, not None


def test_a_custom_function_from_another_file_has_no_place_rather_than_line_0(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cube.py").write_text(
        "import torch\n\nclass Cube(torch.autograd.Function):\n    @staticmethod\n"
        "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n        return x ** 3\n\n"
        "    @staticmethod\n    def backward(ctx, g):\n        (x,) = ctx.saved_tensors\n"
        "        return g * 3 * x ** 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    from cube import Cube  # type: ignore[import-not-found]

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with chainrule.record() as rec:
        y = Cube.apply(x).sum()
        y.backward()
    nodes = {n["op"]: n for n in json.loads(rec.to_json(api=1))["nodes"]}
    assert nodes["CubeBackward"]["span"] is None
    assert torch.equal(as_tensor(nodes["CubeBackward"]["value"]), x.detach() ** 3)


def test_open_runs_the_script_from_its_folder_with_its_own_argv(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "helper.py").write_text("SCALE = 3.0\n", encoding="utf-8")
    (folder / "prog.py").write_text(
        "import sys, torch\nfrom helper import SCALE\nprint(sys.argv)\n"
        "w = torch.tensor(1.0, requires_grad=True)\n(w * SCALE).backward()\n",
        encoding="utf-8")
    out = tmp_path / "p.html"
    done = subprocess.run([sys.executable, "-m", "chainrule", "open", str(folder / "prog.py"),
                           "--out", str(out)], capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    assert done.stdout.splitlines()[0] == f"['{folder / 'prog.py'}']"
