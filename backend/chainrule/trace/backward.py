"""Backward capture: what each grad_fn received and sent, in the order autograd ran it.

Hooks from torch.autograd.graph.Node.register_hook fire after a node runs, with
(grad_inputs, grad_outputs): grad_outputs is d output / d this node's tensor, and
grad_inputs[i] is what flows on to next_functions[i].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from chainrule.trace.walk import reachable

Span = tuple[int, int, int, int]
Grads = tuple[torch.Tensor | None, ...]


@dataclass
class Ran:
    """One node's run during a backward pass."""

    node: Any
    grad_outputs: Grads  # d output / d this node's output tensor(s)
    grad_inputs: Grads  # what it sends along each of next_functions


@dataclass
class Phase:
    """One backward() (or autograd.grad) call: the nodes in the order autograd ran them."""

    root: Any  # the grad_fn differentiated
    span: Span
    order: list[Ran] = field(default_factory=list)
    by_node: dict[Any, Ran] = field(default_factory=dict)


def _copy(grads: tuple[Any, ...]) -> Grads:
    # AccumulateGrad may keep the very tensor as .grad and add into it later.
    return tuple(g.detach().clone() if isinstance(g, torch.Tensor) else None for g in grads)


def run_backward(root: Any, span: Span, run: Callable[[], Any]) -> tuple[Phase, Any]:
    """Hook every node under `root`, call `run` (which runs the real backward), unhook."""
    phase = Phase(root, span)

    def hook_for(node: Any) -> Callable[[Grads, Grads], None]:
        def hook(grad_inputs: Grads, grad_outputs: Grads) -> None:
            ran = Ran(node, _copy(grad_outputs), _copy(grad_inputs))
            phase.order.append(ran)
            phase.by_node[node] = ran
        return hook

    handles = [node.register_hook(hook_for(node)) for node in reachable(root)]
    try:
        result = run()
    finally:
        for handle in handles:
            handle.remove()
    return phase, result
