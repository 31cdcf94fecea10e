"""The trace layer's side of the interpreter's Tracer protocol: forward and backward capture."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import torch

from chainrule.errors import TorchError
from chainrule.settings import MAX_KEPT_PHASES, MAX_OTHER_PHASES
from chainrule.spans import Span
from chainrule.trace.backward import Phase, run_backward
from chainrule.trace.recorder import Recorder, metadata, ran_unrecorded
from chainrule.trace.training import TrainingLog
from chainrule.trace.walk import reachable


def _leaves(phase: Phase) -> list[torch.Tensor]:
    """The leaves a backward phase reached, in the order autograd ran their nodes."""
    return [ran.node.variable for ran in phase.order
            if type(ran.node).__name__ == "AccumulateGrad"]


class Loop(Protocol):
    """A for-loop running, as the interpreter keeps it: whether its iteration now is sure
    to be followed by another, and the mark set here when a call in it was only logged."""

    again: bool
    marked: bool


_LIGHT = "chainrule.light"  # in a node's metadata: a call only logged ran through it


def _light_backward(root: Any, span: Span, call: str,
                    run: Callable[[], Any]) -> tuple[Phase, list[torch.Tensor], Any]:
    """Run a backward with no capture: a phase that holds only the nodes it ran through,
    the leaves it reached in the order autograd ran their nodes (a hook on their
    AccumulateGrad nodes only), and what `run` returned. Every other node is marked: a
    graph shown later that holds one lacks this call's phase."""
    reached: list[torch.Tensor] = []
    handles = []
    nodes = reachable(root)
    for node in nodes:
        if type(node).__name__ == "AccumulateGrad":
            handles.append(node.register_hook(
                lambda _inputs, _outputs, leaf=node.variable: reached.append(leaf)))
        else:
            metadata(node)[_LIGHT] = True
    try:
        result = run()
    finally:
        for handle in handles:
            handle.remove()
    return Phase(root, span, call=call, logged_only=frozenset(nodes)), reached, result


class TraceSession:
    """Everything recorded while one program runs."""

    def __init__(self, keep_call: int | None = None, limits: bool = True) -> None:
        self.recorder = Recorder(limits)
        self.phases: list[Phase] = []
        self.last_backward: torch.Tensor | None = None
        self.training = TrainingLog()  # every call, lightly
        self.keep_call = keep_call  # a call whose graph is kept whatever follows
        self._kept_tensor: torch.Tensor | None = None  # the tensor that call differentiated
        # The for-loops running (the interpreter's, which pipeline.py hands over). A call
        # made in an iteration sure to be followed by another is not the program's last:
        # unless it is the call asked for, it is only logged, and its loop is marked; the
        # ops of the marked loop's later iterations run unrecorded. A training loop's
        # calls cost little more than their log, and the last one is captured in full.
        self.loops: Sequence[Loop] = ()
        self.light_calls = 0

    def lost(self, target: torch.Tensor | None) -> bool:
        """Whether the graph of `target` may lack what a full run would show: a call only
        logged ran through it (the last call, when a loop ended early), or one of its ops
        ran unrecorded. The program must then run again with every call captured
        (pipeline.py)."""
        if self.light_calls == 0 or target is None:
            return False
        root = target.grad_fn
        if root is None:
            return self.recorder.skipped
        if _LIGHT in metadata(root):
            return True
        return self.recorder.skipped and any(ran_unrecorded(node) for node in reachable(root))

    def _light(self, retain: Any, create: Any) -> bool:
        """Log this call only (no hooks on its graph, no copies): a statement that will
        run again makes it, and it frees its graph (a retained graph may be run again
        later, and the steps would need this call's phase)."""
        if retain or create or self.training.calls == self.keep_call:
            return False
        live = [loop for loop in self.loops if loop.again]
        for loop in live:
            loop.marked = True
        self.light_calls += bool(live)
        return bool(live)

    def tensor_of_call(self, call: int) -> torch.Tensor | None:
        """The tensor call `call` differentiated, if it is the one kept (or the last)."""
        if call == self.keep_call and self._kept_tensor is not None:
            return self._kept_tensor
        if call == self.training.calls - 1:
            return self.last_backward
        return None

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span, *, made: bool = True, single: bool = True) -> Any:
        """`fn(*args, **kwargs)` recorded (Recorder.call says what `made` and `single` do)."""
        if fn is torch.autograd.grad:
            return self._autograd_grad(args, kwargs, span)
        if self.light_calls and self.training.calls != self.keep_call and any(
                loop.again and loop.marked for loop in self.loops):
            # A loop that logs its calls lightly, in an iteration sure to be followed by
            # another: its graph is not the one shown (unless it is the call asked for)
            return self.recorder.unrecorded(fn, args, kwargs, span, made=made)
        return self.recorder.call(fn, args, kwargs, span, made=made, single=single)

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None:
        """tensor.backward(**kwargs), with every node's gradients recorded as a phase."""
        if tensor.grad_fn is None and not tensor.requires_grad:
            raise TorchError(  # torch's own words, as Python would show them
                "element 0 of tensors does not require grad and does not have a grad_fn")
        gradient = kwargs.get("gradient")
        if tensor.numel() != 1 and gradient is None:
            raise TorchError(
                "grad can be implicitly created only for scalar outputs: this tensor has "
                f"shape {list(tensor.shape)}; reduce it first with .sum() or .mean(), or "
                "pass gradient=..."
            )
        seed = gradient if isinstance(gradient, torch.Tensor) else None
        if self._light(kwargs.get("retain_graph"), kwargs.get("create_graph")):
            with self.recorder.paused():
                phase, reached, _ = _light_backward(tensor.grad_fn, span, "backward",
                                                    lambda: tensor.backward(**kwargs))
                phase.call_index = self._number(tensor, [(leaf, leaf.grad) for leaf in reached])
            self._keep(phase)
            self.last_backward = tensor
            return
        with self.recorder.paused():
            phase, _ = run_backward(tensor.grad_fn, span, lambda: tensor.backward(**kwargs),
                                    seed)
            phase.call_index = self._number(
                tensor, [(leaf, leaf.grad) for leaf in _leaves(phase)])
        self._keep(phase)
        self.last_backward = tensor

    def _autograd_grad(self, args: tuple[Any, ...], kwargs: dict[str, Any], span: Span) -> Any:
        outputs = args[0] if args else kwargs.get("outputs")
        first = outputs[0] if isinstance(outputs, tuple | list) and outputs else outputs
        if not isinstance(first, torch.Tensor) or first.grad_fn is None:
            return self.recorder.call(torch.autograd.grad, args, kwargs, span)
        inputs = args[1] if len(args) > 1 else kwargs.get("inputs", ())
        returned = list(inputs) if isinstance(inputs, tuple | list) else [inputs]
        if len(args) <= 3 and self._light(kwargs.get("retain_graph"),
                                          kwargs.get("create_graph")):
            phase, _, result = _light_backward(
                first.grad_fn, span, "autograd.grad",
                lambda: self.recorder.call(torch.autograd.grad, args, kwargs, span))
            phase.call_index = self._log_grad(first, returned, result)
            self._keep(phase)
            self.last_backward = first
            return result
        phase, result = run_backward(
            first.grad_fn, span,
            lambda: self.recorder.call(torch.autograd.grad, args, kwargs, span),
            returned=returned)
        phase.call_index = self._log_grad(first, returned, result)
        self._keep(phase)
        self.last_backward = first
        return result

    def _log_grad(self, first: torch.Tensor, returned: list[Any], result: Any) -> int:
        grads = result if isinstance(result, tuple | list) else (result,)
        with self.recorder.paused():
            return self._number(first, [
                (leaf, g if isinstance(g, torch.Tensor) else None)
                for leaf, g in zip(returned, grads, strict=False)
                if isinstance(leaf, torch.Tensor)])

    def _number(self, tensor: torch.Tensor,
                leaves: list[tuple[torch.Tensor, torch.Tensor | None]]) -> int:
        """Number the call, log it lightly, and hold its tensor if it is the one kept."""
        call = self.training.calls
        self.training.after_call(tensor, leaves)
        if call == self.keep_call:
            self._kept_tensor = tensor
        return call

    def _keep(self, phase: Phase) -> None:
        """Keep the new phase, the earlier ones that ran through its root (gradients
        accumulating over calls on one graph), and the most recent others up to a
        budget: a training loop of thousands of backward() calls holds a few graphs,
        not thousands (each phase holds its graph alive)."""
        root = phase.root
        through = [p for p in self.phases if p.ran_through(root)]
        others = [p for p in self.phases if not p.ran_through(root)][-MAX_OTHER_PHASES:]
        chosen = [p for p in self.phases if p.call_index == self.keep_call]
        kept = set(map(id, through + others + chosen))
        kept_phases = [p for p in self.phases if id(p) in kept]
        chosen_ids = set(map(id, chosen))
        self.phases = [p for p in kept_phases[:-MAX_KEPT_PHASES] if id(p) in chosen_ids] \
            + kept_phases[-MAX_KEPT_PHASES:] + [phase]

    def custom_backward(self, node_class: type, formula: str) -> None:
        """A custom autograd Function's backward node class, and the program's formula."""
        self.recorder.custom_backwards[node_class] = formula

    def phases_through(self, root: Any) -> list[Phase]:
        """The backward phases that ran through `root`, in program order."""
        return [phase for phase in self.phases if root in phase.by_node]
