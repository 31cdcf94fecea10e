"""A catalogue of hostile and malformed requests against a live server.

Each row gets its exact status, error code, message and place; no row gets a 5xx or its
own input echoed back; every body parses as strict JSON (no NaN or Infinity tokens); and
after each row the same server process still answers /health and the seed program.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import RUNS_UNTIL_STOPPED, SEED, SEED_STDOUT, node_where, strict_loads
from tests.language.test_refused import REFUSED
from tests.server import LiveServer, ServerFailed, serve
from tests.wire import from_v2

TRACE = "/api/v1/trace"
JSON = {"content-type": "application/json"}
TIMEOUT_S = 5  # the wall-clock limit (the default)
ECHO_MIN_CHARS = 16  # a line of the request this long must never appear in an error
T = "import torch\n"
NN = "import torch\nimport torch.nn as nn\n"
LOG_WAIT_S = 10.0  # a safety net: each log line is written just after its response
BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NAME_RULE = ("variables: Value error, a variable name must be letters, digits and _, start "
             "with a letter, and not be a Python keyword")


@dataclass(frozen=True)
class Row:
    """One request and what must come back: an error (code, message, place), or a 200
    whose payload `check` inspects. `program` is the source the server runs (None: the
    request is refused before any program runs)."""

    id: str
    body: bytes | None
    status: int
    code: str | None = None
    message: str | None = None
    line: int | None = None
    col: int | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: JSON)
    method: str = "POST"
    path: str = TRACE
    check: Callable[[dict[str, Any]], None] | None = None
    program: str | None = None


def body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def refused(id: str, source: str, code: str, message: str, line: int | None = None,
            col: int | None = None) -> Row:
    """A program the server runs (or parses) and refuses with 422."""
    return Row(id, body(source=source), 422, code, message, line, col, program=source)


def bad_request(id: str, raw: bytes | None, status: int, code: str, message: str,
                headers: Mapping[str, str] = JSON, method: str = "POST",
                path: str = TRACE) -> Row:
    """A request refused before any program runs."""
    return Row(id, raw, status, code, message, headers=headers, method=method, path=path)


def runs(id: str, raw: bytes, check: Callable[[dict[str, Any]], None]) -> Row:
    return Row(id, raw, 200, check=check, program=json.loads(raw)["source"])


def output_value(expected: object) -> Callable[[dict[str, Any]], None]:
    def check(payload: dict[str, Any]) -> None:
        assert node_where(payload, id=payload["output"])["value"]["data"] == expected
    return check


def variable(name: str, part: str, expected: object) -> Callable[[dict[str, Any]], None]:
    def check(payload: dict[str, Any]) -> None:
        assert payload["variables"][name][part]["data"] == expected
    return check


def from_refused(key: str) -> Row:
    """A row of tests/language/test_refused.py's table, sent through the whole server."""
    row = REFUSED[key]
    return refused(key.replace("_", "-"), row.source, row.code, row.message, row.line, row.col)


# Escapes test_refused.py holds in-process, then those only this catalogue sends.
SANDBOX_ESCAPES = [from_refused(key) for key in (
    "dunder_import", "open", "eval", "exec", "getattr", "globals", "os_system", "from_os",
    "fullwidth_module", "star_import", "torch_load", "torch_save", "torch_hub", "torch_ops",
    "torch_from_file", "set_num_threads", "fullwidth_eval", "fstring_dunder", "format_reaches_in",
    "tensor_hook", "grad_fn_hook", "module_hook", "cuda_device", "device_by_position", "with_as",
    "method_dunder_class", "metaclass")] + [
    refused("class-bases", "().__class__.__bases__", "not_allowed",
            "attribute '__bases__' is not allowed", 1, 0),
    refused("os-listdir", "import os\nos.listdir('.')", "not_allowed",
            "'os.listdir' is not available: chainrule programs have no files, environment or "
            "network", 2, 0),
    refused("torch-utils", T + "x = torch.utils.cpp_extension", "not_allowed",
            "'torch.utils.cpp_extension' is not available", 2, 4),
    refused("import-torch-C", "import torch._C", "not_allowed",
            "import of 'torch._C' is not allowed", 1, 0),
    refused("compile", "compile('1', 'f', 'eval')", "not_allowed",
            "function 'compile' is not available", 1, 0),
    refused("builtins-name", "__builtins__", "not_allowed",
            "name '__builtins__' is not allowed", 1, 0),
    refused("lambda-dunder", "f = lambda: f.__code__", "not_allowed",
            "attribute '__code__' is not allowed", 1, 12),
    refused("comprehension-dunder", "xs = [i.__class__ for i in range(3)]", "not_allowed",
            "attribute '__class__' is not allowed", 1, 6),
    refused("cyrillic-e-eval", "\u0435val('1')", "not_allowed",
            "function '\u0435val' is not available", 1, 0),
    refused("bidi-override", "x = 1 \u202e # hi", "syntax_error",
            "invalid syntax: invalid non-printable character U+202E", 1, 6),
    refused("grad-fn-saved-self",
            T + "x = torch.ones(1, requires_grad=True)\ny = x * x\nv = y.grad_fn._saved_self",
            "not_allowed", "attribute '_saved_self' is not allowed", 4, 4),
    refused("module-dict", NN + "model = nn.Linear(1, 1)\nd = model.__dict__", "not_allowed",
            "attribute '__dict__' is not allowed", 4, 4),
    refused("data-ptr", T + "x = torch.ones(1)\nx.data_ptr()", "not_allowed",
            "'.data_ptr()' is not available: memory addresses are not shown", 3, 0),
    refused("storage", T + "x = torch.ones(1)\nx.storage()", "not_allowed",
            "'.storage()' is not available: a tensor's storage is not available; use the "
            "tensor itself", 3, 0),
    refused("as-strided", T + "x = torch.ones(1)\ny = x.as_strided((1000000, 1000000), (0, 0))",
            "not_allowed", "attribute 'as_strided' is not allowed", 3, 4),
    refused("print-to-file", "print(1, file=None)", "not_allowed",
            "keyword argument 'file' is not allowed", 1, 9),
    refused("class-from-type", "class A(type):\n    pass", "not_allowed",
            "name 'type' is not available", 1, 8),
]

RESOURCE_BOMBS = [
    refused("ones-10e6-squared", T + "x = torch.ones(10**6, 10**6)", "limit_exceeded",
            "this would make a tensor of 1000000000000 elements (1000000x1000000); "
            "the limit is 4000000", 2, 4),
    refused("broadcast-bomb", T + "x = torch.ones(100000) * torch.ones(100000, 1)",
            "limit_exceeded", "this would make a tensor of 10000000000 elements "
            "(100000x100000); the limit is 4000000", 2, 4),
    refused("einsum-bomb", T + "a = torch.ones(2000)\nb = torch.einsum('i,j,k->ijk', a, a, a)",
            "limit_exceeded", "this would make a tensor of 8000000000 elements "
            "(2000x2000x2000); the limit is 4000000", 3, 4),
    refused("nested-tensor-literal", T + "x = torch.tensor([[0.0] * 100000] * 100000)",
            "limit_exceeded", "this would make a tensor of more than 4000000 elements", 2, 4),
    refused("linear-bomb", NN + "m = nn.Linear(100000, 100000)", "limit_exceeded",
            "this would make a tensor of 10000000000 elements (100000x100000); "
            "the limit is 4000000", 3, 4),
    # Each tensor is freed as the next replaces it: memory stays flat until the wall clock.
    refused("allocation-loop-past-wall-clock",
            T + "for i in range(1000):\n    for j in range(1000):\n"
            "        x = torch.ones(2000, 2000)",
            "timeout", f"the program ran longer than {TIMEOUT_S} s and was stopped"),
    refused("power-tower", "x = 9**9**9", "limit_exceeded",
            "integer results are limited to 1e+15", 1, 4),
    refused("string-times-1e9", "x = 'a' * 10**9", "limit_exceeded",
            "strings are limited to 100000 characters", 1, 4),
    refused("recursion-bomb", "def f(n):\n    return f(n + 1)\nf(0)", "limit_exceeded",
            "functions called each other more than 200 deep (a recursion without an end?)",
            2, 11),
    refused("list-times-1e9", "x = [0] * 10**9", "limit_exceeded",
            "lists are limited to 100000 items", 1, 4),
    refused("brackets-1000-deep", "x = " + "(" * 1000 + "1" + ")" * 1000, "limit_exceeded",
            "brackets are nested more than 100 deep", 1, 104),
    refused("unary-3000-deep", "x = " + "-" * 3000 + "1", "limit_exceeded",
            "the program is nested too deeply to parse (the limit is 60 levels)"),
    refused("10000-lines", "#\n" * 10000, "limit_exceeded",
            "the program is longer than 500 lines"),
    bad_request("source-over-20000-chars", body(source="x=1\n" * 10000), 422,
                "invalid_request", "source: String should have at most 20000 characters"),
    # (The step budget itself is held in-process by tests/language/test_refused.py: on a
    # loaded machine 5,000,000 steps can take as long as the wall clock allows.)
    refused("print-bomb",
            T + "x = torch.ones(100)\nfor i in range(1000):\n    print(x, x, x, x, x)",
            "limit_exceeded", "the program printed more than 100000 characters", 4, 4),
    refused("dot-loop-past-wall-clock", RUNS_UNTIL_STOPPED, "timeout",
            f"the program ran longer than {TIMEOUT_S} s and was stopped"),
]

MALFORMED_REQUESTS = [
    bad_request("truncated-json", b'{"source": "1"', 422, "malformed_json",
                "the request body is not valid JSON"),
    bad_request("raw-control-in-json", b'{"source": "x = 1\x07"}', 422, "malformed_json",
                "the request body is not valid JSON"),
    bad_request("not-utf8", b'{"source": "\xff\xfe"}', 422, "malformed_json",
                "the request body is not valid JSON"),
    bad_request("json-5000-deep", b'{"source": "1", "variables": {"x": {"value": '
                + b"[" * 5000 + b"]" * 5000 + b"}}}", 422, "malformed_json",
                "the request body is not valid JSON"),
    bad_request("integer-of-5000-digits", b'{"source": "x", "variables": {"x": {"value": 1'
                + b"0" * 5000 + b"}}}", 422, "malformed_json",
                "the request body is not valid JSON"),
    bad_request("json-array", b"[1, 2]", 422, "invalid_request",
                "the request body must be a JSON object"),
    bad_request("json-null", b"null", 422, "invalid_request",
                "the request body must be a JSON object"),
    bad_request("empty-body", b"", 422, "invalid_request", "the request body is empty"),
    bad_request("source-missing", b"{}", 422, "invalid_request", "source: Field required"),
    bad_request("source-a-number", body(source=1), 422, "invalid_request",
                "source: Input should be a valid string"),
    bad_request("source-null", body(source=None), 422, "invalid_request",
                "source: Input should be a valid string"),
    bad_request("unknown-field", body(source="1", evil=True), 422, "invalid_request",
                "evil: Extra inputs are not permitted"),
    bad_request("unknown-field-markup", body(source="1", **{"<script>alert(1)</script>": 1}),
                422, "invalid_request", "…: Extra inputs are not permitted"),
    bad_request("nan-token", b'{"source": "x * 2", "variables": {"x": {"value": NaN}}}', 422,
                "invalid_request", "variables.x.value: Input should be a finite number"),
    bad_request("infinity-token", b'{"source": "x * 2", "variables": {"x": {"value": Infinity}}}',
                422, "invalid_request", "variables.x.value: Input should be a finite number"),
    bad_request("minus-infinity-in-list",
                b'{"source": "x * 2", "variables": {"x": {"value": [1.0, -Infinity]}}}', 422,
                "invalid_request", "variables.x.value: Input should be a valid number"),
    bad_request("float-1e400", b'{"source": "x * 2", "variables": {"x": {"value": 1e400}}}', 422,
                "invalid_request", "variables.x.value: Input should be a finite number"),
    bad_request("integer-of-400-digits", b'{"source": "x * 2", "variables": {"x": {"value": 1'
                + b"0" * 400 + b"}}}", 422, "invalid_request",
                "variables.x.value: Input should be a valid number"),
    bad_request("value-a-string", body(source="x * 2", variables={"x": {"value": "1"}}), 422,
                "invalid_request", "variables.x.value: Input should be a valid number"),
    bad_request("requires-grad-a-string",
                body(source="x * 2", variables={"x": {"value": 1, "requires_grad": "yes"}}),
                422, "invalid_request",
                "variables.x.requires_grad: Input should be a valid boolean"),
    bad_request("variable-name-dunder", body(source="x", variables={"__class__": {"value": 1}}),
                422, "invalid_request", NAME_RULE),
    bad_request("variable-name-markup", body(source="x", variables={"<img src=x>": {"value": 1}}),
                422, "invalid_request", NAME_RULE),
    bad_request("65-variables",
                body(source="x", variables={f"v{i}": {"value": 1} for i in range(65)}), 422,
                "invalid_request",
                "variables: Dictionary should have at most 64 items after validation, not more"),
    bad_request("output-over-200-chars", body(source="1", output="y" * 300), 422,
                "invalid_request", "output: String should have at most 200 characters"),
    bad_request("lone-surrogate", b'{"source": "x = 1\\ud800"}', 422, "invalid_request",
                "source: Input should be a valid string, unable to parse raw data as a "
                "unicode string"),
    bad_request("control-character", b'{"source": "x = 1\\u0007"}', 422, "invalid_request",
                "source: Value error, text must not contain control characters"),
    bad_request("nul-character", b'{"source": "x = 1\\u0000"}', 422, "invalid_request",
                "source: Value error, text must not contain control characters"),
    bad_request("body-over-64-KiB", body(source="x" * 70_000), 413, "body_too_large",
                "the request body is larger than 65536 bytes"),
    bad_request("declared-length-over-64-KiB", b"{}", 413, "body_too_large",
                "the request body is larger than 65536 bytes",
                headers={**JSON, "content-length": "1000000000"}),
    bad_request("content-length-and-transfer-encoding", b"0\r\n\r\n", 400, "bad_request",
                "a request may not carry both Content-Length and Transfer-Encoding: send "
                "one of them",
                headers={**JSON, "content-length": "5", "transfer-encoding": "chunked"}),
    bad_request("text-plain", body(source="1"), 415, "unsupported_media_type",
                "the request body must be JSON, sent with content-type: application/json",
                headers={"content-type": "text/plain"}),
    bad_request("form-encoded", b"source=1", 415, "unsupported_media_type",
                "the request body must be JSON, sent with content-type: application/json",
                headers={"content-type": "application/x-www-form-urlencoded"}),
    bad_request("get-trace", None, 405, "method_not_allowed", "Method Not Allowed",
                headers={}, method="GET"),
    bad_request("put-trace", body(source="1"), 405, "method_not_allowed", "Method Not Allowed",
                method="PUT"),
    bad_request("unknown-api-path", None, 404, "not_found", "Not Found", headers={},
                method="GET", path="/api/v1/%3Cscript%3E"),
]

NUMERIC_EDGES = [
    runs("divide-by-zero-gives-strings",
         body(source=T + "x = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)\ny = x / 0"),
         output_value(["nan", "inf", "-inf"])),
    runs("nan-tensor", body(source=T + "x = torch.tensor(float('nan'))"),
         variable("x", "value", "nan")),
    runs("log-zero-backward",
         body(source=T + "x = torch.tensor(0.0, requires_grad=True)\ny = torch.log(x)\n"
              "y.backward()"),
         variable("x", "grad", "inf")),
    runs("float32-overflow",
         body(source=T + "x = torch.tensor(3e38, requires_grad=True)\ny = x * 10\ny.backward()"),
         output_value("inf")),
    runs("integer-variable-past-float32",
         b'{"source": "x * 2", "variables": {"x": {"value": 1' + b"0" * 40 + b"}}}",
         output_value("inf")),
    refused("integer-literal-1e30", "x = 123456789012345678901234567890", "limit_exceeded",
            "integer literals are limited to 1e+15", 1, 4),
    refused("integer-result-1e100", "x = 10**100", "limit_exceeded",
            "integer results are limited to 1e+15", 1, 4),
    refused("int-tensor-requires-grad", T + "x = torch.tensor(1, requires_grad=True)",
            "torch_error",
            "Only Tensors of floating point and complex dtype can require gradients", 2, 4),
    refused("backward-twice",
            T + "x = torch.tensor(2.0, requires_grad=True)\ny = x * x\ny.backward()\n"
            "y.backward()", "torch_error", BACKWARD_TWICE, 5, 0),
    refused("backward-of-a-vector", T + "x = torch.ones(2, requires_grad=True)\ny = x * 2\n"
            "y.backward()", "torch_error", "grad can be implicitly created only for scalar "
            "outputs: this tensor has shape [2]; reduce it first with .sum() or .mean(), or "
            "pass gradient=...", 4, 0),
]



def histogram(name: str, counts: list[int]) -> Callable[[dict[str, Any]], None]:
    def check(payload: dict[str, Any]) -> None:
        assert payload["variables"][name]["value"]["summary"]["histogram"]["counts"] == counts
    return check


def checked_leaf(name: str, analytic: list[float]) -> Callable[[dict[str, Any]], None]:
    def check(payload: dict[str, Any]) -> None:
        result = payload["check"]
        (leaf,) = result["leaves"]
        assert (result["error"], leaf["name"], leaf["analytic"]) == (None, name, analytic)
        assert leaf["numeric"][0] == pytest.approx(analytic[0], rel=1e-9)
    return check


NESTED_1000 = (NN + "m = nn.Linear(1, 1)\nfor i in range(1000):\n    m = nn.Sequential(m)\n"
               "m(torch.ones(1, 1)).sum().backward()")
UPSTREAM = T + "w = torch.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y * y\nz.backward()\n"

# Issue 16: programs that ran, then met a 500 (or burnt the CPU to the wall clock, or made a
# tensor past the limit) after the sandbox had held.
# A 1,024-element leaf stacked 1,000 times and five backward(retain_graph=True) calls:
# v1 lists the same values at every step (81 MB); v2 writes each distinct tensor once.
REPEATED_BACKWARD = (T + "w = torch.ones(1024, requires_grad=True)\nrows = []\n"
                     "for i in range(1000):\n    rows.append(w * 2)\nx = torch.stack(rows)\n"
                     "loss = x.sum()\nfor k in range(5):\n    loss.backward(retain_graph=True)\n")


def leaf_grads_in_v2(name: str, arrived: list[float],
                     accumulated: list[float]) -> Callable[[dict[str, Any]], None]:
    """The gradient that reached the leaf in the last backward() call, and its .grad."""
    def check(payload: dict[str, Any]) -> None:
        trace = from_v2(payload)
        assert node_where(trace, name=name)["grad"]["data"] == arrived
        assert trace["variables"][name]["grad"]["data"] == accumulated
    return check


AFTER_THE_RUN = [
    refused("response-past-the-size-limit-in-v1", REPEATED_BACKWARD, "limit_exceeded",
            "the graph's response would be more than the 10.0 MB a response may be: its "
            "tensor values alone pass that (1,003 nodes, 5,015 backward steps): fewer ops or "
            "backward() calls, or smaller tensors, would fit"),
    Row("the-same-program-fits-in-v2", body(source=REPEATED_BACKWARD), 200,
        path="/api/v2/trace", check=leaf_grads_in_v2("w", [2000.0] * 1024, [10000.0] * 1024),
        program=REPEATED_BACKWARD),
    runs("float64-near-largest-histogram",
         body(source=T + "x = torch.tensor([1.7e308, 0.0] * 600, dtype=torch.float64)\n"
              "y = x.sum()"), histogram("x", [600] + [0] * 14 + [600])),
    refused("linear-privateuseone-by-position",
            NN + "m = nn.Linear(2, 2, True, 'privateuseone')\ny = m.weight * 2", "not_allowed",
            "chainrule runs on the CPU: device 'privateuseone' is not available here "
            "(torch.device('cpu') and .to('cpu') are)", 3, 4),
    refused("layer-norm-meta-by-position",
            NN + "m = nn.LayerNorm(2, 1e-05, True, True, 'meta')\ny = m.weight * 2",
            "not_allowed", "chainrule runs on the CPU: device 'meta' is not available here "
            "(torch.device('cpu') and .to('cpu') are)", 3, 4),
    refused("embedding-sparse-by-position-then-backward",
            NN + "e = nn.Embedding(10, 3, None, None, 2.0, False, True)\n"
            "e(torch.tensor([1])).sum().backward()", "not_allowed",
            "sparse gradients are not available in chainrule", 3, 4),
    *(from_refused(key) for key in (
        "device_by_position_lstm", "device_by_position_rnn", "sparse_by_position",
        "sparse_by_position_functional", "cuda_tensor_type", "huge_replicate_pad",
        "huge_repeat_interleave", "huge_bincount", "huge_nonzero", "huge_in_custom_backward",
        "huge_index_list",
        "huge_index_list_assigned", "huge_sum_of_lists", "huge_round", "deep_module_text",
        "shared_modules_doubling")),
    refused("sequential-1000-deep", NESTED_1000, "limit_exceeded",
            "modules are nested more than 100 deep", 5, 8),
    runs("check-of-an-output-upstream-of-backward",
         body(source=UPSTREAM, output="y", check=True), checked_leaf("w", [36.0])),
]

ROWS = SANDBOX_ESCAPES + RESOURCE_BOMBS + MALFORMED_REQUESTS + NUMERIC_EDGES + AFTER_THE_RUN


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"CHAINRULE_WORKERS": "2", "CHAINRULE_TIMEOUT_S": str(TIMEOUT_S)}
    try:
        with serve(tmp_path_factory.mktemp("hostile"), env) as live:
            live.wait_for_record(lambda r: r["path"] == "/api/v1/health")  # serve()'s check
            yield live
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def server_pid(server: LiveServer) -> int:
    return server.process.pid


def request_texts(row: Row) -> list[str]:
    """The request as text: the raw body and, for JSON bodies, the source."""
    raw = (row.body or b"").decode("utf-8", errors="replace")
    texts = [raw]
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return texts
    if isinstance(parsed, dict) and isinstance(parsed.get("source"), str):
        texts.append(parsed["source"])
    return texts


def echoed_lines(texts: list[str], output: str) -> list[str]:
    """Lines of the request, long enough to mean something, that `output` repeats."""
    return [line for text in texts for line in text.splitlines()
            if len(line.strip()) >= ECHO_MIN_CHARS and line.strip() in output]


def assert_still_serving(server: LiveServer, pid: int) -> None:
    assert server.process.poll() is None
    assert server.process.pid == pid
    health = server.request("GET", "/api/v1/health")
    assert (health.status, strict_loads(health.body)) == (200, {"status": "ok"})
    seed = server.request("POST", TRACE, body(source=SEED), JSON)
    assert seed.status == 200
    assert strict_loads(seed.body)["stdout"] == SEED_STDOUT


def digest(source: str) -> str:
    """The source's hash as the request log holds it."""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def records_after(server: LiveServer, before: int, count: int) -> list[dict[str, Any]]:
    """The `count` request-log records written after the first `before` (each request's
    line is written just after its response: wait for them)."""
    deadline = time.monotonic() + LOG_WAIT_S
    while len(records := server.log_records()) < before + count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(records) == before + count
    return records[before:]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_hostile_request_gets_its_exact_answer_and_the_server_carries_on(
        server: LiveServer, server_pid: int, row: Row) -> None:
    before = len(server.log_records())
    reply = server.request(row.method, row.path, row.body, row.headers)
    assert reply.status == row.status, reply.body[:500]
    payload = strict_loads(reply.body)
    if row.check is not None:
        row.check(payload)
    else:
        error = payload["error"]
        placed = {key: error[key] for key in ("code", "message", "line", "col")}
        assert placed == {"code": row.code, "message": row.message, "line": row.line,
                          "col": row.col}
        # Beyond its place, a program stopped at run time carries only what it printed
        # and the graph of what ran before (both optional; the API tests check them).
        assert set(error) - set(placed) <= {"stdout", "partial"}
        assert echoed_lines(request_texts(row), payload["error"]["message"]) == []
    if row.status == 405:
        assert reply.headers["allow"] == "POST"
    assert_still_serving(server, server_pid)
    # Three lines since: this request's, then the health check's and the seed program's.
    logged = [r for r in records_after(server, before, 3)
              if r["path"] != "/api/v1/health" and r.get("source_sha256") != digest(SEED)]
    assert [(r["method"], r["status"], r.get("error")) for r in logged] == [
        (row.method, row.status, row.code)]
    # The request log holds a hash of the source, never the source.
    assert logged[0].get("source_sha256") == (None if row.program is None else
                                              digest(row.program))
    assert echoed_lines(request_texts(row)[1:], server.log_text()) == []


def test_request_log_line_has_its_fields_and_never_the_source(server: LiveServer) -> None:
    marker = "log_marker_7f3a"
    source = T + f"{marker} = torch.ones(2)\nloss = {marker}.sum() + undefined_name\n"
    reply = server.request("POST", TRACE, body(source=source), JSON)
    assert reply.status == 422
    record = server.wait_for_record(lambda r: r.get("source_sha256") == digest(source))
    assert set(record) == {"id", "method", "path", "status", "ms", "source_sha256", "worker",
                           "wait_ms", "error"}
    assert (record["method"], record["path"], record["status"], record["error"]) == (
        "POST", TRACE, 422, "unknown_name")
    assert isinstance(record["worker"], int) and record["worker"] != server.process.pid
    assert isinstance(record["ms"], float) and record["ms"] > 0
    assert isinstance(record["wait_ms"], int | float) and 0 <= record["wait_ms"] <= record["ms"]
    records = server.log_records()
    assert len({r["id"] for r in records}) == len(records)
    log = server.log_text()
    assert marker not in log
    assert "undefined_name" not in log
