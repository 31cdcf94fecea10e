"""Settings: every option documented, parsed from the environment as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule import settings
from chainrule.settings import OPTIONS, ServerSettings

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
    assert settings.queue == ServerSettings().queue


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
