"""`chainrule.Client`: the REST API from Python (notebooks, autograders, scripts).

    client = chainrule.Client("http://127.0.0.1:8000")
    trace = client.trace("import torch\\nw = torch.tensor(1.0, requires_grad=True)\\n...")
    trace.nodes[0].grad                       # pydantic models of the API schema (v2)

Answers are the schema's own models (api/schemas.py: TraceOutV2, or TraceOut with api=1);
an error answer raises the ChainruleError subclass of its `code` (errors.py), carrying
`code`, `message`, `line`, `col`, the HTTP `status` and, where the program ran partway,
`partial` (the graph before the error) and `stdout`. A 503 (every worker busy) is retried
after the `Retry-After` it gives, a few times. The standard library's HTTP client only:
no torch, no other package.
"""

from __future__ import annotations

import math
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter

from chainrule.api.schemas import (
    ErrorOut,
    ErrorOutV2,
    ExampleOut,
    HealthOut,
    LessonOut,
    TraceOut,
    TraceOutV2,
    TraceRequest,
)
from chainrule.errors import ChainruleError

DEFAULT_URL = "http://127.0.0.1:8000"
RETRIES_503 = 3
MAX_RETRY_AFTER_S = 30.0


class ApiError(ChainruleError):
    """An error answer whose code errors.py has no class for (rate_limited,
    body_too_large, request_timeout, invalid_request, ...): `code` is the answer's."""

    def __init__(self, code: str, message: str, line: int | None = None,
                 col: int | None = None) -> None:
        super().__init__(message, line, col)
        self.code = code


def _error_classes() -> dict[str, type[ChainruleError]]:
    found: dict[str, type[ChainruleError]] = {}
    stack = list(ChainruleError.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls is not ApiError:
            found.setdefault(cls.code, cls)
    return found


def error_of(status: int, body: bytes, api: int = 2) -> ChainruleError:
    """The exception an error answer stands for (its `status` attached)."""
    try:
        detail = (ErrorOutV2 if api == 2 else ErrorOut).model_validate_json(body).error
    except ValueError:
        error: ChainruleError = ApiError("http_error", f"HTTP {status}: "
                                         f"{body[:200].decode(errors='replace')}")
    else:
        cls = _error_classes().get(detail.code)
        error = ApiError(detail.code, detail.message, detail.line, detail.col) if cls is None \
            else cls(detail.message, detail.line, detail.col, torch_message=detail.torch_message,
                     names=detail.names, stdout=detail.stdout)
        error.partial_trace = detail.partial  # type: ignore[attr-defined]
    error.status = status  # type: ignore[attr-defined]
    return error


class Client:
    """A chainrule server's API, version `api` (2: each tensor once, in a table; 1: inline)."""

    def __init__(self, base_url: str = DEFAULT_URL, *, api: int = 2, timeout_s: float = 60.0,
                 retries: int = RETRIES_503,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if api not in (1, 2):
            raise ValueError("api is 1 or 2")
        self.base_url = base_url.rstrip("/")
        self.api = api
        self.timeout_s = timeout_s
        self.retries = retries
        self._sleep = sleep  # waiting out Retry-After (tests pass their own)

    def trace(self, source: str, *, variables: dict[str, Any] | None = None,
              output: str | None = None, check: bool = False) -> TraceOut | TraceOutV2:
        """Run and trace `source` on the server. `variables`: `{name: value}` or
        `{name: {"value": ..., "requires_grad": ...}}` for a single expression's inputs."""
        bound = {name: spec if isinstance(spec, dict) else {"value": spec}
                 for name, spec in (variables or {}).items()}
        request = TraceRequest.model_validate({"source": source, "variables": bound,
                                               "output": output, "check": check})
        body = request.model_dump_json(exclude_defaults=True).encode()
        answer = self._send("POST", "/trace", body)
        model: type[BaseModel] = TraceOutV2 if self.api == 2 else TraceOut
        return model.model_validate_json(answer)  # type: ignore[return-value]

    def health(self) -> HealthOut:
        return HealthOut.model_validate_json(self._send("GET", "/health"))

    def examples(self) -> list[ExampleOut]:
        return TypeAdapter(list[ExampleOut]).validate_json(self._send("GET", "/examples"))

    def lessons(self) -> list[LessonOut]:
        return TypeAdapter(list[LessonOut]).validate_json(self._send("GET", "/lessons"))

    def _send(self, method: str, path: str, body: bytes | None = None) -> bytes:
        url = f"{self.base_url}/api/v{self.api}{path}"
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return bytes(response.read())
            except urllib.error.HTTPError as answer:
                content = answer.read()
                if answer.code == 503 and attempt < self.retries:
                    self._sleep(_retry_after(answer.headers.get("Retry-After")))
                    continue
                raise error_of(answer.code, content, self.api) from None
        raise AssertionError("unreachable")  # the loop returns or raises


def _retry_after(value: str | None) -> float:
    """Seconds to wait, from a Retry-After of seconds (1 when absent or a date)."""
    try:
        seconds = float(value or 1)
    except ValueError:
        return 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S) if math.isfinite(seconds) else 1.0
