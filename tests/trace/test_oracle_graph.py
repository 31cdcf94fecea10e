"""Every corpus program's graph against torch itself, run by plain Python.

The oracle runs the program with `exec` (our own corpus text, in a test) under a
TorchFunctionMode that keeps each function's output tensor and hooks every backward
pass: an independent record of values, gradients and what flowed along each edge.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest
import torch
from torch.overrides import TorchFunctionMode

from chainrule.runner import trace_to_json
from tests.conftest import as_tensor, strict_loads
from tests.language.corpus import CORPUS


class Oracle(TorchFunctionMode):
    """Values of function outputs by grad_fn, and each backward pass's hook records."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[Any, torch.Tensor] = {}
        self.phases: list[tuple[Any, dict[Any, tuple[Any, Any]]]] = []

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func is torch.Tensor.backward:
            return self._backward(args[0], func, args, kwargs)
        out = func(*args, **kwargs)
        for t in out if isinstance(out, tuple | list) else (out,):
            if isinstance(t, torch.Tensor) and t.grad_fn is not None:
                self.values.setdefault(t.grad_fn, t.detach().clone())
        return out

    def _backward(self, tensor: torch.Tensor, func: Any, args: Any, kwargs: Any) -> Any:
        records: dict[Any, tuple[Any, Any]] = {}
        handles = []
        for node in bfs(tensor.grad_fn):
            def hook(gi: Any, go: Any, node: Any = node) -> None:
                records[node] = (clone_all(gi), clone_all(go))
            handles.append(node.register_hook(hook))
        try:
            return func(*args, **kwargs)
        finally:
            for handle in handles:
                handle.remove()
            self.phases.append((tensor.grad_fn, records))


def clone_all(grads: Any) -> tuple[torch.Tensor | None, ...]:
    return tuple(g.detach().clone() if g is not None else None for g in grads)


def bfs(root: Any) -> list[Any]:
    order, seen, i = [root], {root}, 0
    while i < len(order):
        for child, _ in order[i].next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                order.append(child)
        i += 1
    return order


def run_oracle(source: str) -> Oracle:
    oracle = Oracle()
    torch.manual_seed(0)
    with oracle, contextlib.redirect_stdout(io.StringIO()):
        exec(source, {"__name__": "oracle"})  # noqa: S102 - our corpus, in a test
    return oracle


# Programs whose shown graph is the last backward() of the program.
WITH_BACKWARD = sorted(
    name for name, source in CORPUS.items()
    if ".backward(" in source and "autograd.grad" not in source
)


@pytest.mark.parametrize("name", WITH_BACKWARD)
def test_graph_values_and_gradients_equal_torch(name: str) -> None:
    source = CORPUS[name]
    torch.manual_seed(0)
    body = strict_loads(trace_to_json(source))
    oracle = run_oracle(source)
    root, records = oracle.phases[-1]
    expected = bfs(root)
    graph_nodes = [n for n in body["nodes"] if n["kind"] != "constant"]
    assert [n["op"] for n in graph_nodes] == [type(n).__name__ for n in expected]
    index = {n["id"]: i for i, n in enumerate(graph_nodes)}
    compared = 0
    for node, real in zip(graph_nodes, expected, strict=True):
        if real in oracle.values:  # a function-level output: its value as torch made it
            assert torch.equal(as_tensor(node["value"]), oracle.values[real]), node["id"]
            compared += 1
        grad_inputs, grad_outputs = records[real]
        if grad_outputs and grad_outputs[0] is not None:
            assert torch.equal(as_tensor(node["grad"]), grad_outputs[0]), node["id"]
    for edge in body["edges"]:
        if edge["source"] not in index:
            assert edge["grad"] is None  # nothing flows to a constant
            continue
        grad_inputs, _ = records[expected[index[edge["target"]]]]
        sent = grad_inputs[edge["input"]]
        if sent is None:
            assert edge["grad"] is None
        else:
            assert torch.equal(as_tensor(edge["grad"]), sent), edge
    assert compared > 0


@pytest.mark.parametrize("name", WITH_BACKWARD)
def test_fan_out_gradients_sum_to_the_node_gradient(name: str) -> None:
    body = strict_loads(trace_to_json(CORPUS[name]))
    for node in body["nodes"]:
        parts = [body["edges"][i]["grad"] for i in node["grad_parts"]]
        if not parts or node["grad"] is None or any(p is None for p in parts):
            continue
        total = sum(as_tensor(p) for p in parts)
        assert torch.allclose(total, as_tensor(node["grad"]), rtol=1e-6, atol=1e-7), node["id"]
