"""The rooms' settings: read from the environment, and refused when the server could not
run rooms with them."""

from __future__ import annotations

import pytest

from chainrule.settings import ServerSettings, SettingsError


def test_room_settings_are_read_from_the_environment() -> None:
    settings = ServerSettings.from_env({
        "CHAINRULE_REDIS_URL": "redis://redis:6379/0", "CHAINRULE_ROOM_TTL_S": "60",
        "CHAINRULE_ROOM_MAX_ROOMS": "5", "CHAINRULE_ROOM_MAX_LISTENERS": "7",
        "CHAINRULE_MAX_LISTENERS": "9", "CHAINRULE_ROOM_ANSWERS_PER_MINUTE": "11",
        "CHAINRULE_ROOM_MISSES_PER_MINUTE": "13", "CHAINRULE_ROOM_HEARTBEAT_S": "2.5"})
    assert (settings.redis_url, settings.room_ttl_s, settings.room_max_rooms,
            settings.room_max_listeners, settings.max_listeners,
            settings.room_answers_per_minute, settings.room_misses_per_minute,
            settings.room_heartbeat_s) == ("redis://redis:6379/0", 60.0, 5, 7, 9, 11, 13, 2.5)


def test_the_defaults_keep_rooms_in_memory_for_four_hours() -> None:
    settings = ServerSettings()
    assert (settings.redis_url, settings.room_ttl_s) == ("", 14400.0)


@pytest.mark.parametrize(("env", "value", "message"), [
    ("CHAINRULE_ROOM_TTL_S", "0", "CHAINRULE_ROOM_TTL_S must be more than 0, not 0.0"),
    ("CHAINRULE_MAX_LISTENERS", "-1", "CHAINRULE_MAX_LISTENERS must be more than 0, not -1"),
    ("CHAINRULE_REDIS_URL", "localhost:6379",
     "CHAINRULE_REDIS_URL must start with redis://, rediss:// or unix:// (or be empty: "
     "rooms in this process's memory)"),
])
def test_room_settings_the_server_cannot_use_are_refused(env: str, value: str,
                                                         message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ServerSettings.from_env({env: value}).check()
    assert str(caught.value) == message
