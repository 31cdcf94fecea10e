"""The whole graph against plain torch, run in another process (tests/oracle/plain_torch.py).

For every program of the corpus, the examples and the lessons (with their variants), the
chainrule response is compared, call by call, with what plain CPython + torch delivered:
every backward step's `grad`, `sends`, `accumulated` and `returned`, every node's value
and gradient (each output of ops with several), every leaf's and constant's value as the
graph's ops read it, every edge's gradient, and the printed output. The oracle copies each
gradient at the moment autograd delivers it, so a number chainrule shows that the program
changed afterwards (`w.grad.zero_()`, `w.data -= ...`) fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chainrule.content.examples import EXAMPLES
from chainrule.content.lessons import LESSONS
from chainrule.errors import ChainruleError
from chainrule.pipeline import trace_to_json
from tests.conftest import node_where, strict_loads
from tests.language.corpus import CORPUS
from tests.language.corpus_tutorials import TUTORIALS
from tests.oracle import run_plain, same, start_plain


def programs() -> dict[str, str]:
    found = {f"corpus:{name}": source for name, source in CORPUS.items()}
    found.update({f"tutorial:{name}": source for name, source in TUTORIALS.items()})
    found.update({f"example:{e.id}": e.source for e in EXAMPLES})
    for lesson in LESSONS:
        found[f"lesson:{lesson.id}"] = lesson.source
        for k, variant in enumerate(lesson.variants):
            found[f"lesson:{lesson.id}:variant{k}"] = variant.source
    return found


PROGRAMS = programs()


def _chainrule(source: str) -> dict[str, Any]:
    try:
        return {"body": strict_loads(trace_to_json(source)), "error": None}
    except ChainruleError as exc:
        return {"body": None, "error": f"{exc.code}: {exc.message}"}


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every program through chainrule here, and through the oracle in one other process,
    at the same time. A graph with no backward call is named for the oracle by its output's
    name: those programs go to the oracle in a second, short run."""
    wait = start_plain(PROGRAMS)
    ours = {key: _chainrule(source) for key, source in PROGRAMS.items()}
    roots = {}
    for key in PROGRAMS:
        body = ours[key]["body"]
        if body is not None and not body["phases"] and body["output"] is not None:
            roots[key] = node_where(body, id=body["output"])["name"]
    theirs = wait()
    theirs.update(run_plain({key: PROGRAMS[key] for key in roots}, roots))
    return {key: (ours[key], theirs[key]) for key in PROGRAMS}


# --- comparing ----------------------------------------------------------------------------

def _at(items: list[Any], i: int) -> Any:
    return items[i] if i < len(items) else None


_ADDRESS = re.compile(r"0x[0-9a-f]+")


def without_addresses(text: str) -> str:
    """Memory addresses differ between any two runs; chainrule's are stable ones."""
    return _ADDRESS.sub("0x…", text)


@pytest.mark.parametrize("key", sorted(PROGRAMS))
def test_every_number_is_the_one_torch_delivered(
        key: str, runs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
    ours, theirs = runs[key]
    if theirs["error"] is not None or ours["error"] is not None:
        assert ours["error"] is not None and theirs["error"] is not None, (ours, theirs)
        # Refused by torch itself: chainrule gives torch's words (after the exception's
        # name in Python), and at most a hint after them.
        said = theirs["error"].partition(": ")[2]
        code, _, message = ours["error"].partition(": ")
        assert code == "torch_error", (ours["error"], theirs["error"])
        assert message == said or message.startswith(said + ": "), (message, said)
        return
    body, graph = ours["body"], theirs["graph"]
    assert without_addresses(body["stdout"]) == without_addresses(theirs["stdout"])
    if graph is None:
        assert not body["phases"]
        return
    nodes, edges = body["nodes"], body["edges"]
    count = len(graph["nodes"])
    assert [n["op"] for n in nodes[:count]] == [n["op"] for n in graph["nodes"]]
    assert all(n["kind"] == "constant" for n in nodes[count:])
    index = {n["id"]: i for i, n in enumerate(nodes)}

    # Structure: each grad_fn input is an edge, reading the output it reads in torch (by its
    # position among the op's results, which is what `output` counts).
    by_input = {(index[e["target"]], e["input"]): e for e in edges}
    for i, node in enumerate(graph["nodes"]):
        for j, (child, output_nr) in enumerate(node["next"]):
            if child is not None:
                edge = by_input[(i, j)]
                results = graph["nodes"][child]["results"]
                position = next((k for k, (_, nr) in enumerate(results) if nr == output_nr),
                                output_nr) if len(results) > 1 else output_nr
                assert (index[edge["source"]], edge["output"]) == (child, position)

    # Values: each op's results as the op made them; leaves and constants as read.
    for i, (mine, real) in enumerate(zip(nodes, graph["nodes"], strict=False)):
        results = real["results"]
        if mine["kind"] == "leaf":
            if real["leaf_value"] is not None:
                same(mine["value"], real["leaf_value"], f"{key} leaf n{i} value")
        elif results:
            first = next(v for v, nr in results if nr == 0)
            same(mine["value"], first, f"{key} n{i} value")
            for result in mine["outputs"]:
                same(result["value"], results[result["output"]][0],
                     f"{key} n{i} output {result['output']} value")
        if len(results) > 1:
            assert mine["outputs"], f"{key} n{i} has several results and lists none"
    for edge in edges:
        source = nodes[index[edge["source"]]]
        if source["kind"] == "constant":
            reads = graph["nodes"][index[edge["target"]]]["reads"]
            assert any(_equal(source["value"], r) for r in reads), f"{key} {edge}"

    # Gradients, call by call: every step, in the order autograd ran them.
    phases = body["phases"]
    assert [p["call"] for p in phases] == [p["call"] for p in graph["phases"]]
    for p, real_phase in enumerate(graph["phases"]):
        steps = [s for s in body["steps"]["backward"] if s["phase"] == p]
        assert [index[s["node"]] for s in steps] == [s["node"] for s in real_phase["steps"]]
        for step, real in zip(steps, real_phase["steps"], strict=True):
            where = f"{key} phase {p} {step['node']}"
            same(step["grad"], _at(real["go"], 0), f"{where} grad")
            for k, e in enumerate(step["edges"]):
                same(step["sends"][k], _at(real["gi"], edges[e]["input"]), f"{where} send {k}")
            same(step["accumulated"], real["accumulated"], f"{where} accumulated")
            assert step["returned"] == real["returned"], where
            mine = nodes[index[step["node"]]]
            results = graph["nodes"][real["node"]]["results"]
            for entry in step["outputs"]:
                nr = results[entry["output"]][1]
                same(entry["grad"], None if nr is None else _at(real["go"], nr),
                     f"{where} output {entry['output']}")

    # A node and an edge show the last call's gradients.
    last = {s["node"]: s for s in graph["phases"][-1]["steps"]} if graph["phases"] else {}
    for i, (mine, real_node) in enumerate(zip(nodes, graph["nodes"], strict=False)):
        real = last.get(i)
        same(mine["grad"], _at(real["go"], 0) if real else None, f"{key} n{i} grad")
        for result in mine["outputs"]:
            nr = real_node["results"][result["output"]][1]
            same(result["grad"], _at(real["go"], nr) if real and nr is not None else None,
                 f"{key} n{i} output {result['output']} grad")
    for edge in edges:
        target = index[edge["target"]]
        real = last.get(target)
        if nodes[index[edge["source"]]]["kind"] == "constant":
            assert edge["grad"] is None
            continue
        same(edge["grad"], _at(real["gi"], edge["input"]) if real else None, f"{key} {edge}")


def _equal(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    try:
        same(ours, theirs, "")
    except AssertionError:
        return False
    return True


def test_the_oracle_covers_in_place_updates_multi_output_ops_and_autograd_grad(
        runs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """The programs that once showed numbers torch never computed are all here."""
    sources = "\n".join(PROGRAMS.values())
    for construct in ("w.grad.zero_()", ".mul_(", ".data -=", "set_to_none=False",
                      "torch.split(", "max(", ".unbind(", ".topk(", "torch.autograd.grad("):
        assert construct in sources, construct
    returned = [key for key, (ours, _) in runs.items() if ours["body"] is not None
                and any(s["returned"] for s in ours["body"]["steps"]["backward"])]
    several = [key for key, (ours, _) in runs.items() if ours["body"] is not None
               and any(n["outputs"] for n in ours["body"]["nodes"])]
    assert len(returned) >= 2 and len(several) >= 4, (returned, several)


def test_every_response_matches_the_contract(
        runs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """The API's response model (api/schemas.py, extra fields forbidden) accepts every body
    the corpus, the tutorials, the examples and the lessons make."""
    from chainrule.api.schemas import TraceOut

    checked = 0
    for ours, _ in runs.values():
        if ours["body"] is not None:
            TraceOut.model_validate(ours["body"])
            checked += 1
    assert checked >= 150
