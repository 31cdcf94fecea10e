"""The class profile's rooms: Redis beside the replicas (on the internal network only,
nothing published, nothing kept on disk), each replica pointed at it, and nginx passing
a room's event stream on unbuffered and held open."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "chainrule.conf.template"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = YAML(typ="safe").load(
        (ROOT / "docker-compose.yml").read_text())["services"]
    return services


def test_redis_runs_in_the_class_profile_on_the_internal_network_only() -> None:
    redis = _services()["redis"]
    assert redis["profiles"] == ["class"]
    assert redis["image"] == "redis:7-alpine"
    assert redis["networks"] == ["backend"]
    assert "ports" not in redis
    assert redis["command"][:5] == ["redis-server", "--save", "", "--appendonly", "no"]


def test_a_full_redis_refuses_writes_rather_than_evict_a_live_rooms_keys() -> None:
    command = _services()["redis"]["command"]
    policy = command[command.index("--maxmemory-policy") + 1]
    assert policy == "noeviction"


def test_the_class_replicas_keep_rooms_in_that_redis_and_the_single_app_in_memory() -> None:
    services = _services()
    assert services["chainrule-class"]["environment"]["CHAINRULE_REDIS_URL"] \
        == "redis://redis:6379/0"
    assert services["chainrule-class"]["depends_on"] == {
        "redis": {"condition": "service_healthy"}}
    assert "CHAINRULE_REDIS_URL" not in services["chainrule"]["environment"]


def test_nginx_passes_event_streams_on_unbuffered_and_holds_them_open() -> None:
    template = TEMPLATE.read_text()
    (block,) = re.findall(r"location ~ \^/api/v2/rooms/\[\^/\]\+/events\$ \{(.*?)\n    \}",
                          template, re.S)
    settings = dict(re.findall(r"^\s+(\w+) (.+);$", block, re.M))
    assert settings["proxy_buffering"] == "off"
    assert settings["proxy_read_timeout"] == "1h"
    assert settings["proxy_http_version"] == "1.1"
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in block  # as for the rest
    assert settings["limit_conn"] == "chainrule_streams 1000"  # apart from the 64
