"""Redis going away under an open class (docs/classroom.md, "When Redis restarts"): a
student's event stream ends cleanly (the response completes, no traceback), so the
page's EventSource reconnects after `retry:`; every room request after is 503
room_busy, which the page retries; nothing in the server raises."""

from __future__ import annotations

import http.client
import json
from contextlib import ExitStack
from pathlib import Path

from tests.rooms.redis_server import redis_server
from tests.rooms.sse import read_events
from tests.server import HOST, serve

READ_GUARD_S = 30.0  # a failure guard on every socket read, never a measured time


def test_a_stream_open_when_redis_stops_ends_cleanly_and_requests_then_get_503(
        tmp_path: Path) -> None:
    with ExitStack() as exits:
        redis = ExitStack()
        url = redis.enter_context(redis_server(tmp_path))
        (tmp_path / "app").mkdir()
        server = exits.enter_context(serve(tmp_path / "app", env={
            "CHAINRULE_WORKERS": "1", "CHAINRULE_REDIS_URL": url,
            # Idle streams look at the room again this often: the outage is noticed at once.
            "CHAINRULE_ROOM_HEARTBEAT_S": "0.1"}))
        exits.callback(redis.close)
        code = json.loads(server.request("POST", "/api/v2/rooms").body)["code"]
        connection = http.client.HTTPConnection(HOST, server.port, timeout=READ_GUARD_S)
        exits.callback(connection.close)
        connection.request("GET", f"/api/v2/rooms/{code}/events")
        response = connection.getresponse()
        lines = (raw.decode().rstrip("\r\n") for raw in iter(response.readline, b""))
        events = read_events(lines)
        first = next(events)
        redis.close()  # redis-server stopped: the stream's next look at the room fails
        rest = list(events)  # ends without IncompleteRead: the chunked response completed
        after = server.request("GET", f"/api/v2/rooms/{code}")
        log = server.log_text()
    assert response.status == 200
    assert (first.event, first.json()) == ("state", {"code": code, "seq": 0, "state": None})
    assert rest == []
    assert after.status == 503
    assert json.loads(after.body)["error"]["code"] == "room_busy"
    assert "Traceback" not in log
    assert "event stream ended: the rooms' store is not answering" in log
