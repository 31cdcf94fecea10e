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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

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
        if len(self.grad_norm) == len(self.norm) == len(self.update) == calls:
            return  # the common case: a loop's leaf reached by every call
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


@lru_cache(maxsize=64)
def _segments(shapes: tuple[torch.Size, ...]) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """For gradients of these shapes, concatenated flat: each one's length, each of their
    rows' (units') length, and how many rows each has (a loop's shapes repeat: cached)."""
    sizes = [math.prod(shape) for shape in shapes]
    rows = [shape[0] if len(shape) else 1 for shape in shapes]
    lengths = torch.tensor(sizes)
    row_lengths = torch.tensor([size // r if r else 0 for size, r in zip(sizes, rows, strict=True)
                                for _ in range(r)])
    return lengths, row_lengths, rows


def _norms(tensors: Sequence[torch.Tensor]) -> list[float]:
    """Each tensor's L2 norm, exactly as `t.norm()` gives it, in one call."""
    if not tensors:
        return []
    norms: list[float] = torch.stack(torch._foreach_norm(list(tensors))).tolist()
    return norms


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: the serialiser writes non-finite numbers as strings elsewhere; here
    a chart point is a number or absent (diagnoses name non-finite values in words)."""
    return value if math.isfinite(value) else None


def _same(known: list[tuple[Series, Any]], now: list[tuple[Series, Any]]) -> bool:
    """The same Series (the same objects) with the same shapes, in the same order."""
    return len(known) == len(now) and all(
        a is b and x == y for (a, x), (b, y) in zip(known, now, strict=True))


@dataclass
class TrainingLog:
    """Every backward call of one program run, lightly."""

    losses: list[float] = field(default_factory=list)
    # The first call where a value was not finite, and the leaf's id (None: the loss).
    first_non_finite: tuple[int, int | None] | None = None
    series: dict[int, Series] = field(default_factory=dict)  # id(leaf) -> its numbers
    # The last call's leaves concatenated (their Series and shapes, the copy), and its
    # units' zero runs (their Series and row counts, the runs): a loop's next call over
    # the same leaves subtracts once.
    _flat: tuple[list[tuple[Series, Any]], torch.Tensor] | None = None
    _runs: tuple[list[tuple[Series, Any]], torch.Tensor] | None = None

    @property
    def calls(self) -> int:
        return len(self.losses)

    def after_call(self, loss: torch.Tensor,
                   leaves: list[tuple[torch.Tensor, torch.Tensor | None]]) -> None:
        """Record one call just after autograd ran: `loss` is what it differentiated,
        `leaves` the leaves it reached with their gradients (backward: their .grad as the
        call left it; autograd.grad: what it returned). A handful of ops for all the leaves
        at once (a training loop calls this thousands of times)."""
        call = self.calls
        with torch.no_grad():
            value = float(loss) if loss.numel() == 1 and loss.dtype == torch.float32 \
                else _float(loss.detach().float().sum()) if loss.numel() == 1 \
                else _float(loss.detach().float().norm())
            self.losses.append(value)
            if not math.isfinite(value) and self.first_non_finite is None:
                self.first_non_finite = (call, None)
            known = [self._series(call, leaf) for leaf, _ in leaves]
            if not self._together(call, known, leaves):
                self._moves(call, known, [leaf.detach() for leaf, _ in leaves])
                dense = [(s, g.detach().float()) for s, (_, g)
                         in zip(known, leaves, strict=True)
                         if g is not None and not g.is_sparse and g.numel()]
                self._gradients(call, dense, _norms([g for _, g in dense]))
            for series in known:
                series.pad(call + 1)

    def _series(self, call: int, leaf: torch.Tensor) -> Series:
        key = id(leaf)
        known = self.series.get(key)
        if known is None or known.tensor() is not leaf:
            known = Series(weakref.ref(leaf))
            self.series[key] = known
        known.pad(call)
        return known

    def _together(self, call: int, known: list[Series],
                  leaves: list[tuple[torch.Tensor, torch.Tensor | None]]) -> bool:
        """The common case in a dozen ops, not a dozen per leaf: every leaf is float32 with
        a dense float32 gradient of its shape. Leaves and gradients are concatenated once
        each; norms, means and maxima are taken over their segments, exactly as the
        general path (`_moves`, `_gradients`) gives them. False (nothing done) when the
        case does not hold."""
        if not known:
            return False
        dtype = torch.float32
        dense: list[tuple[Series, torch.Tensor]] = []
        for series, (leaf, grad) in zip(known, leaves, strict=True):
            if grad is None or grad.is_sparse or grad.dtype != dtype or leaf.dtype != dtype \
                    or grad.shape != leaf.shape or not leaf.numel() or leaf.is_sparse:
                return False
            dense.append((series, grad))
        sizes = [leaf.numel() for leaf, _ in leaves]
        values = torch.cat([leaf.reshape(-1) for leaf, _ in leaves])
        grads = torch.cat([grad.reshape(-1) for _, grad in dense])
        key = [(s, leaf.shape) for s, (leaf, _) in zip(known, leaves, strict=True)]
        previous = self._flat if self._flat is not None and _same(self._flat[0], key) else None
        if previous is not None:  # the same leaves as the last call: one subtraction
            moved = list(zip(known, (values - previous[1]).split_with_sizes(sizes),
                             strict=True))
        else:
            moved = [(s, v - s.value) for s, (v, _) in zip(known, leaves, strict=True)
                     if s.value is not None and s.value.shape == v.shape]
        norms = _norms([*grads.split_with_sizes(sizes), *values.split_with_sizes(sizes),
                        *(d for _, d in moved)])
        count = len(known)
        for series, norm in zip(known, norms[count:2 * count], strict=True):
            series.norm.append(_finite_or_none(norm))
        for (series, _), norm in zip(moved, norms[2 * count:], strict=True):
            series.update[series.last_call] = _finite_or_none(norm)
        kept = values.clone()
        self._flat = (key, kept)
        for series, value, (leaf, _) in zip(known, kept.split_with_sizes(sizes), leaves,
                                            strict=True):
            series.value = value.view(leaf.shape)
            series.last_call = call
            series.update.append(None)
        self._gradients(call, dense, norms[:count], grads)
        return True

    def _moves(self, call: int, known: list[Series], values: list[torch.Tensor]) -> None:
        """Each leaf's norm now, and how far it moved since the last call that reached it
        (the update after that call)."""
        self._flat = None
        for series, norm in zip(known, _norms([v.float() for v in values]), strict=True):
            series.norm.append(_finite_or_none(norm))
        moved = [(s, v) for s, v in zip(known, values, strict=True)
                 if s.value is not None and s.value.shape == v.shape]
        if moved:
            previous = [s.value for s, _ in moved if s.value is not None]
            changes = torch._foreach_sub([v for _, v in moved], previous)
            for (series, _), norm in zip(moved, _norms(changes), strict=True):
                series.update[series.last_call] = _finite_or_none(norm)
        for series, value in zip(known, values, strict=True):
            series.value = value.clone()
            series.last_call = call
            series.update.append(None)

    def _gradients(self, call: int, dense: list[tuple[Series, torch.Tensor]],
                   norms: list[float], flat: torch.Tensor | None = None) -> None:
        """Each gradient's mean, max |g| and zero fraction (their norms given), and the
        units (rows) whose gradient was all zero, from one concatenation of them all."""
        if not dense:
            return
        grads = [g for _, g in dense]
        if flat is None:
            flat = torch.cat([g.reshape(-1) for g in grads])
        lengths, row_lengths, rows = _segments(tuple(g.shape for g in grads))
        magnitude = flat.abs()
        stats = torch.stack([
            torch.segment_reduce(flat, "mean", lengths=lengths, unsafe=True),
            torch.segment_reduce(magnitude, "max", lengths=lengths, unsafe=True),
            torch.segment_reduce((flat == 0).to(flat.dtype), "mean", lengths=lengths,
                                 unsafe=True),
        ]).tolist()
        zero_rows = torch.segment_reduce(magnitude, "max", lengths=row_lengths,
                                         unsafe=True) == 0
        runs = self._zero_runs(dense, rows)
        runs = (runs + 1) * zero_rows
        for k, ((series, _), run) in enumerate(zip(dense, runs.split_with_sizes(rows),
                                                   strict=True)):
            if not math.isfinite(norms[k]) and self.first_non_finite is None:
                self.first_non_finite = (call, id(series.tensor()))
            series.grad_norm.append(_finite_or_none(norms[k]))
            series.grad_mean.append(_finite_or_none(stats[0][k]))
            series.grad_max.append(_finite_or_none(stats[1][k]))
            series.zero_fraction.append(stats[2][k])
            series.zero_run = run
        self._runs = ([(s, r) for (s, _), r in zip(dense, rows, strict=True)], runs)

    def _zero_runs(self, dense: list[tuple[Series, torch.Tensor]],
                   rows: list[int]) -> torch.Tensor:
        """Per unit of these leaves, the calls in a row its gradient was 0 until now:
        the last call's tensor when it had the same leaves, else each leaf's own."""
        key = [(s, r) for (s, _), r in zip(dense, rows, strict=True)]
        if self._runs is not None and _same(self._runs[0], key):
            return self._runs[1]
        return torch.cat([s.zero_run if s.zero_run is not None and s.zero_run.numel() == r
                          else torch.zeros(r, dtype=torch.int64)
                          for (s, _), r in zip(dense, rows, strict=True)])

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
