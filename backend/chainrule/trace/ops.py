"""What each grad_fn is, in one table: its label, its meaning in words, what it computes
and its local derivatives, side by side (as micrograd keeps each op's maths together).

Formulas are LaTeX. The inputs are written a, b, c in next_functions order (`symbols`
says otherwise where the formula names them differently: A, B for matrices) and the op's
output y (Y); for matrices, Ȳ is the gradient arriving at Y and the formula is the
vector-Jacobian product torch computes. The page writes each node's shown name in place
of these letters (each edge says which letter its input is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Op:
    """One grad_fn (its name without torch's trailing version digit)."""

    label: str  # short, on the node: ×, Σ, ReLU
    meaning: str  # one plain-English line
    formula: str | None = None  # what it computes
    local: tuple[str, ...] = ()  # d y / d input, per input in next_functions order
    symbols: tuple[str, ...] = ("a", "b", "c")  # the letter of each input, in that order


_n = "\\frac{1}{n}"
OPS: dict[str, Op] = {
    "AccumulateGrad": Op("accumulate", "adds the gradient arriving here into .grad of a leaf"),
    "AddBackward": Op("+", "addition", "y = a + b", ("1", "1")),
    "SubBackward": Op("−", "subtraction", "y = a - b", ("1", "-1")),
    "RsubBackward": Op("−", "subtraction with the tensor on the right", "y = c - a", ("-1",),
                       ("a", "c")),
    "MulBackward": Op("×", "multiplication", "y = a \\cdot b", ("b", "a")),
    "DivBackward": Op("÷", "division", "y = a / b", ("\\frac{1}{b}", "-\\frac{a}{b^{2}}")),
    "PowBackward": Op("pow", "power"),  # the formula depends on the version (below)
    "NegBackward": Op("−x", "negation", "y = -a", ("-1",)),
    "ExpBackward": Op("exp", "exponential", "y = e^{a}", ("e^{a}",)),
    "LogBackward": Op("log", "natural logarithm", "y = \\ln a", ("\\frac{1}{a}",)),
    "SqrtBackward": Op("√", "square root", "y = \\sqrt{a}", ("\\frac{1}{2\\sqrt{a}}",)),
    "AbsBackward": Op("|x|", "absolute value", "y = |a|", ("\\operatorname{sign}(a)",)),
    "SinBackward": Op("sin", "sine", "y = \\sin a", ("\\cos a",)),
    "CosBackward": Op("cos", "cosine", "y = \\cos a", ("-\\sin a",)),
    "TanhBackward": Op("tanh", "hyperbolic tangent", "y = \\tanh a", ("1 - \\tanh^{2} a",)),
    "SigmoidBackward": Op("σ", "logistic sigmoid", "y = \\sigma(a)",
                          ("\\sigma(a)\\,(1 - \\sigma(a))",)),
    "ReluBackward": Op("ReLU", "rectified linear unit: max(0, x)", "y = \\max(0, a)",
                       ("[a > 0]",)),
    "LeakyReluBackward": Op("LeakyReLU", "leaky rectified linear unit"),
    "SoftmaxBackward": Op("softmax", "softmax", "y_i = \\frac{e^{a_i}}{\\sum_j e^{a_j}}",
                          ("\\frac{\\partial y_i}{\\partial a_j} = y_i(\\delta_{ij} - y_j)",)),
    "LogSoftmaxBackward": Op("log softmax", "logarithm of the softmax",
                             "y_i = a_i - \\log\\sum_j e^{a_j}",
                             ("\\frac{\\partial y_i}{\\partial a_j} = \\delta_{ij} - "
                              "\\operatorname{softmax}(a)_j",)),
    "SumBackward": Op("Σ", "sum of elements", "y = \\sum_i a_i", ("1",)),
    "MeanBackward": Op("mean", "mean of elements", f"y = {_n}\\sum_i a_i", (_n,)),
    "MaxBackward": Op("max", "maximum"),
    "MinBackward": Op("min", "minimum"),
    "MmBackward": Op("matmul", "matrix product", "Y = A B",
                     ("\\bar{Y} B^{\\top}", "A^{\\top} \\bar{Y}"), ("A", "B")),
    "MvBackward": Op("matmul", "matrix-vector product", "y = A b",
                     ("\\bar{y}\\, b^{\\top}", "A^{\\top} \\bar{y}"), ("A", "b")),
    "DotBackward": Op("dot", "dot product", "y = a \\cdot b", ("b", "a")),
    "AddmmBackward": Op("x·Wᵀ + b", "matrix product plus bias (a Linear layer)",
                        "Y = c + A B", ("\\bar{Y}", "\\bar{Y} B^{\\top}", "A^{\\top} \\bar{Y}"),
                        ("c", "A", "B")),
    "TBackward": Op("transpose", "transpose of a matrix", "Y = A^{\\top}",
                    ("\\bar{Y}^{\\top}",), ("A",)),
    "TransposeBackward": Op("transpose", "swap two dimensions"),
    "ViewBackward": Op("view", "same elements, another shape", "Y = \\operatorname{view}(a)",
                       ("\\text{reshape back}",)),
    "ReshapeAliasBackward": Op("reshape", "same elements, another shape"),
    "UnsafeViewBackward": Op("view", "same elements, another shape"),
    "ExpandBackward": Op("expand", "broadcast to a larger shape",
                         "Y = \\operatorname{expand}(a)", ("\\text{sum over the copies}",)),
    "SelectBackward": Op("index", "pick one slice"),
    "SliceBackward": Op("slice", "pick a range"),
    "IndexBackward": Op("index", "pick elements"),
    "CatBackward": Op("cat", "concatenate"),
    "StackBackward": Op("stack", "stack along a new dimension"),
    "ClampBackward": Op("clamp", "clip to a range"),
    "ClampMinBackward": Op("clamp", "clip from below"),
    "WhereBackward": Op("where", "choose elementwise by a mask"),
    "MseLossBackward": Op("MSE", "mean squared error",
                          f"y = {_n}\\sum_i (a_i - b_i)^{{2}}",
                          ("\\frac{2}{n}(a - b)", "-\\frac{2}{n}(a - b)")),
    "L1LossBackward": Op("L1", "mean absolute error", f"y = {_n}\\sum_i |a_i - b_i|",
                         (f"{_n}\\operatorname{{sign}}(a - b)",
                          f"-{_n}\\operatorname{{sign}}(a - b)")),
    "SmoothL1LossBackward": Op("smooth L1", "Huber-like loss"),
    "HuberLossBackward": Op("Huber", "Huber loss"),
    "BinaryCrossEntropyBackward": Op("BCE", "binary cross-entropy"),
    "BinaryCrossEntropyWithLogitsBackward": Op("BCE (logits)",
                                               "binary cross-entropy on logits"),
    "NllLossBackward": Op("NLL", "negative log-likelihood"),
    "SqueezeBackward": Op("squeeze", "drop a size-1 dimension"),
    "UnsqueezeBackward": Op("unsqueeze", "add a size-1 dimension"),
    "CloneBackward": Op("clone", "copy"),
    "SignBackward": Op("sign", "sign (gradient zero)"),
}
# PowBackward0 is a tensor to a number's power; 1 and 2 a power with a tensor exponent.
_POW_NUMBER = ("y = a^{n}", ("n\\, a^{n-1}",))
_POW_TENSOR = ("y = a^{b}", ("b\\, a^{b-1}", "a^{b} \\ln a"))
_VERSION = re.compile(r"\d+$")


@cache  # a handful of op names, met once per node
def _op(name: str) -> Op | None:
    return OPS.get(_VERSION.sub("", name))


@cache
def label(op: str | None) -> str:
    """A short label for a grad_fn name (or an "aten.mul" op that ran without one)."""
    if op is None:
        return "constant"
    if op.startswith("aten."):
        known = OPS.get(op[5:].capitalize() + "Backward")
        return known.label if known else op[5:]
    found = _op(op)
    return found.label if found else _VERSION.sub("", op).removesuffix("Backward")


@cache
def meaning(op: str | None) -> str | None:
    """One plain-English line for what the op computes."""
    found = _op(op) if op else None
    return found.meaning if found else None


@cache
def _maths(op: str) -> tuple[str | None, tuple[str, ...]]:
    if op == "PowBackward0":
        return _POW_NUMBER
    if op in ("PowBackward1", "PowBackward2"):
        return _POW_TENSOR
    found = _op(op)
    return (found.formula, found.local) if found else (None, ())


def op_formula(op: str | None) -> str | None:
    """What the op computes, as LaTeX, when known."""
    return _maths(op)[0] if op else None


@cache  # a handful of (op, position) pairs, met once per edge
def input_symbol(op: str | None, position: int) -> str | None:
    """The letter the op's formulas write its input at `position` as, when they have one."""
    if op is None or op_formula(op) is None:
        return None
    found = _op(op)
    symbols = found.symbols if found else ("a", "b", "c")
    return symbols[position] if position < len(symbols) else None


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_label(exponent: float | int | None) -> str:
    """The label of a tensor raised to a number's power: x², x³, x⁻¹; xⁿ for others."""
    if exponent is None or not float(exponent).is_integer() or abs(exponent) > 99:
        return "xⁿ"
    return "x" + str(int(exponent)).translate(_SUPERSCRIPTS)


def edge_formula(op: str | None, position: int) -> str | None:
    """d y / d (input at `position`) as LaTeX, when known."""
    if op is None:
        return None
    local = _maths(op)[1]
    return local[position] if position < len(local) else None
