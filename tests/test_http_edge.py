"""The HTTP edge against a live server over raw sockets: slow clients are answered 408 and
dropped (headers, body, a connection that sends nothing), a client that reads none of its
response is dropped with it, a client that is slow but keeps sending is served, and a
request framed by both Content-Length and Transfer-Encoding is refused with 400 and its
connection closed, so no second request hides in its body."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.conftest import SEED, SEED_STDOUT, strict_loads
from tests.server import HOST, LiveServer, serve

HEADER_TIMEOUT_S = 2
BODY_TIMEOUT_S = 2
SEND_TIMEOUT_S = 2
CLOSE_WAIT_S = 30.0  # a safety net: the assertion is that the server closes, not when
PACE_S = 0.05  # between the pieces of a slow client's request, far inside the deadlines
TRACE = "/api/v1/trace"
SEED_BODY = json.dumps({"source": SEED}).encode()


def timeout_error(part: str, seconds: int) -> dict[str, object]:
    return {"error": {"code": "request_timeout",
                      "message": f"the request's {part} did not arrive within {seconds} s",
                      "line": None, "col": None}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"CHAINRULE_WORKERS": "1", "CHAINRULE_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
           "CHAINRULE_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
           "CHAINRULE_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S)}
    with serve(tmp_path_factory.mktemp("edge"), env) as live:
        yield live


def connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection((HOST, server.port), timeout=CLOSE_WAIT_S)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (recv returns b"")."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def request_head(length: int, path: str = TRACE) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def test_partial_headers_get_408_and_the_connection_is_closed(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /api/v1/trace HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        status, headers, body = split_response(read_until_closed(sock))
    assert (status, headers["connection"]) == (408, "close")
    assert strict_loads(body) == timeout_error("headers", HEADER_TIMEOUT_S)


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(
        server: LiveServer) -> None:
    with connect(server) as sock:
        assert read_until_closed(sock) == b""


def test_a_stalled_body_gets_408_and_the_connection_is_closed(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(request_head(len(SEED_BODY)) + SEED_BODY[:10])
        status, headers, body = split_response(read_until_closed(sock))
    assert (status, headers["connection"]) == (408, "close")
    assert strict_loads(body) == timeout_error("body", BODY_TIMEOUT_S)
    record = server.wait_for_record(lambda r: r.get("error") == "request_timeout")
    assert (record["method"], record["path"], record["status"]) == ("POST", TRACE, 408)
    assert "source_sha256" not in record  # the program never ran


# A chain of 140 products on 1,024 values, every tensor listed: a 7.4 MB v1 response,
# more than the kernel's socket buffers hold, so the rest waits in the server.
LARGE = ("import torch\ntorch.manual_seed(0)\nx = torch.randn(1024, requires_grad=True)\n"
         "y = x\nfor i in range(140):\n    y = y * 1.01\ny.sum().backward()\n")


def test_a_client_that_reads_nothing_of_its_response_is_dropped(server: LiveServer) -> None:
    body = json.dumps({"source": LARGE}).encode()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # takes little in
        sock.settimeout(CLOSE_WAIT_S)
        sock.connect((HOST, server.port))
        sock.sendall(request_head(len(body)) + body)
        # Nothing is read until the server says it dropped the client.
        record = server.wait_for_record(lambda r: r.get("error") == "send_stalled",
                                        limit_s=CLOSE_WAIT_S)
        answered = server.wait_for_record(lambda r: r.get("id") == record["id"]
                                          and "status" in r)
        assert (answered["method"], answered["path"], answered["status"]) == ("POST", TRACE, 200)
        assert (record["method"], record["path"]) == ("POST", TRACE)
        assert record["unsent_bytes"] > 0  # what it held is dropped with the connection
        received = b""
        with contextlib.suppress(ConnectionResetError):  # aborted: nothing more comes
            received = read_until_closed(sock)
    # Whatever arrived before the reset (possibly nothing) is less than the response.
    head, _, sent = received.partition(b"\r\n\r\n")
    length = int(split_response(head + b"\r\n\r\n")[1]["content-length"]) if sent else 1
    assert len(sent) < length


def test_a_keep_alive_connection_whose_next_headers_stall_gets_408(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):
            first += sock.recv(65536)
        assert split_response(first)[0] == 200
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHo")
        status, _, body = split_response(read_until_closed(sock))
    assert status == 408
    assert strict_loads(body) == timeout_error("headers", HEADER_TIMEOUT_S)


def test_a_slow_client_that_keeps_sending_is_served(server: LiveServer) -> None:
    request = request_head(len(SEED_BODY)) + SEED_BODY
    pieces = [request[i:i + len(request) // 8 + 1] for i in range(0, len(request),
                                                                   len(request) // 8 + 1)]
    with connect(server) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(PACE_S)  # pacing the client, not a measurement
        sock.shutdown(socket.SHUT_WR)  # no more requests: the server closes after answering
        status, _, body = split_response(read_until_closed(sock))
    assert status == 200
    assert strict_loads(body)["stdout"] == SEED_STDOUT


def test_content_length_with_transfer_encoding_gets_400_and_nothing_smuggled(
        server: LiveServer) -> None:
    """A proxy that frames by Content-Length would pass on the bytes after the chunked
    body's end as part of this request; read by Transfer-Encoding they would be a second
    request. The server answers the first with 400 and reads nothing more."""
    smuggled = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    chunked = b"0\r\n\r\n" + smuggled
    with connect(server) as sock:
        sock.sendall(b"POST /api/v1/trace HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Length: " + str(len(chunked)).encode() + b"\r\n\r\n" + chunked)
        raw = read_until_closed(sock)
    status, headers, body = split_response(raw)
    assert (status, headers["connection"]) == (400, "close")
    assert strict_loads(body) == {"error": {
        "code": "bad_request",
        "message": "a request may not carry both Content-Length and Transfer-Encoding: "
                   "send one of them", "line": None, "col": None}}
    assert raw.count(b"HTTP/1.1 ") == 1  # one answer: the smuggled request was never read
