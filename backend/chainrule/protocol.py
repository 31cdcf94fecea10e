"""The HTTP/1.1 connection under the app: uvicorn's h11 protocol with read deadlines.

uvicorn closes an idle keep-alive connection, but waits for ever on a client that has sent
part of its headers or part of its body (or nothing at all), so a few hundred slow clients
could hold the server. Here a request's headers must arrive within `header_timeout_s` of
its first byte (of the connection, for a connection's first request) and its body within
`body_timeout_s` of its headers; past either the client gets 408 `request_timeout` and
the connection is closed (silently when it never sent a byte). A client that reads none of
its response for `send_timeout_s` while the rest waits to be sent is dropped, and a
connection that goes with unsent bytes has the memory they held given back (heap.py).
At shutdown a classroom room's event stream, which never ends by itself, is closed at once
rather than waited for.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, ClassVar, Literal

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from chainrule.heap import RELEASER

Phase = Literal["headers", "body"]
TIMED_OUT_KEY = "request_timeout"  # set in scope["state"] when a body's deadline passes
STALLED = "send_stalled"  # the request log's word for a client dropped for reading nothing
# Set in scope["state"] by a route whose response never ends by itself (a classroom room's
# server-sent events, api/rooms.py): at shutdown its connection is closed at once.
EVENT_STREAM_KEY = "event_stream"
log = logging.getLogger("chainrule.requests")

_MESSAGE = {"headers": "the request's headers did not arrive within {:g} s",
            "body": "the request's body did not arrive within {:g} s"}


def timeout_body(phase: Phase, seconds: float) -> bytes:
    """The 408 body, in the app's one error shape."""
    error = {"code": "request_timeout", "message": _MESSAGE[phase].format(seconds),
             "line": None, "col": None}
    return json.dumps({"error": error}, separators=(",", ":")).encode()


def _response_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]


class DeadlineProtocol(H11Protocol):
    """H11Protocol that drops a client whose headers or body stall (see the module)."""

    header_timeout_s: ClassVar[float] = 5.0
    body_timeout_s: ClassVar[float] = 10.0
    send_timeout_s: ClassVar[float] = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: Phase | None = None
        self._stalled: asyncio.TimerHandle | None = None

    # --- a client that does not read what it is sent ------------------------------------
    # asyncio pauses writing when the transport's buffer passes its high-water mark and
    # resumes it when the client has read enough: a client that reads nothing would hold
    # its response (up to the response limit) in this process for ever. Past
    # send_timeout_s without progress the connection is dropped, its buffer with it.

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stalled is None:
            scope: dict[str, Any] = dict(self.cycle.scope) if self.cycle is not None else {}
            request = {"id": scope.get("state", {}).get("request_id"),
                       "method": scope.get("method"),
                       "path": str(scope["path"])[:200] if "path" in scope else None}
            self._stalled = self.loop.call_later(self.send_timeout_s, self._drop_stalled,
                                                 request)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    def _drop_stalled(self, request: dict[str, Any]) -> None:
        """Drop the connection; its request's log line is written already (the response
        was handed over whole), so one more line says what became of it."""
        self._stalled = None
        unsent = self.transport.get_write_buffer_size()
        self.transport.abort()  # close() would wait to flush what the client won't read
        RELEASER.soon(self.loop)  # abort() freed the buffer; connection_lost comes later
        record = {**request, "error": STALLED, "unsent_bytes": unsent}
        log.info(json.dumps(record, separators=(",", ":")))

    def shutdown(self) -> None:
        """A graceful shutdown waits for the responses in progress; an event stream never
        ends by itself, so its connection is closed now (its client reconnects, to another
        replica or to this server once it is back)."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete \
                and cycle.scope.get("state", {}).get(EVENT_STREAM_KEY):
            self.transport.close()
            return
        super().shutdown()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("headers")  # a connection that never sends a request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._stalled is not None:  # it went with its response unread
            self._stalled.cancel()
            self._stalled = None
            RELEASER.soon(self.loop)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()  # a pipelined request may have been read just now

    def _follow(self) -> None:
        """The deadline that applies to what the client is sending now, if any."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        wanted: Phase | None = None
        if state is h11.SEND_BODY:
            wanted = "body"
        elif state is h11.IDLE and (self._phase == "headers" or self.conn.trailing_data[0]):
            wanted = "headers"  # part of a request's headers is here (an idle connection
            # with nothing buffered is left to uvicorn's keep-alive timeout)
        if wanted != self._phase:
            self._disarm()
            if wanted is not None:
                self._arm(wanted)

    def _arm(self, phase: Phase) -> None:
        seconds = self.header_timeout_s if phase == "headers" else self.body_timeout_s
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired, phase, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = None

    def _expired(self, phase: Phase, seconds: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        body = timeout_body(phase, seconds)
        if phase == "headers":
            if self.conn.trailing_data[0]:  # h11 can't answer before a request: raw bytes
                head = b"HTTP/1.1 408 Request Timeout\r\n" + b"".join(
                    name + b": " + value + b"\r\n" for name, value in _response_headers(body))
                self.transport.write(head + b"\r\n" + body)
        elif self.cycle is not None and not self.cycle.response_started:
            self.cycle.scope["state"][TIMED_OUT_KEY] = True
            self.cycle.response_started = True  # the app's own answer is dropped
            for event in (h11.Response(status_code=408, headers=_response_headers(body),
                                       reason=b"Request Timeout"),
                          h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event) or b"")
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app's receive() gets http.disconnect
            self.cycle.message_event.set()
        self.transport.close()


def with_deadlines(header_timeout_s: float, body_timeout_s: float,
                   send_timeout_s: float = 30.0) -> type[DeadlineProtocol]:
    """The protocol class to give uvicorn (`http=`), with these deadlines."""
    return type("DeadlineProtocol", (DeadlineProtocol,),
                {"header_timeout_s": header_timeout_s, "body_timeout_s": body_timeout_s,
                 "send_timeout_s": send_timeout_s})
