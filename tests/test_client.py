"""`chainrule.Client` against a live server, and its 503 retries against a stand-in."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import chainrule
from chainrule.api.schemas import TraceOut, TraceOutV2
from chainrule.client import ApiError
from chainrule.content.examples import SEED_SOURCE
from chainrule.errors import NotAllowedError, Overloaded, ProgramSyntaxError
from tests.server import LiveServer, free_port, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("client"), {"CHAINRULE_WORKERS": "1"}) as live:
        yield live


def _leaf_grads(trace: TraceOutV2) -> dict[str, list[float]]:
    """name -> gradient data, read through the v2 tensor table."""
    found = {}
    for node in trace.nodes:
        if node.kind == "leaf" and node.grad is not None:
            found[node.name] = trace.tensors[node.grad].data
    return found


def test_a_trace_comes_back_as_the_schemas_model_with_torchs_gradients(
        server: LiveServer) -> None:
    source = ("import torch\nw = torch.tensor(2.0, requires_grad=True)\n"
              "x = torch.tensor(3.0)\nloss = (w * x - 1) ** 2\nloss.backward()\n")
    trace = chainrule.Client(server.base_url).trace(source)
    w = torch.tensor(2.0, requires_grad=True)
    ((w * torch.tensor(3.0) - 1) ** 2).backward()
    assert isinstance(trace, TraceOutV2)
    assert _leaf_grads(trace) == {"w": w.grad.item()}


def test_api_1_answers_with_tensors_inline(server: LiveServer) -> None:
    trace = chainrule.Client(server.base_url, api=1).trace("import torch\nx = torch.ones(2) * 3\n")
    assert isinstance(trace, TraceOut)
    assert trace.nodes[0].value.data == [3.0, 3.0]  # n0: the graph's output, x


def test_an_expressions_variables_are_bound(server: LiveServer) -> None:
    trace = chainrule.Client(server.base_url).trace(
        "w * x", variables={"w": {"value": 2.0, "requires_grad": True}, "x": 5.0})
    assert _leaf_grads(trace) == {"w": 5.0}


def test_a_syntax_error_raises_its_class_with_line_and_column(server: LiveServer) -> None:
    with pytest.raises(ProgramSyntaxError) as caught:
        chainrule.Client(server.base_url).trace("import torch\nx = (1 +\n")
    error = caught.value
    assert (error.code, error.line, error.status) == ("syntax_error", 2, 422)  # type: ignore[attr-defined]
    assert error.col is not None


def test_a_refused_program_raises_not_allowed(server: LiveServer) -> None:
    with pytest.raises(NotAllowedError) as caught:
        chainrule.Client(server.base_url).trace("x = ().__class__\n")
    assert caught.value.code == "not_allowed"
    assert caught.value.line == 1


def test_a_torch_error_keeps_the_partial_graph(server: LiveServer) -> None:
    source = "import torch\na = torch.ones(2, requires_grad=True) * 2\nb = a @ torch.ones(3)\n"
    with pytest.raises(chainrule.client.ChainruleError) as caught:  # type: ignore[attr-defined]
        chainrule.Client(server.base_url).trace(source)
    error = caught.value
    assert (error.code, error.line) == ("torch_error", 3)
    partial = error.partial_trace  # type: ignore[attr-defined]
    assert [n.op for n in partial.nodes if n.kind == "op"] == ["MulBackward0"]


def test_health_examples_and_lessons_come_back_as_models(server: LiveServer) -> None:
    client = chainrule.Client(server.base_url)
    assert client.health().status == "ok"
    assert SEED_SOURCE in [e.source for e in client.examples()]
    assert "gradient-descent" in [lesson.id for lesson in client.lessons()]


def test_the_documented_example_runs_as_docs_api_md_says(server: LiveServer) -> None:
    """docs/api.md's client block, against this server: what it prints is what its comments
    say (the tests' own text, run as CPython runs it)."""
    import contextlib
    import io
    import re

    api_md = Path(__file__).resolve().parents[1] / "docs" / "api.md"
    block = re.search(r"```python rest-client\n(.*?)```", api_md.read_text(encoding="utf-8"),
                      re.S)
    assert block is not None
    source = block.group(1).replace("http://127.0.0.1:8000", server.base_url)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<docs/api.md>", "exec"), {})  # noqa: S102 - the docs' own text
    assert printed.getvalue() == "30.0\nsyntax_error 2 4 422\n"


# --- 503: retried after Retry-After ----------------------------------------------------------

class _Busy(http.server.BaseHTTPRequestHandler):
    """Answers 503 with Retry-After: 2 the first `busy` times, then health."""

    busy = 2
    seen = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).seen += 1
        if type(self).seen <= type(self).busy:
            body = (b'{"error":{"code":"overloaded","message":"the server is busy",'
                    b'"line":null,"col":null}}')
            self.send_response(503)
            self.send_header("Retry-After", "2")
        else:
            body = b'{"status":"ok"}'
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def busy_server() -> Iterator[str]:
    _Busy.seen = 0
    httpd = http.server.HTTPServer(("127.0.0.1", free_port()), _Busy)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        thread.join()


def test_a_503_is_retried_after_its_retry_after(busy_server: str) -> None:
    waits: list[float] = []
    client = chainrule.Client(busy_server, sleep=waits.append)
    assert client.health().status == "ok"
    assert waits == [2.0, 2.0]


def test_a_503_past_the_retries_raises_overloaded(busy_server: str) -> None:
    waits: list[float] = []
    client = chainrule.Client(busy_server, retries=1, sleep=waits.append)
    with pytest.raises(Overloaded) as caught:
        client.health()
    assert (caught.value.status, waits) == (503, [2.0])  # type: ignore[attr-defined]


def test_an_error_code_without_a_class_keeps_its_code() -> None:
    error = chainrule.client.error_of(  # type: ignore[attr-defined]
        429, b'{"error":{"code":"rate_limited","message":"slow down","line":null,"col":null}}')
    assert isinstance(error, ApiError)
    assert (error.code, error.message, error.status) == ("rate_limited", "slow down", 429)  # type: ignore[attr-defined]


def test_the_client_needs_no_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    probe = "import sys, chainrule; chainrule.Client; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip() == "False"


def test_a_retry_after_that_is_not_a_number_waits_a_second() -> None:
    from chainrule.client import _retry_after

    assert [_retry_after(v) for v in ("nan", "inf", "-3", "Wed, 21 Oct 2026 07:28:00 GMT",
                                      None, "4")] == [1.0, 1.0, 0.0, 1.0, 1.0, 4.0]
