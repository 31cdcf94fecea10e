"""Calls of backward() that a loop is sure to make again are only logged (tracer.py): the
response is byte for byte the one every call captured in full gives, and the calls that
went light are exactly those that could not be the last."""

from __future__ import annotations

import pytest

from chainrule import pipeline
from chainrule.errors import ChainruleError
from chainrule.language.values import items_left
from chainrule.pipeline import TraceJob
from chainrule.trace import tracer
from tests.trace.test_training import ADAM, FORGOT_ZERO_GRAD, MANUAL, SGD

GRAD_LOOP = """import torch
w = torch.tensor([1.0, -2.0], requires_grad=True)
for x in [torch.tensor([1.0, 2.0]), torch.tensor([0.5, 0.0]), torch.tensor([3.0, 1.0])]:
    loss = (w * x).sum() ** 2
    (g,) = torch.autograd.grad(loss, [w])
    with torch.no_grad():
        w -= 0.1 * g
"""
NESTED = """import torch
w = torch.tensor(0.5, requires_grad=True)
data = [(1.0, 2.0), (2.0, 4.1), (3.0, 5.9)]
for epoch in range(3):
    for i, (x, y) in enumerate(data):
        loss = (w * x - y) ** 2
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
        w.grad.zero_()
"""
BREAK = """import torch
w = torch.tensor(3.0, requires_grad=True)
for step in range(50):
    loss = (w - 1) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.3 * w.grad
    w.grad.zero_()
    if loss.item() < 0.01:
        break
"""
SAME_GRAPH = """import torch
x = torch.tensor(2.0, requires_grad=True)
y = x + 1
for i in range(3):
    y.backward()
print(x.grad)
"""
WHILE = """import torch
w = torch.tensor(2.0, requires_grad=True)
step = 0
while step < 4:
    loss = (w * w).sum()
    loss.backward()
    step += 1
"""
MADE_EARLY = """import torch
w = torch.tensor(1.5, requires_grad=True)
for i in range(4):
    if i == 1:
        kept = w * 2
    loss = (w * (i + 1)) ** 2
    loss.backward()
total = kept + w
total.backward()
"""
FAILS_MIDWAY = """import torch
w = torch.tensor(1.0, requires_grad=True)
for i in range(6):
    h = w * (i + 1)
    loss = h ** 2
    loss.backward()
    assert i < 3, "stopped"
"""
SHRINKING = """import torch
w = torch.tensor(1.0, requires_grad=True)
data = [1.0, 2.0, 3.0, 4.0]
for x in data:
    loss = (w * x) ** 2
    loss.backward()
    data.pop()
torch.set_grad_enabled(False)
print(w.grad)
"""
OTHER_GRAPHS = """import torch
x = torch.tensor(2.0, requires_grad=True)
y = x * 3
y.backward(retain_graph=True)
w = torch.tensor(1.0, requires_grad=True)
for i in range(10):
    loss = (w * i) ** 2
    loss.backward()
y.backward()
print(x.grad)
"""
UNROLLED_AFTER = """import torch
w = torch.tensor(0.5, requires_grad=True)
for step in range(3):
    loss = (w * 2 - 1) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
h = torch.tensor(1.0)
for t in range(3):
    h = torch.tanh(w * h)
h.backward()
"""
OUTPUT_OLDER = """import torch
x = torch.tensor(2.0, requires_grad=True)
h = x * 3
for i in range(3):
    z = h + i
    z.backward(retain_graph=True)
"""


def _body(source: str, light: bool, output: str | None = None,
          call: int | None = None) -> bytes:
    return pipeline.run(TraceJob(source, {}, output, False, 2, call=call), light=light)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each run of a program's trace, by whether it let calls go light."""
    made: list[bool] = []
    real = pipeline._trace

    def counting(job: TraceJob, recorded: list[int] | None = None,
                 light: bool = True) -> bytes | None:
        made.append(light)
        return real(job, recorded, light)
    monkeypatch.setattr(pipeline, "_trace", counting)
    return made


@pytest.fixture
def light_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many calls each traced program made only logged."""
    counted: list[int] = []
    real = tracer._light_backward

    def counting(root: object, span: object, call: object, run: object) -> object:
        counted.append(1)
        return real(root, span, call, run)  # type: ignore[arg-type]
    monkeypatch.setattr(tracer, "_light_backward", counting)
    return counted


@pytest.mark.parametrize(("source", "light"), [
    (SGD, 24), (ADAM, 24), (MANUAL, 29), (FORGOT_ZERO_GRAD, 14), (NESTED, 8),
])
def test_a_loop_logs_its_calls_but_the_last_and_answers_the_same(
        source: str, light: int, light_calls: list[int], runs: list[bool]) -> None:
    full = _body(source, light=False)
    assert light_calls == []
    assert _body(source, light=True) == full
    assert len(light_calls) == light
    assert runs == [False, True]  # no second run: the last call's graph was all recorded


def test_autograd_grad_in_a_loop_is_logged_lightly_too() -> None:
    assert _body(GRAD_LOOP, light=True) == _body(GRAD_LOOP, light=False)


def test_a_loop_that_may_break_captures_every_call(light_calls: list[int],
                                                   runs: list[bool]) -> None:
    # A break (or a return) may end the loop at any call: none is sure not to be the
    # last, so none goes light and the program runs once.
    assert _body(BREAK, light=True) == _body(BREAK, light=False)
    assert light_calls == []
    assert runs == [True, False]


def test_a_loop_that_ends_early_runs_again_in_full_on_a_fresh_thread(
        light_calls: list[int], runs: list[bool]) -> None:
    # The list shrinks as the loop runs: its 2nd call, thought not the last, is; the
    # second run starts with grad mode on again (the first left it off).
    assert _body(SHRINKING, light=True) == _body(SHRINKING, light=False)
    assert len(light_calls) == 2
    assert runs == [True, False, False]


def test_light_calls_count_among_the_phases_kept_as_captured_ones_do() -> None:
    # Ten calls on other graphs push y's first phase out of the budget either way.
    body = _body(OTHER_GRAPHS, light=True)
    assert body == _body(OTHER_GRAPHS, light=False)
    assert body.count(b'"call":"backward"') == 1


def test_calls_through_one_graph_keep_every_phase(light_calls: list[int]) -> None:
    body = _body(SAME_GRAPH, light=True)
    assert body == _body(SAME_GRAPH, light=False)
    assert body.count(b'"call":"backward"') == 3


def test_a_while_loop_captures_every_call(light_calls: list[int]) -> None:
    assert _body(WHILE, light=True) == _body(WHILE, light=False)
    assert light_calls == []


def test_retained_graphs_and_older_outputs_are_captured_in_full(
        light_calls: list[int]) -> None:
    assert _body(OUTPUT_OLDER, light=True, output="h") \
        == _body(OUTPUT_OLDER, light=False, output="h")
    assert light_calls == []


def test_the_asked_call_is_captured_in_a_light_loop(light_calls: list[int],
                                                    runs: list[bool]) -> None:
    assert _body(SGD, light=True, call=7) == _body(SGD, light=False, call=7)
    assert len(light_calls) == 23
    assert runs == [True, False]


def test_a_graph_holding_an_unrecorded_iterations_op_runs_again_in_full(
        runs: list[bool]) -> None:
    # `kept` was made in an iteration that ran unrecorded, and the last graph holds it.
    assert _body(MADE_EARLY, light=True) == _body(MADE_EARLY, light=False)
    assert runs == [True, False, False]  # the light run ran again in full


def test_a_loop_without_calls_after_training_is_recorded_in_one_run(
        runs: list[bool], light_calls: list[int]) -> None:
    # The unrolled loop makes no call of its own: its iterations are recorded, and the
    # graph of h, built over all three, needs no second run.
    assert _body(UNROLLED_AFTER, light=True) == _body(UNROLLED_AFTER, light=False)
    assert runs == [True, False]
    assert len(light_calls) == 2


def test_an_error_midway_keeps_its_partial_graph_whole(runs: list[bool]) -> None:
    errors = []
    for light in (True, False):
        with pytest.raises(ChainruleError) as caught:
            _body(FAILS_MIDWAY, light=light)
        errors.append(caught.value)
    assert [e.partial for e in errors[:1]] == [errors[1].partial]
    assert errors[0].partial is not None and b'"value"' in errors[0].partial
    assert (errors[0].line, errors[0].col, str(errors[0])) \
        == (errors[1].line, errors[1].col, str(errors[1]))
    assert runs == [True, False, False]


def test_items_left_is_known_only_for_sequences_of_known_length() -> None:
    numbers = iter(range(4))
    next(numbers)
    assert items_left(numbers) == 3
    assert items_left(iter([1, 2])) == 2
    assert items_left(iter({"a": 1}.items())) == 1
    assert items_left(iter(x for x in [1, 2])) is None
