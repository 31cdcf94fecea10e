"""The gradient check: each leaf's gradient against central finite differences in float64.

Nothing of the program runs again. The aten calls that built the shown graph were
recorded with their arguments; they are replayed in float64 with one element of one
leaf nudged by +h and by -h, and (f(+h) - f(-h)) / 2h is set beside autograd's number.
Tensors from outside the graph (constants, random draws) enter the replay as the values
the program used, so the function checked is exactly the one drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from chainrule.trace.backward import Phase
from chainrule.trace.graph import TraceGraph
from chainrule.trace.recorder import Alias, Produced, produced_of
from chainrule.trace.walk import reachable

STEP = 1e-6  # h, in float64
MAX_ELEMENTS_PER_LEAF = 16  # elements checked in each leaf (the first ones, in order)
MAX_REPLAYS = 400  # replays of the graph in one check; fewer elements per leaf past this
_LOW_PRECISION = (torch.float32, torch.float16, torch.bfloat16)


@dataclass
class LeafCheck:
    node: str
    name: str | None
    elements: int  # elements in the leaf
    analytic: torch.Tensor  # autograd's gradient at the checked elements, float64
    numeric: torch.Tensor  # central differences at the same elements, float64
    shape: tuple[int, ...] = ()  # the leaf's shape: element i is at indices()[i]

    def indices(self) -> list[list[int]]:
        """Each checked element's index in the leaf ([] for a one-element 0-d leaf)."""
        return [_unravel(i, self.shape) for i in range(len(self.analytic))]

    def rel_errors(self) -> torch.Tensor:
        """|analytic - numeric| / max(|analytic|, |numeric|, 1e-8), per checked element."""
        scale = torch.maximum(self.analytic.abs(), self.numeric.abs()).clamp_min(1e-8)
        return (self.analytic - self.numeric).abs() / scale

    @property
    def max_rel_error(self) -> float:
        return float(self.rel_errors().max())


@dataclass
class GradCheck:
    step: float
    leaves: list[LeafCheck]
    error: str | None = None  # why the check could not be made


def check_gradients(graph: TraceGraph, phase: Phase | None) -> GradCheck:
    """Check every leaf of `graph` that received a gradient in `phase`, against the
    output that phase differentiated: the graph's own output, or one downstream of it
    (the program's loss, when the graph shown is of a tensor upstream of it)."""
    if phase is None:
        return GradCheck(STEP, [], "no backward pass ran through this graph")
    calls = _calls(reachable(phase.root))
    root = produced_of(phase.root)
    if root is None or not calls:
        return GradCheck(STEP, [], "this graph's ops were not recorded")
    if any(call.op is None for call in calls):
        return GradCheck(STEP, [], "this graph has an op that cannot be replayed (a custom "
                         "autograd Function runs the program's own code)")
    leaves = [(node, graph.node_of[node]) for node in graph.node_of
              if type(node).__name__ == "AccumulateGrad"]
    nodes = {n.id: n for n in graph.nodes}
    graded = [(node, nid) for node, nid in leaves if nodes[nid].grad is not None]
    if not graded:
        return GradCheck(STEP, [], "no leaf received a gradient")
    per_leaf = max(1, min(MAX_ELEMENTS_PER_LEAF, MAX_REPLAYS // (2 * len(graded))))
    seed = phase.seed
    # Each leaf as the graph's ops read it (the value its node shows).
    bases = {id(node.variable): _leaf_value(nodes[nid].value, node.variable)
             for node, nid in leaves}
    checks = []
    try:
        for node, nid in graded:
            leaf = node.variable
            base = bases[id(leaf)]
            count = min(per_leaf, base.numel())
            numeric = torch.empty(count, dtype=torch.float64)
            for i in range(count):
                numeric[i] = (_value(calls, root, bases, id(leaf), i, STEP, seed)
                              - _value(calls, root, bases, id(leaf), i, -STEP, seed)) / (2 * STEP)
            grad = nodes[nid].grad
            assert grad is not None
            analytic = grad.detach().double().reshape(-1)[:count]
            checks.append(LeafCheck(nid, nodes[nid].name, base.numel(), analytic, numeric,
                                    tuple(base.shape)))
    except (RuntimeError, TypeError, ValueError, IndexError) as exc:
        return GradCheck(STEP, [], f"the graph could not be replayed in float64: {exc}")
    return GradCheck(STEP, checks)


def _unravel(flat: int, shape: tuple[int, ...]) -> list[int]:
    """The index of element `flat` (row-major) of a tensor of `shape`."""
    index = []
    for size in reversed(shape):
        flat, at = divmod(flat, size)
        index.append(at)
    return index[::-1]


def _leaf_value(shown: torch.Tensor | None, leaf: torch.Tensor) -> torch.Tensor:
    return (shown if shown is not None else leaf.detach()).double()


def _calls(nodes: list[Any]) -> list[Produced]:
    """The recorded calls behind these grad_fn nodes, once each, in the order they ran."""
    found: dict[int, Produced] = {}
    for node in nodes:
        produced = produced_of(node)
        if produced is not None:
            found[id(produced)] = produced
    return sorted(found.values(), key=lambda produced: produced.seq)


def _value(calls: list[Produced], root: Produced, bases: dict[int, torch.Tensor],
           leaf: int, index: int, delta: float, seed: torch.Tensor | None) -> float:
    """The output (summed against the seed, if any) with one leaf element moved by delta."""
    shadow = dict(bases)
    nudged = bases[leaf].clone()
    nudged.reshape(-1)[index] += delta
    shadow[leaf] = nudged
    for call in calls:
        args = _in_float64(call.args, shadow, call.reads)
        kwargs = _in_float64(call.kwargs, shadow, call.reads)
        if kwargs.get("dtype") in _LOW_PRECISION:
            kwargs["dtype"] = torch.float64
        out = call.op(*args, **kwargs)
        results = list(out) if isinstance(out, tuple | list) else [out]
        for j, result in enumerate(results[:len(call.outputs)]):
            original = call.output(j)
            if original is not None:
                shadow[id(original)] = result
    original = root.output(root.index)
    if original is None or id(original) not in shadow:
        raise ValueError("the output is no longer held")
    output = shadow[id(original)]
    if seed is not None:
        output = output * seed.double()
    return float(output.sum())


def _in_float64(value: Any, shadow: dict[int, torch.Tensor],
                reads: dict[int, torch.Tensor]) -> Any:
    """The call's arguments for the replay: graph tensors from the replay so far, other
    tensors as the call read them (the program may have changed them since)."""
    if isinstance(value, Alias):  # an in-place op's operand: the tensor, if still held
        value = value.ref()
        if value is None:
            raise ValueError("an in-place operand is no longer held")
    if isinstance(value, torch.Tensor):
        known = shadow.get(id(value))
        if known is not None:
            return known
        value = reads.get(id(value), value).detach()
        return value.double() if value.dtype in _LOW_PRECISION else value
    if isinstance(value, tuple):
        return tuple(_in_float64(v, shadow, reads) for v in value)
    if isinstance(value, list):
        return [_in_float64(v, shadow, reads) for v in value]
    if isinstance(value, dict):
        return {k: _in_float64(v, shadow, reads) for k, v in value.items()}
    return value
