"""Settings: every option documented, parsed from the environment as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule import settings
from chainrule.__main__ import main
from chainrule.settings import OPTIONS, ServerSettings, SettingsError

CONFIGURATION_DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_option_is_in_the_configuration_doc_with_its_flag() -> None:
    doc = CONFIGURATION_DOC.read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    for option in OPTIONS:
        flag = "--" + option.field.replace("_", "-")
        assert any(f"`{option.env}`" in row and f"`{flag}`" in row for row in rows), option


def test_environment_overrides_the_defaults() -> None:
    settings = ServerSettings.from_env({
        "CHAINRULE_WORKERS": "3", "CHAINRULE_TIMEOUT_S": "1.5", "CHAINRULE_RATE_LOCALHOST": "on",
        "CHAINRULE_MAX_BODY_BYTES": "1024", "UNRELATED": "x"})
    assert (settings.workers, settings.timeout_s, settings.rate_localhost,
            settings.max_body_bytes) == (3, 1.5, True, 1024)
    assert settings.max_traces == ServerSettings().max_traces


def test_boolean_settings_read_the_documented_words() -> None:
    for text, expected in [("1", True), ("true", True), ("yes", True), ("on", True),
                           ("0", False), ("off", False), ("", False)]:
        settings = ServerSettings.from_env({"CHAINRULE_RATE_LOCALHOST": text})
        assert settings.rate_localhost is expected, text


def test_standbys_default_to_what_three_quarters_of_memory_holds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_memory_mb", lambda: 8192)  # 6144 MiB: six 1 GiB programs
    assert ServerSettings(workers=2, memory_mb=1024).standbys() == 4  # six, less the workers
    assert ServerSettings(workers=2, memory_mb=2048).standbys() == 1
    assert ServerSettings(workers=8, memory_mb=1024).standbys() == 0  # never negative


def test_standbys_stop_at_eight_per_worker_however_much_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_memory_mb", lambda: 1024 * 1024)
    assert ServerSettings(workers=2, memory_mb=1024).standbys() == 16


def test_an_explicit_standby_count_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_memory_mb", lambda: 1024 * 1024)
    assert ServerSettings(workers=2, standby=0).standbys() == 0
    assert ServerSettings(workers=2, standby=3).standbys() == 3
    assert ServerSettings.from_env({"CHAINRULE_STANDBY": "5"}).standbys() == 5


def test_trace_slots_default_to_32_or_two_per_worker_and_an_explicit_count_is_kept() -> None:
    assert ServerSettings(workers=2).trace_slots() == 32
    assert ServerSettings(workers=24).trace_slots() == 48
    assert ServerSettings.from_env({"CHAINRULE_MAX_TRACES": "3"}).trace_slots() == 3


def test_fewer_trace_slots_than_workers_is_refused_with_what_to_set() -> None:
    ServerSettings(workers=2, max_traces=2).check()
    ServerSettings(workers=64, max_traces=-1).check()
    for max_traces in (1, 0, -2):
        with pytest.raises(SettingsError) as caught:
            ServerSettings(workers=2, max_traces=max_traces).check()
        assert str(caught.value) == (
            f"CHAINRULE_MAX_TRACES (--max-traces) is {max_traces}: it must be at least "
            f"CHAINRULE_WORKERS (2), so that every worker can run a program, or -1 for the "
            f"default")
    with pytest.raises(SettingsError) as caught:
        ServerSettings(workers=0).check()
    assert str(caught.value) == "CHAINRULE_WORKERS (--workers) must be at least 1, not 0"


QUEUE_RETIRED = ("CHAINRULE_QUEUE (--queue) is no longer read: set CHAINRULE_MAX_TRACES "
                 "(--max-traces), the trace requests held at once, running or waiting for a "
                 "worker (the old queue plus the workers)")


def test_the_retired_queue_variable_is_refused_with_what_to_set_instead() -> None:
    with pytest.raises(SettingsError) as caught:
        ServerSettings.from_env({"CHAINRULE_QUEUE": "64"})
    assert str(caught.value) == QUEUE_RETIRED


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The last line `chainrule` writes when it refuses to start (exit status 2)."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    return capsys.readouterr().err.splitlines()[-1]


def test_serve_refuses_to_start_with_settings_it_cannot_run_with(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CHAINRULE_QUEUE", raising=False)
    monkeypatch.delenv("CHAINRULE_MAX_TRACES", raising=False)
    assert _refused(["serve", "--queue", "64"], capsys) == f"chainrule: error: {QUEUE_RETIRED}"
    assert _refused(["serve", "--workers", "4", "--max-traces", "3"], capsys) == (
        "chainrule: error: CHAINRULE_MAX_TRACES (--max-traces) is 3: it must be at least "
        "CHAINRULE_WORKERS (4), so that every worker can run a program, or -1 for the default")
    monkeypatch.setenv("CHAINRULE_QUEUE", "64")
    assert _refused(["serve"], capsys) == f"chainrule: error: {QUEUE_RETIRED}"


def test_read_timeouts_and_trusted_proxies_come_from_the_environment() -> None:
    defaults = ServerSettings.from_env({})
    assert (defaults.header_timeout_s, defaults.body_timeout_s,
            defaults.forwarded_allow_ips) == (5.0, 10.0, "127.0.0.1")
    settings = ServerSettings.from_env({
        "CHAINRULE_HEADER_TIMEOUT_S": "1.5", "CHAINRULE_BODY_TIMEOUT_S": "3",
        "CHAINRULE_FORWARDED_ALLOW_IPS": "10.213.80.2,10.213.80.3"})
    assert (settings.header_timeout_s, settings.body_timeout_s,
            settings.forwarded_allow_ips) == (1.5, 3.0, "10.213.80.2,10.213.80.3")
