"""Training, lightly: for every backward() or autograd.grad call of a program, its loss
and, for each leaf it reached (parameters and leaves the program made), the gradient's
size after the call and the leaf's own, and how far the next update moved it.

A call costs a few reductions per leaf, below the dispatch mode (they are chainrule's, not
the program's ops); the graph and its steps are kept only for the calls tracer.py keeps.
What the page draws is at most MAX_TRAINING_POINTS calls (evenly spaced, the last one
always in); the diagnoses (diagnose.py) read every call.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import torch

# A unit (a row of a weight, an element of a bias) is dead when its gradient was exactly
# zero for this many calls in a row, up to the last.
DEAD_AFTER_CALLS = 20


@dataclass
class Series:
    """One leaf's numbers, one entry per call that reached it (None where one did not)."""

    tensor: weakref.ref[torch.Tensor]
    grad_norm: list[float | None] = field(default_factory=list)
    grad_mean: list[float | None] = field(default_factory=list)
    grad_max: list[float | None] = field(default_factory=list)  # max |g|
    zero_fraction: list[float | None] = field(default_factory=list)
    norm: list[float | None] = field(default_factory=list)
    update: list[float | None] = field(default_factory=list)  # |p after - p at the call|
    value: torch.Tensor | None = None  # the leaf's value at its last call (for `update`)
    last_call: int = -1  # the last call that reached it
    zero_run: torch.Tensor | None = None  # per unit: calls in a row its gradient was 0

    def pad(self, calls: int) -> None:
        for column in self.columns():
            column.extend([None] * (calls - len(column)))

    def columns(self) -> list[list[float | None]]:
        return [self.grad_norm, self.grad_mean, self.grad_max, self.zero_fraction,
                self.norm, self.update]

    def dead_units(self) -> int:
        """Units whose gradient has been exactly zero for DEAD_AFTER_CALLS calls up to
        the last."""
        if self.zero_run is None:
            return 0
        return int((self.zero_run >= DEAD_AFTER_CALLS).sum())

    def units(self) -> int:
        return 0 if self.zero_run is None else self.zero_run.numel()


def _float(x: torch.Tensor) -> float:
    return float(x)


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: the serialiser writes non-finite numbers as strings elsewhere; here
    a chart point is a number or absent (diagnoses name non-finite values in words)."""
    return value if math.isfinite(value) else None


@dataclass
class TrainingLog:
    """Every backward call of one program run, lightly."""

    losses: list[float] = field(default_factory=list)
    # The first call where a value was not finite, and the leaf's id (None: the loss).
    first_non_finite: tuple[int, int | None] | None = None
    series: dict[int, Series] = field(default_factory=dict)  # id(leaf) -> its numbers

    @property
    def calls(self) -> int:
        return len(self.losses)

    def after_call(self, loss: torch.Tensor,
                   leaves: list[tuple[torch.Tensor, torch.Tensor | None]]) -> None:
        """Record one call just after autograd ran: `loss` is what it differentiated,
        `leaves` the leaves it reached with their gradients (backward: their .grad as the
        call left it; autograd.grad: what it returned)."""
        call = self.calls
        with torch.no_grad():
            value = _float(loss.detach().float().sum()) if loss.numel() == 1 \
                else _float(loss.detach().float().norm())
            self.losses.append(value)
            if not math.isfinite(value) and self.first_non_finite is None:
                self.first_non_finite = (call, None)
            for leaf, grad in leaves:
                self._leaf(call, leaf, grad)

    def _leaf(self, call: int, leaf: torch.Tensor, grad: torch.Tensor | None) -> None:
        key = id(leaf)
        known = self.series.get(key)
        if known is None or known.tensor() is not leaf:
            known = Series(weakref.ref(leaf))
            self.series[key] = known
        known.pad(call)
        detached = leaf.detach()
        if known.value is not None and known.value.shape == detached.shape:
            known.update[known.last_call] = _finite_or_none(
                _float((detached - known.value).norm()))
        known.value = detached.clone()
        known.last_call = call
        if grad is None or grad.is_sparse:
            for column in known.columns()[:4]:
                column.append(None)
        else:
            g = grad.detach().float()
            norm = _float(g.norm())
            if not math.isfinite(norm) and self.first_non_finite is None:
                self.first_non_finite = (call, key)
            known.grad_norm.append(_finite_or_none(norm))
            known.grad_mean.append(_finite_or_none(_float(g.mean())) if g.numel() else None)
            known.grad_max.append(_finite_or_none(_float(g.abs().max())) if g.numel() else None)
            zero = g == 0
            known.zero_fraction.append(_float(zero.float().mean()) if g.numel() else None)
            rows = zero.reshape(zero.shape[0], -1).all(dim=1) if zero.dim() else zero.reshape(1)
            if known.zero_run is None or known.zero_run.shape != rows.shape:
                known.zero_run = torch.zeros(rows.shape, dtype=torch.int64)
            known.zero_run = (known.zero_run + 1) * rows
        known.norm.append(_finite_or_none(_float(detached.float().norm())))
        known.update.append(None)

    def finish(self) -> None:
        """After the program: the last update of each leaf, and every series as long as the
        calls."""
        for known in self.series.values():
            leaf = known.tensor()
            if leaf is not None and known.value is not None and known.last_call >= 0 \
                    and known.value.shape == leaf.shape:
                with torch.no_grad():
                    known.update[known.last_call] = _finite_or_none(
                        _float((leaf.detach() - known.value).norm()))
            known.pad(self.calls)
