"""The frontend's unit-test fixtures are what the backend now answers: frontend/scripts/
make-fixtures.py writes every one of them from a program (or GET /api/v2/examples), and
these tests fail, naming the stale files, when one differs from what it would write."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.content.examples import SEED_SOURCE
from chainrule.pipeline import trace_to_json
from chainrule.settings import ServerSettings

SCRIPT = Path(__file__).resolve().parents[1] / "frontend" / "scripts" / "make-fixtures.py"
COMMAND = ".venv/bin/python frontend/scripts/make-fixtures.py"


def _load_script() -> ModuleType:
    """frontend/scripts/make-fixtures.py as a module (its name is not an identifier)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_fixtures = _load_script()


@pytest.fixture(scope="module")
def made() -> dict[str, str]:
    """Every fixture's name and the text the script would write now."""
    fixtures: dict[str, str] = make_fixtures.fixtures()
    return fixtures


def test_every_fixture_is_what_the_backend_now_answers(made: dict[str, str]) -> None:
    stale = make_fixtures.stale(made=made)
    assert stale == [], f"stale frontend fixtures: {', '.join(stale)}; run `{COMMAND}`"


def test_every_fixture_is_made_by_the_script() -> None:
    unmade = make_fixtures.unmade()
    assert unmade == [], (f"frontend/tests/fixtures/ files no program in {SCRIPT.name} makes: "
                          f"{', '.join(unmade)}; add their programs there, then run `{COMMAND}`")


def test_a_changed_or_missing_fixture_is_named_stale(made: dict[str, str],
                                                     tmp_path: Path) -> None:
    for name, text in made.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert make_fixtures.stale(tmp_path, made) == []
    seed = tmp_path / "seed_trace.json"
    seed.write_text(seed.read_text(encoding="utf-8").replace("-0.55999976", "-0.56", 1),
                    encoding="utf-8")
    (tmp_path / "examples.json").unlink()
    (tmp_path / "hand_written_trace.json").write_text("{}\n", encoding="utf-8")
    assert make_fixtures.stale(tmp_path, made) == ["examples.json", "seed_trace.json"]
    assert make_fixtures.unmade(tmp_path) == ["hand_written_trace.json"]


def test_another_cpus_float_rounding_is_not_a_change(made: dict[str, str],
                                                    tmp_path: Path) -> None:
    # torch's kernels differ by CPU, and so do a float32 result's last digits: a fixture
    # made on another machine, its numbers that close, is up to date. A number changed
    # further, a label, an integer become a float or keys in another order are not.
    name = "compare_sigmoid_trace.json"
    trace = json.loads(made[name])
    at = next(i for i, t in enumerate(trace["tensors"])
              if isinstance(t["data"], list) and len(t["data"]) > 1
              and all(isinstance(x, float) for x in t["data"]))
    row = trace["tensors"][at]["data"]

    def stale_with(change: Callable[[dict[str, Any]], None]) -> list[str]:
        changed = json.loads(made[name])
        change(changed)
        (tmp_path / name).write_text(make_fixtures.canonical(changed), encoding="utf-8")
        return make_fixtures.stale(tmp_path, {name: made[name]})

    def rounded(t: dict[str, Any]) -> None:
        t["tensors"][at]["data"][0] = row[0] * (1 + 2.3e-5)  # the most this machine gave
        t["tensors"][at]["data"][1] = row[1] + 1e-10

    def changed(t: dict[str, Any]) -> None:
        t["tensors"][at]["data"][0] = row[0] * (1 + 1e-3)

    def relabelled(t: dict[str, Any]) -> None:
        t["nodes"][0]["label"] += "'"

    def integer_to_float(t: dict[str, Any]) -> None:
        t["tensors"][at]["shape"][0] = float(t["tensors"][at]["shape"][0])

    def reordered(t: dict[str, Any]) -> None:
        t["nodes"][0] = dict(reversed(t["nodes"][0].items()))

    assert stale_with(lambda t: None) == []
    assert stale_with(rounded) == []
    assert stale_with(changed) == [name]
    assert stale_with(relabelled) == [name]
    assert stale_with(integer_to_float) == [name]
    assert stale_with(reordered) == [name]
    assert make_fixtures.same([True], [1.0]) is False
    # A sum that cancels: 0.0 on one machine, a few float32 epsilons on another.
    assert make_fixtures.same([0.0], [6e-8]) is True
    assert make_fixtures.same([0.0], [1e-5]) is False
    # Not the script's own writing: the same numbers indented otherwise, or not JSON at all.
    (tmp_path / name).write_text(json.dumps(trace, indent=2), encoding="utf-8")
    assert make_fixtures.stale(tmp_path, {name: made[name]}) == [name]
    (tmp_path / name).write_text("<<<<<<< HEAD\n" + made[name], encoding="utf-8")
    assert make_fixtures.stale(tmp_path, {name: made[name]}) == [name]


def test_the_seed_fixture_is_the_seed_program_itself() -> None:
    assert make_fixtures.PROGRAMS["seed_trace.json"] is SEED_SOURCE


def test_the_script_writes_what_the_routes_answer(made: dict[str, str]) -> None:
    with TestClient(create_app(ServerSettings(workers=1))) as client:
        traced = client.post("/api/v2/trace", json={"source": SEED_SOURCE})
        listed = client.get("/api/v2/examples")
    assert traced.status_code == 200, traced.text
    assert traced.content == trace_to_json(SEED_SOURCE, api=2)
    assert made["seed_trace.json"] == make_fixtures.canonical(json.loads(traced.content))
    assert made["examples.json"] == make_fixtures.canonical(listed.json())
