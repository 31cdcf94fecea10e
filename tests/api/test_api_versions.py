"""API v1 and v2 side by side: the same program gives v1's trace, and v2's with each
distinct tensor once; docs/api.md's migration function turns one into the other exactly;
the size limit and the worker's compression hold on both."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainrule.api.routes import accepts_gzip
from chainrule.app import create_app
from chainrule.content.examples import EXAMPLES
from chainrule.errors import ChainruleError, LimitError
from chainrule.pipeline import TraceJob, run, trace_to_json
from chainrule.settings import ServerSettings
from tests.conftest import strict_loads
from tests.wire import from_v2

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# A leaf stacked 1,000 times, backward() five times: v1 lists the same values at every step.
REPEATED = """import torch
w = torch.ones(1024, requires_grad=True)
rows = []
for i in range(1000):
    rows.append(w * 2)
x = torch.stack(rows)
loss = x.sum()
for k in range(5):
    loss.backward(retain_graph=True)
"""
SAVED_AND_OUTPUTS = """import torch
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 0.5, 3.0]], requires_grad=True)
values, indices = torch.max(x, 1)
y = (values * values.exp()).sum()
y.backward(retain_graph=True)
y.backward()
"""


def test_the_migration_function_in_the_docs_is_the_one_tested() -> None:
    block = re.search(r"```python client\n(.*?)```", API_MD.read_text(encoding="utf-8"), re.S)
    assert block is not None
    assert inspect.getsource(from_v2) in block.group(1)


@pytest.mark.parametrize("source", [SAVED_AND_OUTPUTS, *(e.source for e in EXAMPLES)],
                         ids=["max-saved-twice", *(e.id for e in EXAMPLES)])
def test_v2_read_back_is_v1_field_for_field(source: str) -> None:
    v1 = strict_loads(trace_to_json(source, api=1))
    v2 = strict_loads(trace_to_json(source, api=2))
    assert "tensors" not in v1
    assert from_v2(v2) == v1


def test_v2_writes_each_distinct_tensor_once() -> None:
    v2 = strict_loads(trace_to_json(SAVED_AND_OUTPUTS, api=2))
    written = [json.dumps(t, sort_keys=True) for t in v2["tensors"]]
    assert len(set(written)) == len(written)
    # Saved tensors are links, never bare indices that would read as numbers.
    saved = [v for n in v2["nodes"] for v in n["saved"].values() if isinstance(v, dict)]
    assert saved and all(list(v) == ["tensor"] for v in saved)


def test_the_repeated_backward_program_is_ten_times_smaller_and_fits_only_in_v2() -> None:
    v1 = run(TraceJob(REPEATED, api=1, max_bytes=10**9))
    v2 = run(TraceJob(REPEATED, api=2))
    assert len(strict_loads(v2)["tensors"]) == 12  # each distinct value once
    assert len(v1) > 10 * len(v2)
    with pytest.raises(LimitError) as refused:
        run(TraceJob(REPEATED, api=1))
    # Its tensors pass the limit long before the rest is written: the writing stops there.
    assert refused.value.message == (
        "the graph's response would be more than the 10.0 MB a response may be: its tensor "
        "values alone pass that (1,003 nodes, 5,015 backward steps): fewer ops or backward() "
        "calls, or smaller tensors, would fit")


def test_a_response_past_the_limit_keeps_what_the_program_printed() -> None:
    with pytest.raises(LimitError) as refused:
        run(TraceJob(REPEATED + "print('done', w.grad[:3])\n", api=2, max_bytes=100_000))
    assert refused.value.stdout == "done tensor([10000., 10000., 10000.])\n"  # 1,000 x 2 x 5


def test_a_response_past_the_servers_limit_is_refused_with_what_made_it_large() -> None:
    source = EXAMPLES[0].source
    size = len(trace_to_json(source, api=2))
    with TestClient(create_app(ServerSettings(workers=1, max_response_bytes=size - 1))) as client:
        refused = client.post("/api/v2/trace", json={"source": source})
        fits = client.post("/api/v1/trace", json={"source": "torch.tensor(2.0) * 3"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert error["message"].startswith(f"the graph's response would be {size / 1e3:.0f} kB, "
                                       f"more than the {(size - 1) / 1e3:.0f} kB a response may be")
    assert fits.status_code == 200


def test_a_trace_comes_gzip_compressed_by_its_worker_when_the_client_takes_gzip() -> None:
    source = EXAMPLES[0].source
    with TestClient(create_app(ServerSettings(workers=1))) as client:
        plain = client.post("/api/v2/trace", json={"source": source},
                            headers={"accept-encoding": "identity"})
        packed = client.post("/api/v2/trace", json={"source": source},
                             headers={"accept-encoding": "gzip;q=1, br;q=0.5"})
        refused_gzip = client.post("/api/v1/trace", json={"source": source},
                                   headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "accept-encoding"
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.content == plain.content  # httpx undid the gzip: the same bytes
    assert packed.content == trace_to_json(source, api=2)
    assert "content-encoding" not in refused_gzip.headers


@pytest.mark.parametrize(("header", "takes"), [
    ("gzip", True), ("deflate, gzip;q=0.8", True), ("*", True), ("GZIP", True),
    ("gzip;q=0", False), ("identity", False), ("", False), ("br", False),
    ("gzip;q=nonsense", False), ("*;q=0.5, gzip;q=0", False), ("gzip;foo=1;q=1", True),
    ("*;q=0", False), ("br, *;q=0.1", True),
])
def test_accept_encoding_is_read_as_rfc_9110_says(header: str, takes: bool) -> None:
    assert accepts_gzip(header) is takes


def test_running_out_of_memory_while_writing_the_graph_is_limit_exceeded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A MemoryError while the graph is written (not only while the program runs) is the
    program's limit, said as such; the worker's own MemoryError branch is never needed."""
    import chainrule.pipeline as pipeline

    def out_of_memory(*args: object, **kwargs: object) -> bytes:
        raise MemoryError

    monkeypatch.setattr(pipeline, "trace_payload", out_of_memory)
    with pytest.raises(LimitError) as refused:
        run(TraceJob(EXAMPLES[0].source))
    assert refused.value.message == "the program's graph needed more memory than it may use"


def test_an_error_with_a_partial_graph_stays_within_the_response_limit() -> None:
    """The partial graph of a program stopped by an error gets what the limit leaves the
    output and the error's own fields: past that, the error comes without it."""
    source = ("import torch\nx = torch.randn(1000, requires_grad=True)\ny = x\n"
              "for i in range(40):\n    y = y * 1.01\nprint('x' * 5000)\nz = y.view(3, 3)\n")
    with pytest.raises(ChainruleError) as whole:
        run(TraceJob(source, api=1))
    partial = whole.value.partial
    assert partial is not None
    limit = len(partial) + 5001 + 16_384  # the graph, the output and its newline, the fields
    with pytest.raises(ChainruleError) as fits:
        run(TraceJob(source, api=1, max_bytes=limit))
    assert fits.value.partial == partial
    with pytest.raises(ChainruleError) as over:
        run(TraceJob(source, api=1, max_bytes=limit - 1))
    assert over.value.partial is None
    assert over.value.stdout == "x" * 5000 + "\n"
