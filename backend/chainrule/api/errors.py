"""Errors mapped to HTTP in one place: every failure is `{"error": {code, message, line, col}}`
(a program's error with what it carries besides: ChainruleError.extras)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainrule.api.admission import RateLimited
from chainrule.errors import ChainruleError
from chainrule.serialize import dumps, embedded
from chainrule.settings import ROOM_RETRY_AFTER_S


def error_response(status: int, code: str, message: str, line: int | None = None,
                   col: int | None = None, headers: Mapping[str, str] | None = None,
                   extras: Mapping[str, object] | None = None) -> Response:
    """The one error body: {"error": {code, message, line, col}}, and what a program's error
    carries besides (ChainruleError.extras: torch_message, names, stdout, partial), each
    only when known. `partial` comes as a TraceOut's JSON bytes and goes in as it is."""
    detail: dict[str, object] = {"code": code, "message": message, "line": line, "col": col}
    for key, value in (extras or {}).items():
        detail[key] = embedded(value) if isinstance(value, bytes) else value
    body = {"error": detail}
    return Response(dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


# Status per error code; every other ChainruleError is a program that can't be run: 422.
STATUS = {"worker_crashed": 503, "overloaded": 503, "rate_limited": 429, "internal_error": 500,
          "room_not_found": 404, "forbidden": 403, "answer_refused": 409, "room_busy": 503}
RETRY_AFTER_S = {"worker_crashed": 1, "overloaded": 2, "room_busy": ROOM_RETRY_AFTER_S}


# Keys the client chose (variable names, unknown fields) appear in a message only when short
# and plain; anything else shows as "…", so an error never echoes the input back.
_SHOWN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_BODY_MESSAGES = {
    "missing": "the request body is empty",
    "model_attributes_type": "the request body must be a JSON object",
    "dict_type": "the request body must be a JSON object",
}


def _where(loc: tuple[int | str, ...]) -> str:
    """The field path of a validation error, as `variables.x.value`."""
    parts = list(loc[1:] if loc[:1] == ("body",) else loc)
    if parts[:1] == ["variables"] and len(parts) > 3 and parts[2] == "value":
        parts = parts[:3]  # past `value` come pydantic's union branches and list indices
    return ".".join(str(p) if isinstance(p, int) or _SHOWN_KEY.fullmatch(p) else "…"
                    for p in parts)


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    """A short message naming the field, never echoing the input back."""
    errors = exc.errors()
    if not errors:
        return "invalid_request", "the request body is not valid"
    first = errors[0]
    kind = str(first.get("type", ""))
    loc = tuple(first.get("loc", ()))
    if kind == "json_invalid":
        return "malformed_json", "the request body is not valid JSON"
    if loc == ("body",) and kind in _BODY_MESSAGES:
        return "invalid_request", _BODY_MESSAGES[kind]
    where = _where(loc)
    text = str(first.get("msg", "invalid value"))
    return "invalid_request", f"{where}: {text}" if where else text


def _log_error(request: Request, code: str) -> None:
    """Put the error code on the request's log line (written by the edge middleware)."""
    request.state.log = {**getattr(request.state, "log", {}), "error": code}


# HTTP errors raised by the framework, by status. FastAPI raises a bare 400 only when it
# cannot read the body as JSON at all (not UTF-8, nested past the parser's recursion
# limit, an integer of thousands of digits): for the client that is malformed JSON.
HTTP_ERRORS = {
    400: (422, "malformed_json", "the request body is not valid JSON"),
    404: (404, "not_found", "Not Found"),
    405: (405, "method_not_allowed", "Method Not Allowed"),
}


def _allowed(request: Request) -> list[str]:
    """Every method the API documents for the request's path (a path may have a route per
    method, as the rooms' answers do: starlette's Allow names only the first route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChainruleError)
    async def program_error(request: Request, exc: ChainruleError) -> Response:
        _log_error(request, exc.code)
        retry = RETRY_AFTER_S.get(exc.code)
        return error_response(STATUS.get(exc.code, 422), exc.code, exc.message, exc.line,
                              exc.col, {"retry-after": str(retry)} if retry else None,
                              exc.extras())

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        _log_error(request, "rate_limited")
        return error_response(429, "rate_limited", exc.message,
                              headers={"retry-after": str(exc.retry_after_s)})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if isinstance(exc.body, bytes) and exc.body:
            # FastAPI left the body unparsed: it was not sent as JSON.
            _log_error(request, "unsupported_media_type")
            return error_response(415, "unsupported_media_type",
                                  "the request body must be JSON, sent with "
                                  "content-type: application/json")
        code, message = _validation_message(exc)
        _log_error(request, code)
        return error_response(422, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status, code, message = HTTP_ERRORS.get(
            exc.status_code, (exc.status_code, "http_error", str(exc.detail)))
        _log_error(request, code)
        headers = exc.headers
        if status == 405 and (allowed := _allowed(request)):
            headers = {**{k: v for k, v in (headers or {}).items() if k.lower() != "allow"},
                       "allow": ", ".join(allowed)}
        return error_response(status, code, message, headers=headers)

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> Response:
        # Runs outside the edge middleware, which logs these as internal_error itself.
        return error_response(500, "internal_error", "the server failed to handle this request")
