"""What a training run's records say, in words: dead ReLUs, vanishing and exploding
gradients, the first value that was not finite, a loss that rose. Pure: reads a
TrainingLog (training.py) and the leaves' names, every call of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainrule.trace.training import DEAD_AFTER_CALLS, Series, TrainingLog

VANISHING_RATIO = 1e-3  # a layer's gradient norm this far below the layer after it
EXPLODING_NORM = 1e3  # a gradient norm past this, at the last call
RISING_RATIO = 1.5  # the last calls' loss this many times the first calls'


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # "dead_units", "vanishing", "exploding", "non_finite", "loss_rising"
    message: str
    leaves: tuple[str, ...]  # the leaves (by name) it is about, for the page to mark
    call: int | None = None  # the call it points at, when one


def _last(values: list[float | None]) -> float | None:
    for value in reversed(values):
        if value is not None:
            return value
    return None


def _g(x: float) -> str:
    return f"{x:.3g}"


def diagnose(log: TrainingLog, named: list[tuple[str, Series]],
             weights: list[tuple[str, Series]]) -> list[Diagnosis]:
    """`named`: every leaf with a name, in the program's order; `weights`: the weight of
    each layer, input to output (for vanishing and exploding)."""
    found: list[Diagnosis] = []
    if log.first_non_finite is not None:
        call, key = log.first_non_finite
        what = "the loss" if key is None else next(
            (f"{name}'s gradient" for name, s in named if log.series.get(key) is s),
            "a gradient")
        found.append(Diagnosis("non_finite", f"{what[0].upper()}{what[1:]} was first not "
                               f"finite (NaN or infinite) at call {call + 1} of backward",
                               tuple(n for n, s in named if log.series.get(key or -1) is s),
                               call))
    if log.calls >= 2 * DEAD_AFTER_CALLS:
        for name, series in named:
            dead, units = series.dead_units(), series.units()
            if dead and units > 1 and series.grad_norm and name.endswith("weight"):
                found.append(Diagnosis(
                    "dead_units", f"{dead} of {units} units of {name.rsplit('.', 1)[0]} "
                    f"had a gradient of exactly 0 for the last {DEAD_AFTER_CALLS} calls: "
                    "dead ReLUs (their input is negative for every example)", (name,)))
    norms = [(name, _last(series.grad_norm)) for name, series in weights]
    for (name, norm), (after, after_norm) in zip(norms, norms[1:], strict=False):
        if norm is not None and after_norm and norm < VANISHING_RATIO * after_norm:
            ratio = _g(after_norm / max(norm, 1e-300))
            found.append(Diagnosis(
                "vanishing", f"{name}'s gradient norm ({_g(norm)}) is {ratio} times smaller "
                f"than {after}'s ({_g(after_norm)}): the gradient vanishes on its way back",
                (name, after)))
    for name, norm in norms:
        if norm is not None and norm > EXPLODING_NORM:
            found.append(Diagnosis("exploding", f"{name}'s gradient norm is {_g(norm)} at "
                                   "the last call: the gradient explodes", (name,)))
    finite = [x for x in log.losses if math.isfinite(x)]
    if len(finite) >= 10:
        k = max(1, len(finite) // 10)
        first, last = sum(finite[:k]) / k, sum(finite[-k:]) / k
        if first > 0 and last > RISING_RATIO * first:
            found.append(Diagnosis("loss_rising", f"The loss rose from {_g(first)} to "
                                   f"{_g(last)} (the first and last tenth of the calls): "
                                   "a learning rate too large?", ()))
    return found
