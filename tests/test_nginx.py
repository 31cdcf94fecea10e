"""The compose file's nginx configuration, run by Debian's nginx in front of app instances
on loopback: load is spread, big bodies stop at nginx, a lost replica costs no request,
clients keep their own rate-limit buckets behind it (and can't choose one by sending
X-Forwarded-For, neither through nginx nor to the app directly), and nginx drops a
client whose headers stall."""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from chainrule.pipeline import trace_to_json
from tests.server import HOST, LiveServer, free_port, serve, stop

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "chainrule.conf.template"
SEED_BODY = json.dumps({"source": "import torch\nw = torch.tensor(2.0, requires_grad=True)\n"
                                  "loss = w * w\nloss.backward()\n"}).encode()


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx is not installed: test.sh installs Debian's nginx-light as root")
    return found


def render(template: str, upstreams: list[int], listen: int) -> str:
    """Fill the template as the nginx image's envsubst does: only these two variables."""
    servers = " ".join(f"server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in upstreams)
    return (template.replace("${CHAINRULE_UPSTREAM_SERVERS}", servers)
            .replace("${CHAINRULE_LISTEN}", f"{HOST}:{listen}"))


def main_config(tmp: Path, site: str) -> str:
    return f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""


def get(port: int, path: str, source_address: str,
        headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET from another loopback address (127.0.0.2, ...): to nginx, another client."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30,
                                            source_address=(source_address, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post(port: int, body: bytes, path: str = "/api/v1/trace") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


BARRIER = "# a barrier: sent straight to one instance, never through nginx\n# {}\n"
_barriers: set[str] = set()  # the digests of those sent
START_WAIT_S = 10.0  # a safety net for nginx to start listening


def digest(source: str) -> str:
    """The source's hash as the request log holds it."""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def trace_requests(server: LiveServer) -> int:
    """The trace requests the instance has answered, barriers aside, once every one is in
    its log: a request sent straight to it after them is answered after them, and its own
    log line is awaited."""
    barrier = BARRIER.format(len(_barriers))
    _barriers.add(digest(barrier))
    assert post(server.port, json.dumps({"source": barrier}).encode())[0] == 200
    server.wait_for_record(lambda r: r.get("source_sha256") == digest(barrier))
    return sum(1 for r in server.log_records() if r.get("path") == "/api/v1/trace"
               and r.get("source_sha256") not in _barriers)


@contextmanager
def nginx_in_front_of(tmp: Path, upstreams: list[LiveServer]) -> Iterator[int]:
    """Debian's nginx with the class profile's site, in front of `upstreams`: its port, once
    it accepts connections."""
    binary = nginx_binary()
    port = free_port()
    config = tmp / "nginx.conf"
    config.write_text(main_config(tmp, render(TEMPLATE.read_text(), [s.port for s in upstreams],
                                              port)))
    check = subprocess.run([binary, "-t", "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_WAIT_S
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        stop(nginx)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    """Two app instances, shared by the tests; none of them stops one."""
    with ExitStack() as exits:
        yield [exits.enter_context(serve(tmp_path_factory.mktemp(f"app{i}"),
                                         env={"CHAINRULE_WORKERS": "1"}))
               for i in range(2)]


@pytest.fixture(scope="module")
def stack(apps: list[LiveServer], tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[int, list[LiveServer]]]:
    with nginx_in_front_of(tmp_path_factory.mktemp("nginx"), apps) as port:
        yield port, apps


def test_requests_reach_both_instances(stack: tuple[int, list[LiveServer]]) -> None:
    port, servers = stack
    before = [trace_requests(s) for s in servers]
    statuses = [post(port, SEED_BODY)[0] for _ in range(12)]
    assert statuses == [200] * 12
    served = [trace_requests(s) - b for s, b in zip(servers, before, strict=True)]
    assert sum(served) == 12
    assert all(count > 0 for count in served), served


def test_body_over_the_limit_gets_413_from_nginx(stack: tuple[int, list[LiveServer]]) -> None:
    port, servers = stack
    before = [trace_requests(s) for s in servers]
    big = json.dumps({"source": "#" * 70_000}).encode()
    status, body = post(port, big)
    assert status == 413
    assert json.loads(body) == {"error": {
        "code": "body_too_large", "message": "the request body is larger than 65536 bytes",
        "line": None, "col": None}}
    assert [trace_requests(s) for s in servers] == before  # it never reached an app


def test_a_large_response_passes_through_nginx_whole_without_temp_files(
        stack: tuple[int, list[LiveServer]]) -> None:
    """nginx keeps no temporary file of a response (proxy_max_temp_file_size 0): a 7.4 MB
    trace passes through its small buffers as the client reads it, whole."""
    port, _ = stack
    source = ("import torch\ntorch.manual_seed(0)\nx = torch.randn(1024, requires_grad=True)\n"
              "y = x\nfor i in range(140):\n    y = y * 1.01\ny.sum().backward()\n")
    status, body = post(port, json.dumps({"source": source}).encode())
    assert status == 200
    assert body == trace_to_json(source)


def test_one_instance_going_away_fails_no_request(
        apps: list[LiveServer], tmp_path_factory: pytest.TempPathFactory) -> None:
    """An instance of its own goes away, after nginx has sent it requests (and kept a
    connection to it): every request after is answered by the other."""
    with serve(tmp_path_factory.mktemp("doomed"), env={"CHAINRULE_WORKERS": "1"}) as doomed, \
            nginx_in_front_of(tmp_path_factory.mktemp("nginx"), [doomed, apps[1]]) as port:
        servers = [doomed, apps[1]]
        before = [trace_requests(s) for s in servers]
        assert [post(port, SEED_BODY)[0] for _ in range(2)] == [200, 200]
        assert [trace_requests(s) - b for s, b in zip(servers, before, strict=True)] == [1, 1]
        stop(doomed.process)
        before = trace_requests(apps[1])
        statuses = [post(port, SEED_BODY)[0] for _ in range(10)]
        assert statuses == [200] * 10
        assert trace_requests(apps[1]) - before == 10


HEALTH = "/api/v1/health"
RATE_LIMITED = {"error": {"code": "rate_limited",
                          "message": "too many requests from this address; try again later",
                          "line": None, "col": None}}
CLOSE_WAIT_S = 60.0  # a safety net for nginx to close a stalled client (10 s in the template)


@pytest.fixture(scope="module")
def one_a_minute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An app that allows each client one request a minute (a bucket of one): a client's
    second request is refused for the next minute, far longer than any test here takes."""
    with serve(tmp_path_factory.mktemp("strict"),
               env={"CHAINRULE_WORKERS": "1", "CHAINRULE_RATE_PER_MINUTE": "1"}) as app:
        yield app


def test_clients_behind_nginx_get_separate_rate_limit_buckets(
        one_a_minute: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    with nginx_in_front_of(tmp_path_factory.mktemp("nginx"), [one_a_minute]) as port:
        first_a = get(port, HEALTH, "127.0.0.2")
        second_a = get(port, HEALTH, "127.0.0.2")
        first_b = get(port, HEALTH, "127.0.0.3")
        # Client A claims to be someone else: nginx sends the address it saw instead.
        spoofed_a = get(port, HEALTH, "127.0.0.2", {"X-Forwarded-For": "198.51.100.7"})
    assert first_a[0] == 200
    assert (second_a[0], json.loads(second_a[1])) == (429, RATE_LIMITED)
    assert first_b[0] == 200
    assert (spoofed_a[0], json.loads(spoofed_a[1])) == (429, RATE_LIMITED)


def test_the_app_ignores_forwarded_for_from_a_client_that_is_not_its_proxy(
        one_a_minute: LiveServer) -> None:
    """Straight to the app (not from 127.0.0.1, the proxy it trusts), a client that names
    another address in X-Forwarded-For still has its own bucket."""
    first = one_a_minute.request("GET", HEALTH, headers={"X-Forwarded-For": "198.51.100.8"},
                                 source_address="127.0.0.4")
    second = one_a_minute.request("GET", HEALTH, headers={"X-Forwarded-For": "198.51.100.9"},
                                  source_address="127.0.0.4")
    assert first.status == 200
    assert (second.status, json.loads(second.body)) == (429, RATE_LIMITED)


def test_nginx_closes_a_client_whose_headers_stall(
        stack: tuple[int, list[LiveServer]]) -> None:
    port, _ = stack
    with socket.create_connection((HOST, port), timeout=CLOSE_WAIT_S) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc")
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            ended = "reset"  # reset_timedout_connection: nginx frees it at once
        else:
            ended = "closed"
    assert (ended, received) == ("reset", b"")  # dropped unanswered, not left open
