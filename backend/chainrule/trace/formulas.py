"""Local derivative formulas in LaTeX, per grad_fn and input position.

The inputs are written a, b, c in next_functions order and the op's output y; for
matrices, Ȳ is the gradient arriving at y and the formula is the vector-Jacobian
product torch computes.
"""

from __future__ import annotations

import re
from functools import cache

# op without its version digit -> (what the op computes, d y / d input for each input)
_FORMULAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "AddBackward": ("y = a + b", ("1", "1")),
    "SubBackward": ("y = a - b", ("1", "-1")),
    "RsubBackward": ("y = c - a", ("-1",)),
    "MulBackward": ("y = a \\cdot b", ("b", "a")),
    "DivBackward": ("y = a / b", ("\\frac{1}{b}", "-\\frac{a}{b^{2}}")),
    "NegBackward": ("y = -a", ("-1",)),
    "ExpBackward": ("y = e^{a}", ("e^{a}",)),
    "LogBackward": ("y = \\ln a", ("\\frac{1}{a}",)),
    "SqrtBackward": ("y = \\sqrt{a}", ("\\frac{1}{2\\sqrt{a}}",)),
    "SinBackward": ("y = \\sin a", ("\\cos a",)),
    "CosBackward": ("y = \\cos a", ("-\\sin a",)),
    "TanhBackward": ("y = \\tanh a", ("1 - \\tanh^{2} a",)),
    "SigmoidBackward": ("y = \\sigma(a)", ("\\sigma(a)\\,(1 - \\sigma(a))",)),
    "ReluBackward": ("y = \\max(0, a)", ("[a > 0]",)),
    "AbsBackward": ("y = |a|", ("\\operatorname{sign}(a)",)),
    "SumBackward": ("y = \\sum_i a_i", ("1",)),
    "MeanBackward": ("y = \\frac{1}{n}\\sum_i a_i", ("\\frac{1}{n}",)),
    "MmBackward": ("Y = A B", ("\\bar{Y} B^{\\top}", "A^{\\top} \\bar{Y}")),
    "MvBackward": ("y = A b", ("\\bar{y}\\, b^{\\top}", "A^{\\top} \\bar{y}")),
    "DotBackward": ("y = a \\cdot b", ("b", "a")),
    "AddmmBackward": ("Y = c + A B", ("\\bar{Y}", "\\bar{Y} B^{\\top}", "A^{\\top} \\bar{Y}")),
    "TBackward": ("Y = A^{\\top}", ("\\bar{Y}^{\\top}",)),
    "MseLossBackward": ("y = \\frac{1}{n}\\sum_i (a_i - b_i)^{2}",
                        ("\\frac{2}{n}(a - b)", "-\\frac{2}{n}(a - b)")),
    "L1LossBackward": ("y = \\frac{1}{n}\\sum_i |a_i - b_i|",
                       ("\\frac{1}{n}\\operatorname{sign}(a - b)",
                        "-\\frac{1}{n}\\operatorname{sign}(a - b)")),
    "SoftmaxBackward": ("y_i = \\frac{e^{a_i}}{\\sum_j e^{a_j}}",
                        ("\\frac{\\partial y_i}{\\partial a_j} = y_i(\\delta_{ij} - y_j)",)),
    "LogSoftmaxBackward": ("y_i = a_i - \\log\\sum_j e^{a_j}",
                           ("\\frac{\\partial y_i}{\\partial a_j} = \\delta_{ij} - "
                            "\\operatorname{softmax}(a)_j",)),
    "ExpandBackward": ("Y = \\operatorname{expand}(a)", ("\\text{sum over the copies}",)),
    "ViewBackward": ("Y = \\operatorname{view}(a)", ("\\text{reshape back}",)),
}
_POW_SCALAR = ("y = a^{n}", ("n\\, a^{n-1}",))
_POW_TENSOR = ("y = a^{b}", ("b\\, a^{b-1}", "a^{b} \\ln a"))
_VERSION = re.compile(r"\d+$")


@cache  # a handful of op names, met once per node
def _entry(op: str) -> tuple[str, tuple[str, ...]] | None:
    if op == "PowBackward0":
        return _POW_SCALAR
    if op in ("PowBackward1", "PowBackward2"):
        return _POW_TENSOR
    return _FORMULAS.get(_VERSION.sub("", op))


def op_formula(op: str | None) -> str | None:
    """What the op computes, as LaTeX, when known."""
    entry = _entry(op) if op else None
    return entry[0] if entry else None


def edge_formula(op: str | None, position: int) -> str | None:
    """d y / d (input at `position`) as LaTeX, when known."""
    entry = _entry(op) if op else None
    if entry is None or position >= len(entry[1]):
        return None
    return entry[1][position]
