"""Backward capture: what each grad_fn received and sent, in the order autograd ran it.

Hooks from torch.autograd.graph.Node.register_hook fire after a node runs, with
(grad_inputs, grad_outputs): grad_outputs is d output / d this node's tensor, and
grad_inputs[i] is what flows on to next_functions[i]. While the hook runs the node
still holds its saved tensors, so it is also where the local derivatives are read:
calling the node on a gradient of ones gives d y / d input for a one-element y.
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
    local: Grads = ()  # d y / d input per next_functions entry, for a one-element y
    saved: dict[str, Any] = field(default_factory=dict)  # the node's _saved_* values
    accumulated: torch.Tensor | None = None  # a leaf's .grad after this run


@dataclass
class Phase:
    """One backward() (or autograd.grad) call: the nodes in the order autograd ran them."""

    root: Any  # the grad_fn differentiated
    span: Span
    seed: torch.Tensor | None = None  # the `gradient` argument, when one was given
    order: list[Ran] = field(default_factory=list)
    by_node: dict[Any, Ran] = field(default_factory=dict)


_SAVED_NAMES: dict[type, tuple[str, ...]] = {}


def saved_names(node: Any) -> tuple[str, ...]:
    """The node type's `_saved_*` attributes (cached per type: dir() is slow)."""
    kind = type(node)
    names = _SAVED_NAMES.get(kind)
    if names is None:
        names = tuple(n for n in dir(node) if n.startswith("_saved_"))
        _SAVED_NAMES[kind] = names
    return names


def _keep(grads: tuple[Any, ...]) -> Grads:
    """The hook's gradients, held as they are: no copy is needed.

    Autograd only steals or adds in place into a gradient tensor nobody else holds (it
    checks the reference count), and holding them here makes them held.
    """
    if type(grads) is tuple:  # what hooks pass: tensors and Nones already
        return grads
    return tuple(g if isinstance(g, torch.Tensor) else None for g in grads)


def _local(node: Any, grad_outputs: Grads) -> Grads:
    """d y / d input for each input, by running the node on ones (one-element y only)."""
    if not grad_outputs or any(g is None or g.numel() != 1 for g in grad_outputs):
        return ()
    ones = [torch.ones_like(g) for g in grad_outputs if g is not None]
    if torch.is_grad_enabled():  # create_graph=True: the derivative itself is not recorded
        with torch.no_grad():
            result = node(*ones)
    else:
        result = node(*ones)
    return _keep(result if isinstance(result, tuple) else (result,))


def _saved(node: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in saved_names(node):
        try:
            values[name.removeprefix("_saved_")] = getattr(node, name)
        except RuntimeError:  # already freed by an earlier backward
            continue
    return values


def run_backward(root: Any, span: Span, run: Callable[[], Any],
                 seed: torch.Tensor | None = None) -> tuple[Phase, Any]:
    """Hook every node under `root`, call `run` (which runs the real backward), unhook."""
    phase = Phase(root, span, None if seed is None else seed.detach().clone())

    def hook_for(node: Any) -> Callable[[Grads, Grads], None]:
        is_leaf = type(node).__name__ == "AccumulateGrad"

        def hook(grad_inputs: Grads, grad_outputs: Grads) -> None:
            ran = Ran(node, _keep(grad_outputs), _keep(grad_inputs))
            if is_leaf:
                grad = node.variable.grad
                ran.accumulated = None if grad is None else grad.detach().clone()
            else:
                ran.local = _local(node, grad_outputs)
                ran.saved = _saved(node)
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
