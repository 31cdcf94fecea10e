"""A server that is told to stop (SIGTERM, as `docker compose stop` does) while students
follow a room closes their event streams and exits, instead of waiting for streams that
never end by themselves (protocol.py); the students' EventSource reconnects elsewhere."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
from pathlib import Path

from tests.rooms.sse import read_events
from tests.server import HOST, serve

EXIT_GUARD_S = 30.0  # a failure guard: without the fix the server never exits


def test_open_event_streams_do_not_hold_a_stopping_server(tmp_path: Path) -> None:
    with serve(tmp_path, env={"CHAINRULE_WORKERS": "1"}) as server:
        code = json.loads(server.request("POST", "/api/v2/rooms").body)["code"]
        connection = http.client.HTTPConnection(HOST, server.port, timeout=EXIT_GUARD_S)
        connection.request("GET", f"/api/v2/rooms/{code}/events")
        response = connection.getresponse()
        lines = (raw.decode().rstrip("\r\n") for raw in iter(response.readline, b""))
        events = read_events(lines)
        first = next(events)
        server.process.terminate()
        try:
            exit_code = server.process.wait(timeout=EXIT_GUARD_S)
        except subprocess.TimeoutExpired:
            exit_code = None
        rest = list(events)  # the stream ends: the server closed it
        connection.close()
        log = server.log_text()
    assert (first.event, first.json()) == ("state", {"code": code, "seq": 0, "state": None})
    # uvicorn ends a graceful shutdown by raising the signal it was sent again.
    assert (exit_code, rest) == (-signal.SIGTERM, [])
    assert "Application shutdown complete." in log
