"""The trace layer's side of the interpreter's Tracer protocol: forward and backward capture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from chainrule.errors import OutputError
from chainrule.trace.backward import Phase, run_backward
from chainrule.trace.recorder import Recorder

Span = tuple[int, int, int, int]


class TraceSession:
    """Everything recorded while one program runs."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.phases: list[Phase] = []
        self.last_backward: torch.Tensor | None = None

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any:
        return self.recorder.call(fn, args, kwargs, span)

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None:
        if tensor.grad_fn is None and not tensor.requires_grad:
            raise OutputError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if tensor.numel() != 1 and kwargs.get("gradient") is None:
            raise OutputError(
                f"backward() needs a scalar, but this tensor has shape {list(tensor.shape)}: "
                "reduce it first with .sum() or .mean(), or pass gradient=..."
            )
        phase, _ = run_backward(tensor.grad_fn, span, lambda: tensor.backward(**kwargs))
        self.phases.append(phase)
        self.last_backward = tensor

    def mutating(self) -> None:
        return None

    def phase_for(self, root: Any) -> Phase | None:
        """The last backward phase that ran through `root`."""
        for phase in reversed(self.phases):
            if root in phase.by_node:
                return phase
        return None
