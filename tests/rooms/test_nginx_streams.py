"""Through the compose file's nginx: a class behind one address holds more event streams
than the 64 requests in flight nginx allows an address, and its teacher and students can
still step, join and answer (the streams are counted in a zone of their own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rooms.test_cross_instance import Follower, call, new_room, step
from tests.server import serve
from tests.test_nginx import nginx_in_front_of

PER_ADDRESS_IN_FLIGHT = 64  # the template's server-wide limit_conn
STREAMS = PER_ADDRESS_IN_FLIGHT + 6  # a class of students behind one NAT address


@pytest.fixture(scope="module")
def nginx_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with serve(tmp_path_factory.mktemp("app"), env={"CHAINRULE_WORKERS": "1"}) as app, \
            nginx_in_front_of(tmp_path_factory.mktemp("nginx"), [app]) as port:
        yield port


def test_a_class_of_open_streams_leaves_the_teacher_and_students_room(nginx_port: int
                                                                      ) -> None:
    code, secret = new_room(nginx_port)
    followers: list[Follower] = []
    try:
        for _ in range(STREAMS):
            follower = Follower(nginx_port, f"/api/v2/rooms/{code}/events")
            followers.append(follower)
            assert follower.next_state() == {"code": code, "seq": 0, "state": None}
        # Every stream is open and has had its first event: 70 held through nginx.
        published = call(nginx_port, "PUT", f"/api/v2/rooms/{code}/state", step(1), secret)
        joined = call(nginx_port, "POST", f"/api/v2/rooms/{code}/students")
        assert published == (200, {"seq": 1})
        assert joined[0] == 201
        assert [f.next_state()["seq"] for f in followers] == [1] * STREAMS
    finally:
        for follower in followers:
            follower.close()
