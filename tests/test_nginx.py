"""The class profile's nginx configuration, run by Debian's nginx in front of two app
instances on loopback: load is spread, big bodies stop at nginx, a lost replica costs
no request."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

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


def post(port: int, body: bytes, path: str = "/api/v1/trace") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def trace_requests(server: LiveServer) -> int:
    return sum(1 for r in server.log_records() if r.get("path") == "/api/v1/trace")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, list[LiveServer]]]:
    binary = nginx_binary()
    tmp = tmp_path_factory.mktemp("nginx")
    with ExitStack() as exits:
        servers = [
            exits.enter_context(serve(tmp_path_factory.mktemp(f"app{i}"),
                                      env={"CHAINRULE_WORKERS": "1"}))
            for i in range(2)
        ]
        port = free_port()
        config = tmp / "nginx.conf"
        config.write_text(main_config(tmp, render(TEMPLATE.read_text(), [s.port for s in servers],
                                                  port)))
        check = subprocess.run([binary, "-t", "-c", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.PIPE)
        exits.callback(stop, nginx)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while True:
            try:
                post(port, SEED_BODY)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, servers


def test_requests_reach_both_instances(stack: tuple[int, list[LiveServer]]) -> None:
    port, servers = stack
    before = [trace_requests(s) for s in servers]
    statuses = [post(port, SEED_BODY)[0] for _ in range(12)]
    assert statuses == [200] * 12
    deadline = time.monotonic() + 5  # each log line is written just after its response
    while True:
        after = [trace_requests(s) for s in servers]
        served = [a - b for a, b in zip(after, before, strict=True)]
        if sum(served) == 12 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
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
    time.sleep(0.3)
    assert [trace_requests(s) for s in servers] == before  # it never reached an app


def test_one_instance_going_away_fails_no_request(stack: tuple[int, list[LiveServer]]) -> None:
    port, servers = stack
    stop(servers[0].process)
    statuses = [post(port, SEED_BODY)[0] for _ in range(10)]
    assert statuses == [200] * 10
