"""Deployment: docker-compose.yml is valid compose; the image installs what run.sh installs
(same torch pin, same order); setup_venv's steps and stamp; healthchecks hit the API's route;
only nginx publishes a port, and each app trusts X-Forwarded-For from its nginx only."""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETUP_SCRIPT = ROOT / "scripts" / "setup-venv.sh"
HOST_SCRIPTS = [ROOT / "run.sh", ROOT / "test.sh", *sorted((ROOT / "scripts").glob("*.sh"))]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
HEALTH_URL = "http://127.0.0.1:8000/api/v1/health"
PYTORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PIP_INSTALL = ["-m", "pip", "install", "--quiet"]  # how setup_venv calls pip

# Stands in for the venv's python: records each call's arguments, one tab-separated line.
RECORDING_PYTHON = '#!/bin/sh\nprintf "%s\\t" "$@" >> "$RECORD"\necho >> "$RECORD"\n'


def _validate_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _torch_pin() -> str:
    """The pin setup-venv.sh installs, e.g. "torch==2.13.0"."""
    match = re.search(r'^CHAINRULE_TORCH_PIN="([^"]+)"$', SETUP_SCRIPT.read_text(), re.M)
    assert match is not None, "scripts/setup-venv.sh no longer sets CHAINRULE_TORCH_PIN"
    return match.group(1)


def _dockerfile_pip_installs() -> list[list[str]]:
    """The arguments of each `RUN pip install ...` in the Dockerfile, in order."""
    installs = []
    for line in DOCKERFILE.read_text().splitlines():
        match = re.match(r"RUN pip install (.*?)(?:&&.*)?$", line.strip())
        if match:
            installs.append(shlex.split(match.group(1)))
    return installs


def _project_copy(tmp_path: Path) -> Path:
    """pyproject.toml and setup-venv.sh in a scratch folder, with a recording venv python."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(SETUP_SCRIPT, project / "scripts" / "setup-venv.sh")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    return project


def _run_setup_venv(project: Path, *extra: str) -> list[list[str]]:
    """Run `setup_venv [extra]` as run.sh does; return the python calls it made."""
    record = project / "calls.tsv"
    record.write_text("")
    subprocess.run(
        ["bash", "-c", 'set -euo pipefail; source scripts/setup-venv.sh; setup_venv "$@"', "-"]
        + list(extra),
        cwd=project,
        env={"PATH": os.environ["PATH"], "RECORD": str(record)},
        check=True,
        timeout=60,
    )
    return [line.rstrip("\t").split("\t") for line in record.read_text().splitlines()]


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    result = _validate_compose(COMPOSE_FILE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_compose_validation_rejects_a_misspelt_service_key(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  chainrule:\n    image: chainrule\n    mem_limits: 2g\n")

    result = _validate_compose(broken)

    assert result.returncode == 1
    assert "('mem_limits' was unexpected)" in result.stdout


def test_setup_venv_installs_pinned_torch_then_the_editable_package(tmp_path: Path) -> None:
    calls = _run_setup_venv(_project_copy(tmp_path))

    assert calls == [PIP_INSTALL + [_torch_pin()], PIP_INSTALL + ["-e", "."]]


def test_setup_venv_with_the_test_extra_installs_the_test_extras(tmp_path: Path) -> None:
    calls = _run_setup_venv(_project_copy(tmp_path), "test")

    assert calls == [PIP_INSTALL + [_torch_pin()], PIP_INSTALL + ["-e", ".[test]"]]


def test_setup_venv_skips_pip_when_nothing_changed(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    _run_setup_venv(project, "test")

    assert _run_setup_venv(project, "test") == []
    assert _run_setup_venv(project) == []  # the test extras include the bare package


def test_setup_venv_reinstalls_when_pyproject_changes(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    _run_setup_venv(project)
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# a changed dependency\n")

    assert _run_setup_venv(project) == [PIP_INSTALL + [_torch_pin()], PIP_INSTALL + ["-e", "."]]


def test_dockerfile_installs_what_setup_venv_installs_in_the_same_order(
    tmp_path: Path,
) -> None:
    setup_steps = [call[len(PIP_INSTALL) :] for call in _run_setup_venv(_project_copy(tmp_path))]
    docker_steps = _dockerfile_pip_installs()

    assert docker_steps == [["--index-url", PYTORCH_CPU_INDEX, *setup_steps[0]], setup_steps[1]]


def test_dockerfile_pins_the_torch_that_setup_venv_pins() -> None:
    pins = re.findall(r"torch==[^\s\"']+", DOCKERFILE.read_text())

    assert pins == [_torch_pin()]


def test_only_the_dockerfile_names_a_package_index() -> None:
    naming_an_index = [path.name for path in HOST_SCRIPTS if "index-url" in path.read_text()]

    assert naming_an_index == []


def test_dockerfile_healthcheck_polls_the_api_health_route() -> None:
    healthcheck = DOCKERFILE.read_text().split("\nHEALTHCHECK", 1)[1].split("\nCMD", 1)[0]

    assert re.findall(r"https?://[^'\"\s]+", healthcheck) == [HEALTH_URL]


def test_compose_healthchecks_poll_the_api_health_route() -> None:
    from ruamel.yaml import YAML

    services = YAML(typ="safe").load(COMPOSE_FILE.read_text())["services"]
    apps = {name: s for name, s in services.items() if s.get("image") == "chainrule:latest"}

    assert sorted(apps) == ["chainrule", "chainrule-class"]
    for service in apps.values():
        command = " ".join(service["healthcheck"]["test"])
        assert re.findall(r"https?://[^'\"\s]+", command) == [HEALTH_URL]


def test_compose_runs_as_the_non_root_user_the_image_creates() -> None:
    dockerfile = DOCKERFILE.read_text()
    compose_user = re.search(r'^\s+user: "(\d+):(\d+)"', COMPOSE_FILE.read_text(), re.M)
    image_group = re.search(r"groupadd .*--gid (\d+) chainrule", dockerfile)
    image_user = re.search(r"useradd .*--uid (\d+) --gid chainrule", dockerfile)

    assert compose_user is not None and image_group is not None and image_user is not None
    assert compose_user.groups() == (image_user.group(1), image_group.group(1))
    assert compose_user.group(1) != "0"
    assert "\nUSER chainrule:chainrule\n" in dockerfile


def _compose() -> dict[str, Any]:
    from ruamel.yaml import YAML

    compose: dict[str, Any] = YAML(typ="safe").load(COMPOSE_FILE.read_text())
    return compose


def _proxied_app(nginx: dict[str, Any]) -> str:
    """The service an nginx service proxies: the host of its upstream's `server` line."""
    (host,) = re.findall(r"server ([\w-]+):8000\b",
                         nginx["environment"]["CHAINRULE_UPSTREAM_SERVERS"])
    return str(host)


def test_compose_publishes_ports_only_from_nginx_8000_by_default() -> None:
    services = _compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}

    assert published == {"nginx": ["8000:8000"], "nginx-class": ["8080:8080"]}
    assert "profiles" not in services["nginx"]  # `docker compose up` starts it
    assert services["nginx-class"]["profiles"] == ["class"]
    for name in published:
        assert services[name]["volumes"] == [
            "./deploy/nginx/chainrule.conf.template:/etc/nginx/templates/default.conf.template:ro"]
    assert {name: _proxied_app(services[name]) for name in published} == {
        "nginx": "chainrule", "nginx-class": "chainrule-class"}


def test_compose_apps_trust_forwarded_for_only_from_their_nginx() -> None:
    compose = _compose()
    services = compose["services"]
    (pool,) = compose["networks"]["backend"]["ipam"]["config"]
    subnet = ipaddress.ip_network(pool["subnet"])
    dynamic = ipaddress.ip_network(pool["ip_range"])

    assert compose["networks"]["backend"]["internal"] is True
    for name in ("nginx", "nginx-class"):
        address = ipaddress.ip_address(services[name]["networks"]["backend"]["ipv4_address"])
        app = services[_proxied_app(services[name])]
        assert app["environment"]["CHAINRULE_FORWARDED_ALLOW_IPS"] == str(address)
        assert app["networks"] == ["backend"]  # reachable through nginx only
        # nginx's fixed address is in the network, outside the range apps are given from.
        assert address in subnet and address not in dynamic
    assert (services["nginx"]["networks"]["backend"]["ipv4_address"]
            != services["nginx-class"]["networks"]["backend"]["ipv4_address"])
