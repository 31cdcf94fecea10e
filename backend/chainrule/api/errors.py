"""Errors mapped to HTTP in one place: every failure is `{"error": {code, message, line, col}}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainrule.errors import ChainruleError
from chainrule.serialize import dumps


def error_response(status: int, code: str, message: str, line: int | None = None,
                   col: int | None = None, headers: dict[str, str] | None = None) -> Response:
    """The one error body: {"error": {code, message, line, col}}."""
    body = {"error": {"code": code, "message": message, "line": line, "col": col}}
    return Response(dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


# Status per error code; every other ChainruleError is a program that can't be run: 422.
STATUS = {"worker_crashed": 503, "overloaded": 503, "rate_limited": 429, "internal_error": 500}
RETRY_AFTER_S = {"worker_crashed": 1, "overloaded": 2}


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    """A short message naming the field, never echoing the input back."""
    errors = exc.errors()
    if not errors:
        return "invalid_request", "the request body is not valid"
    first = errors[0]
    kind = str(first.get("type", ""))
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    if kind == "json_invalid":
        return "malformed_json", "the request body is not valid JSON"
    text = str(first.get("msg", "invalid value"))
    return "invalid_request", f"{where}: {text}" if where else text


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChainruleError)
    async def program_error(request: Request, exc: ChainruleError) -> Response:
        request.state.log = {**getattr(request.state, "log", {}), "error": exc.code}
        retry = RETRY_AFTER_S.get(exc.code)
        return error_response(STATUS.get(exc.code, 422), exc.code, exc.message, exc.line,
                              exc.col, {"retry-after": str(retry)} if retry else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        code, message = _validation_message(exc)
        request.state.log = {"error": code}
        return error_response(422, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> Response:
        return error_response(500, "internal_error", "the server failed to handle this request")
