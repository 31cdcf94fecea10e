"""What a training run's records say, in words: dead ReLUs, vanishing and exploding
gradients, the first value that was not finite, a loss that rose. Pure: reads a
TrainingLog (training.py) and the leaves' names, every call of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainrule.trace.training import DEAD_AFTER_CALLS, Series, TrainingLog

VANISHING_RATIO = 1e-3  # a layer's gradient norm this far below the last layer's
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
    each layer, input to output (for vanishing, against the last layer's, and exploding)."""
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
    last, last_norm = norms[-1] if norms else ("", None)
    if len(norms) >= 2 and last_norm:
        faint = [(name, norm) for name, norm in norms[:-1]
                 if norm is not None and norm < VANISHING_RATIO * last_norm]
        if faint:
            name, norm = faint[0]
            ratio = _g(last_norm / max(norm, 1e-300))
            found.append(Diagnosis(
                "vanishing", f"{name}'s gradient norm ({_g(norm)}) is {ratio} times smaller "
                f"than the last layer's, {last} ({_g(last_norm)}): the gradient vanishes on "
                f"its way back ({len(faint)} layer{'' if len(faint) == 1 else 's'} under "
                f"1/{_g(1 / VANISHING_RATIO)} of it)", (*(n for n, _ in faint), last)))
    for name, size in norms:
        if size is not None and size > EXPLODING_NORM:
            found.append(Diagnosis("exploding", f"{name}'s gradient norm is {_g(size)} at "
                                   "the last call: the gradient explodes", (name,)))
    finite = [x for x in log.losses if math.isfinite(x)]
    if len(finite) >= 10:
        k = max(1, len(finite) // 10)
        first, final = sum(finite[:k]) / k, sum(finite[-k:]) / k
        if first > 0 and final > RISING_RATIO * first:
            found.append(Diagnosis("loss_rising", f"The loss rose from {_g(first)} to "
                                   f"{_g(final)} (the first and last tenth of the calls): "
                                   "a learning rate too large?", ()))
    return found
