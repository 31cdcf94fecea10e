"""A class question and its answers counted: numbers into a histogram, choices into counts,
right and wrong against the value the teacher's page traced. Never who answered what."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from chainrule.settings import ROOM_HISTOGRAM_BINS

Kind = Literal["number", "choice"]


@dataclass(frozen=True)
class Question:
    """The question open in a room: what students may answer (never its answer)."""

    id: str
    kind: Kind
    options: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The stored form; two stored questions are the same question when equal."""
        return json.dumps([self.id, self.kind, list(self.options)], separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> Question:
        ident, kind, options = json.loads(text)
        return Question(ident, kind, tuple(options))

    def refusal(self, value: float | str) -> str | None:
        """Why `value` cannot answer this question, or None when it can."""
        if self.kind == "number":
            if isinstance(value, str):
                return "this question asks for a number"
            return None
        if not isinstance(value, str) or value not in self.options:
            return "this question asks for one of its options"
        return None


@dataclass(frozen=True)
class Tally:
    """A question's answers as stored: the numbers (in no student's order) and each
    option's count."""

    values: tuple[float, ...] = ()
    choices: tuple[tuple[str, int], ...] = ()

    @property
    def count(self) -> int:
        return len(self.values) + sum(n for _, n in self.choices)


@dataclass(frozen=True)
class Bin:
    """Answers in [low, high) (the last bin includes high)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Distribution:
    """What the teacher sees: how many answered, the histogram or the option counts, and,
    when the teacher's page sent the right value, how many were right."""

    count: int
    bins: tuple[Bin, ...]
    choices: tuple[tuple[str, int], ...]
    right: int | None
    wrong: int | None


def histogram(values: Sequence[float], bins: int = ROOM_HISTOGRAM_BINS) -> tuple[Bin, ...]:
    """`bins` equal bins from the smallest answer to the largest; one bin when all are
    equal (or their span is no finite float); none without answers."""
    if not values:
        return ()
    low, high = min(values), max(values)
    span = high - low  # inf when the answers straddle the float range (-1.7e308, 1.7e308)
    halves = high / 2 - low / 2  # finite for any two finite floats
    if span == 0 or not math.isfinite(halves):
        return (Bin(low, high, len(values)),)
    counts = [0] * bins
    for value in values:
        where = ((value - low) / span if math.isfinite(span)
                 else (value / 2 - low / 2) / halves)  # 0 at low, 1 at high
        counts[min(int(where * bins), bins - 1)] += 1
    edges = [low * (1 - i / bins) + high * (i / bins) for i in range(bins + 1)]
    return tuple(Bin(edges[i], edges[i + 1], n) for i, n in enumerate(counts))


def is_right(given: float, expected: float, tolerance: float) -> bool:
    """As the page checks a lesson's answer (frontend/js/core/lessons.js isRight): within
    `tolerance` relative error, or, with tolerance 0, of the same sign."""
    if tolerance == 0:
        return _sign(given) == _sign(expected)
    return abs(given - expected) <= tolerance * max(abs(expected), 1e-12)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def distribution(question: Question, tally: Tally, expected: float | None = None,
                 expected_option: str | None = None, tolerance: float = 0.01) -> Distribution:
    """The tally of `question` as the teacher sees it: right/wrong only when the teacher
    sent the right value (a number question's `expected`, a choice's `expected_option`)."""
    if question.kind == "choice":
        counts = dict(tally.choices)
        choices = tuple((option, counts.get(option, 0)) for option in question.options)
        right = counts.get(expected_option, 0) if expected_option is not None else None
        return Distribution(tally.count, (), choices, right,
                            None if right is None else tally.count - right)
    right = (sum(1 for v in tally.values if is_right(v, expected, tolerance))
             if expected is not None else None)
    return Distribution(tally.count, histogram(tally.values), (), right,
                        None if right is None else tally.count - right)
