"""The load benchmark's HTTP client: one keep-alive HTTP/1.1 connection on asyncio streams,
and the web process's own CPU time and memory, read from /proc.

Plain asyncio streams, so the client's own cost stays small beside the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from dataclasses import dataclass

from tests.server import HOST

TRACE = "/api/v1/trace"
HEALTH = "/api/v1/health"
GZIP = (("Accept-Encoding", "gzip"),)


@dataclass(frozen=True)
class Request:
    kind: str  # the workload's name
    hostile: bool
    method: str
    path: str
    body: bytes | None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Result:
    request: Request
    status: int  # 0: the connection failed
    seconds: float


def trace_request(kind: str, source: str, hostile: bool,
                  headers: tuple[tuple[str, str], ...] = ()) -> Request:
    return Request(kind, hostile, "POST", TRACE, json.dumps({"source": source}).encode(),
                   headers)


def encode(request: Request, port: int) -> bytes:
    """The request's bytes on the wire."""
    head = f"{request.method} {request.path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in request.headers)
    if request.body is not None:
        head += (f"Content-Type: application/json\r\n"
                 f"Content-Length: {len(request.body)}\r\n")
    return head.encode() + b"\r\n" + (request.body or b"")


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request, chunk: int = 0, pause_s: float = 0.0) -> int:
        """Send `request` and read its whole response; its status. With `chunk`, the body
        is read `chunk` bytes at a time with `pause_s` between reads: a slow reader."""
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(encode(request, self.port))
        line = await self.reader.readline()
        if not line and reused:
            # The server closed the kept-alive connection meanwhile: its keep-alive timer
            # starts when the app has written a response, however slowly it is read.
            await self.close()
            return await self.send(request, chunk, pause_s)
        status = int(line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        if chunk:
            while length > 0:
                length -= len(await self.reader.readexactly(min(chunk, length)))
                await asyncio.sleep(pause_s)
        else:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def _stat_cpu_seconds(path: str) -> float:
    with open(path, encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # fields 3 onwards
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` itself (all its threads; not its children)."""
    return _stat_cpu_seconds(f"/proc/{pid}/stat")


def main_thread_cpu_seconds(pid: int) -> float:
    """The same of its main thread alone: for the server, the event loop."""
    return _stat_cpu_seconds(f"/proc/{pid}/task/{pid}/stat")


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid`."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0
