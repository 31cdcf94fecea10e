"""The tests' server-sent events reader reads as a browser's EventSource does."""

from __future__ import annotations

from tests.rooms.sse import SseEvent, read_events


def test_repeated_data_lines_are_one_data_joined_by_newlines() -> None:
    lines = ["retry: 2000", "", ": keep-alive", "", "event: state", "id: 3", "data: {",
             "data: }", "", "data:x", ""]
    assert list(read_events(iter(lines))) == [SseEvent("state", "3", "{\n}"),
                                              SseEvent("message", None, "x")]
