"""Server-sent events read from a stream of lines, as a browser's EventSource reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SseEvent:
    event: str
    id: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def read_events(lines: Iterator[str]) -> Iterator[SseEvent]:
    """Each event as its blank line ends it; comments (keep-alives) and `retry:` skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in fields:
                yield SseEvent(fields.get("event", "message"), fields.get("id"), fields["data"])
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            # Several `data:` lines make one data, joined by newlines (as EventSource does).
            fields[name] = (fields["data"] + "\n" + value
                            if name == "data" and "data" in fields else value)
