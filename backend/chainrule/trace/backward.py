"""Backward capture: what each grad_fn received and sent, in the order autograd ran it.

Hooks from torch.autograd.graph.Node.register_hook fire after a node runs, with
(grad_inputs, grad_outputs): grad_outputs is d output / d this node's tensor, and
grad_inputs[i] is what flows on to next_functions[i]. While the hook runs the node
still holds its saved tensors, so it is also where the local derivatives are read:
calling the node on a gradient of ones gives d y / d input for a one-element y.

Every tensor kept here is a copy taken when autograd delivered it (`Copies`): the
tensors autograd passes to hooks are the ones it goes on to use, and one of them becomes
a leaf's `.grad`, which the program may then change in place (`w.grad.zero_()`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from chainrule.spans import Span
from chainrule.trace.walk import reachable

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
    # torch.autograd.grad returned this node's gradient (an input of the call): it was
    # handed back to the program, not stored in .grad.
    returned: bool = False


@dataclass
class Phase:
    """One backward() (or autograd.grad) call: the nodes in the order autograd ran them."""

    root: Any  # the grad_fn differentiated
    span: Span
    seed: torch.Tensor | None = None  # the `gradient` argument, when one was given
    call: str = "backward"  # "backward" or "autograd.grad"
    call_index: int = -1  # which call of the program's it was (0-based; training.py)
    order: list[Ran] = field(default_factory=list)
    by_node: dict[Any, Ran] = field(default_factory=dict)
    # A call only logged (tracer.py): the nodes it ran through, and no Ran of any. It
    # counts among the phases kept, as a captured call would, and is never shown.
    logged_only: frozenset[Any] = frozenset()

    def ran_through(self, node: Any) -> bool:
        return node in self.by_node or node in self.logged_only


class Copies:
    """Copies of the tensors autograd hands to hooks, taken as they are delivered.

    One copy per tensor while it is unchanged, so a gradient that a node sends and the
    next node receives is one tensor in the record as it is in autograd (and is written
    once in the response). The originals are held for the phase, which keeps their ids
    valid; a changed `_version` gets a fresh copy.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[torch.Tensor, int, torch.Tensor]] = {}

    def __call__(self, tensor: Any) -> torch.Tensor | None:
        if not isinstance(tensor, torch.Tensor):
            return None
        known = self._known.get(id(tensor))
        if known is not None and known[0] is tensor and known[1] == tensor._version:
            return known[2]
        copy = tensor.detach().clone()  # detached: create_graph=True records no clone
        self._known[id(tensor)] = (tensor, tensor._version, copy)
        return copy

    def all(self, tensors: Sequence[Any]) -> Grads:
        """`self(t)` for each, inlined: it runs for every tensor of every backward."""
        known = self._known
        copied: list[torch.Tensor | None] = []
        for tensor in tensors:
            if tensor is None:
                copied.append(None)
                continue
            entry = known.get(id(tensor))
            version = tensor._version
            if entry is not None and entry[0] is tensor and entry[1] == version:
                copied.append(entry[2])
                continue
            copy = tensor.detach().clone()
            known[id(tensor)] = (tensor, version, copy)
            copied.append(copy)
        return tuple(copied)


_SAVED_NAMES: dict[type, tuple[str, ...]] = {}


def saved_names(node: Any) -> tuple[str, ...]:
    """The node type's `_saved_*` attributes (cached per type: dir() is slow)."""
    kind = type(node)
    names = _SAVED_NAMES.get(kind)
    if names is None:
        names = tuple(n for n in dir(node) if n.startswith("_saved_"))
        _SAVED_NAMES[kind] = names
    return names


def _local(node: Any, grad_outputs: Grads) -> Grads:
    """d y / d input for each input, by running the node on ones (one-element y only).

    What comes back is made from these ones, never a tensor the program holds: no copy."""
    if not grad_outputs or any(g is None or g.numel() != 1 for g in grad_outputs):
        return ()
    ones = [torch.ones_like(g) for g in grad_outputs if g is not None]
    if torch.is_grad_enabled():  # create_graph=True: the derivative itself is not recorded
        with torch.no_grad():
            result = node(*ones)
    else:
        result = node(*ones)
    return tuple(r if isinstance(r, torch.Tensor) else None
                 for r in (result if isinstance(result, tuple) else (result,)))


def _saved(node: Any, copies: Copies) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in saved_names(node):
        try:
            value = getattr(node, name)
        except RuntimeError:  # already freed by an earlier backward
            continue
        # A saved leaf is the leaf itself: copied, as the program may update it later.
        values[name.removeprefix("_saved_")] = copies(value) \
            if isinstance(value, torch.Tensor) else value
    return values


def run_backward(root: Any, span: Span, run: Callable[[], Any],
                 seed: torch.Tensor | None = None,
                 returned: Sequence[torch.Tensor] = ()) -> tuple[Phase, Any]:
    """Hook every node under `root`, call `run` (which runs the real backward), unhook.

    `returned`: the `inputs` of a torch.autograd.grad call. Autograd hands their gradients
    back instead of running their nodes (a leaf's AccumulateGrad never runs), so a hook on
    each tensor records what arrived there, in the order it arrived.
    """
    copies = Copies()
    phase = Phase(root, span, copies(seed), "autograd.grad" if returned else "backward")

    def hook_for(node: Any) -> Callable[[Grads, Grads], None]:
        is_leaf = type(node).__name__ == "AccumulateGrad"

        def hook(grad_inputs: Grads, grad_outputs: Grads) -> None:
            # Below any dispatch mode: torch.autograd.grad runs inside the program's, and
            # these copies and local derivatives are chainrule's, not the program's ops.
            with torch._C._DisableTorchDispatch():
                record(grad_inputs, grad_outputs)

        def record(grad_inputs: Grads, grad_outputs: Grads) -> None:
            known = phase.by_node.get(node)
            if known is not None and known.returned and not known.grad_inputs:
                ran = known  # an input of autograd.grad whose node also had to run
                ran.grad_outputs = copies.all(grad_outputs)
                ran.grad_inputs = copies.all(grad_inputs)
            else:
                ran = Ran(node, copies.all(grad_outputs), copies.all(grad_inputs))
                phase.order.append(ran)
                phase.by_node[node] = ran
            if is_leaf:
                grad = node.variable.grad
                ran.accumulated = None if grad is None else grad.detach().clone()
            else:
                ran.local = _local(node, ran.grad_outputs) if callable(node) else ()
                ran.saved = _saved(node, copies)
        return hook

    nodes = reachable(root)
    handles = [node.register_hook(hook_for(node)) for node in nodes]
    for tensor in returned:
        node, position = _node_of(tensor, nodes)
        if node is not None and tensor.requires_grad:
            handles.append(tensor.register_hook(_capture(phase, node, position, copies)))
    try:
        result = run()
    finally:
        for handle in handles:
            handle.remove()
    return phase, result


def _node_of(tensor: Any, nodes: list[Any]) -> tuple[Any, int]:
    """The graph node a tensor's gradient arrives at and at which of its outputs: its
    grad_fn at its output_nr, or for a leaf the AccumulateGrad that feeds it."""
    if not isinstance(tensor, torch.Tensor):
        return None, 0
    if tensor.grad_fn is not None:
        return tensor.grad_fn, tensor.output_nr
    for node in nodes:
        if type(node).__name__ == "AccumulateGrad" and node.variable is tensor:
            return node, 0
    return None, 0


def _capture(phase: Phase, node: Any, position: int,
             copies: Copies) -> Callable[[torch.Tensor], None]:
    """A tensor hook recording the gradient autograd.grad returns for one of its inputs."""

    def hook(grad: torch.Tensor) -> None:
        with torch._C._DisableTorchDispatch():
            record(grad)

    def record(grad: torch.Tensor) -> None:
        ran = phase.by_node.get(node)
        if ran is None:
            ran = Ran(node, (), (), returned=True)
            phase.order.append(ran)
            phase.by_node[node] = ran
        grads = list(ran.grad_outputs)
        grads.extend([None] * (position + 1 - len(grads)))
        grads[position] = copies(grad)
        ran.grad_outputs = tuple(grads)
        ran.returned = True
    return hook
