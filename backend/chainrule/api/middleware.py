"""ASGI middleware at the edge: framing, rate limit and body size checked before any
parsing, and one log line per request.

The log line is JSON: {id, method, path, status, ms} and, where they apply, the error
code, the worker's pid and a hash of the source (never the source itself).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chainrule.api.admission import RateLimiter
from chainrule.api.errors import error_response

log = logging.getLogger("chainrule.requests")
_ids = itertools.count(1)
_LOGGED_PATH_CHARS = 200  # a path is the client's text: long ones are cut in the log
# Set in scope["state"] by the connection (protocol.py) when a body missed its deadline and
# the client was answered 408 there; a body cut short otherwise is logged as 499 (the client
# went away, nginx's number for it).
_TIMED_OUT = "request_timeout"
_CLIENT_GONE = 499
_SMUGGLING_MESSAGE = ("a request may not carry both Content-Length and Transfer-Encoding: "
                      "send one of them")


class _Disconnected(Exception):
    """The client went away (or missed its deadline) before its whole body arrived."""


class EdgeMiddleware:
    """Refuses ambiguous framing (400), over-eager clients (429) and oversized bodies (413)
    before any parsing."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, limiter: RateLimiter) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id = f"{next(_ids):08x}"
        status = {"code": 0}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self._handle(scope, receive, send_logged)
        except Exception:
            # Past here the framework answers 500 internal_error.
            status["code"] = status["code"] or 500
            state["log"] = {**state.get("log", {}), "error": "internal_error"}
            raise
        finally:
            record = {"id": request_id, "method": scope.get("method"),
                      "path": str(scope.get("path", ""))[:_LOGGED_PATH_CHARS],
                      "status": status["code"] or state.get("status", 0),
                      "ms": round((time.perf_counter() - started) * 1000, 2)}
            record.update(state.get("log", {}))
            log.info(json.dumps(record, separators=(",", ":")))

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        names = {name for name, _ in scope.get("headers", [])}
        if {b"content-length", b"transfer-encoding"} <= names:
            # RFC 9112 section 6.3: a proxy in front may frame the body by the other header,
            # so the bytes past it would be read here as a second request (smuggling). The
            # connection is closed after the answer: nothing more is read from it.
            await self._refuse(scope, receive, send, 400, "bad_request", _SMUGGLING_MESSAGE,
                               {"connection": "close"})
            return
        if not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        wait = self.limiter.check(str(client[0]))
        if wait is not None:
            await self._refuse(scope, receive, send, 429, "rate_limited",
                               "too many requests from this address; try again later",
                               {"retry-after": str(int(wait))})
            return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            try:
                body = await self._read_body(scope, receive)
            except _Disconnected:
                # Nothing to answer (the connection answered a timeout itself, or is gone).
                timed_out = bool(scope["state"].get(_TIMED_OUT))
                scope["state"]["log"] = {"error": _TIMED_OUT if timed_out
                                         else "client_disconnected"}
                scope["state"]["status"] = 408 if timed_out else _CLIENT_GONE
                return
            if body is None:
                await self._refuse(scope, receive, send, 413, "body_too_large",
                                   f"the request body is larger than {self.max_body_bytes} "
                                   "bytes")
                return
            receive = _replay(body)
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str,
                      message: str, headers: dict[str, str] | None = None) -> None:
        scope["state"]["log"] = {"error": code}
        await error_response(status, code, message, headers=headers)(scope, receive, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read);
        _Disconnected when the client goes before it is all here."""
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > self.max_body_bytes:
                        return None
                except ValueError:
                    return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive
