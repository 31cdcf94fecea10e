"""Friendly labels and plain-English meanings beside torch's grad_fn names."""

from __future__ import annotations

import re
from functools import cache

# grad_fn class name without its trailing version digit -> (label, meaning)
_LABELS: dict[str, tuple[str, str]] = {
    "AccumulateGrad": ("accumulate", "adds the gradient arriving here into .grad of a leaf"),
    "AddBackward": ("+", "addition"),
    "SubBackward": ("−", "subtraction"),
    "RsubBackward": ("−", "subtraction with the tensor on the right"),
    "MulBackward": ("×", "multiplication"),
    "DivBackward": ("÷", "division"),
    "PowBackward": ("^", "power"),
    "NegBackward": ("−x", "negation"),
    "ExpBackward": ("exp", "exponential"),
    "LogBackward": ("log", "natural logarithm"),
    "SqrtBackward": ("√", "square root"),
    "AbsBackward": ("|x|", "absolute value"),
    "SinBackward": ("sin", "sine"),
    "CosBackward": ("cos", "cosine"),
    "TanhBackward": ("tanh", "hyperbolic tangent"),
    "SigmoidBackward": ("σ", "logistic sigmoid"),
    "ReluBackward": ("ReLU", "rectified linear unit: max(0, x)"),
    "LeakyReluBackward": ("LeakyReLU", "leaky rectified linear unit"),
    "SoftmaxBackward": ("softmax", "softmax"),
    "LogSoftmaxBackward": ("log softmax", "logarithm of the softmax"),
    "SumBackward": ("Σ", "sum of elements"),
    "MeanBackward": ("mean", "mean of elements"),
    "MaxBackward": ("max", "maximum"),
    "MinBackward": ("min", "minimum"),
    "MmBackward": ("matmul", "matrix product"),
    "MvBackward": ("matmul", "matrix-vector product"),
    "DotBackward": ("dot", "dot product"),
    "AddmmBackward": ("x·Wᵀ + b", "matrix product plus bias (a Linear layer)"),
    "TBackward": ("transpose", "transpose of a matrix"),
    "TransposeBackward": ("transpose", "swap two dimensions"),
    "ViewBackward": ("view", "same elements, another shape"),
    "ReshapeAliasBackward": ("reshape", "same elements, another shape"),
    "UnsafeViewBackward": ("view", "same elements, another shape"),
    "ExpandBackward": ("expand", "broadcast to a larger shape"),
    "SelectBackward": ("index", "pick one slice"),
    "SliceBackward": ("slice", "pick a range"),
    "IndexBackward": ("index", "pick elements"),
    "CatBackward": ("cat", "concatenate"),
    "StackBackward": ("stack", "stack along a new dimension"),
    "ClampBackward": ("clamp", "clip to a range"),
    "ClampMinBackward": ("clamp", "clip from below"),
    "WhereBackward": ("where", "choose elementwise by a mask"),
    "MseLossBackward": ("MSE", "mean squared error"),
    "L1LossBackward": ("L1", "mean absolute error"),
    "SmoothL1LossBackward": ("smooth L1", "Huber-like loss"),
    "HuberLossBackward": ("Huber", "Huber loss"),
    "BinaryCrossEntropyBackward": ("BCE", "binary cross-entropy"),
    "BinaryCrossEntropyWithLogitsBackward": ("BCE (logits)", "binary cross-entropy on logits"),
    "NllLossBackward": ("NLL", "negative log-likelihood"),
    "SqueezeBackward": ("squeeze", "drop a size-1 dimension"),
    "UnsqueezeBackward": ("unsqueeze", "add a size-1 dimension"),
    "CloneBackward": ("clone", "copy"),
    "SignBackward": ("sign", "sign (gradient zero)"),
}
_VERSION = re.compile(r"\d+$")


@cache  # a handful of op names, met once per node
def label(op: str | None) -> str:
    """A short label for a grad_fn name (or an "aten.mul" op that ran without one)."""
    if op is None:
        return "constant"
    if op.startswith("aten."):
        known = _LABELS.get(op[5:].capitalize() + "Backward")
        return known[0] if known else op[5:]
    known = _LABELS.get(_VERSION.sub("", op))
    return known[0] if known else _VERSION.sub("", op).removesuffix("Backward")


@cache
def meaning(op: str | None) -> str | None:
    """One plain-English line for what the op computes."""
    if op is None:
        return None
    known = _LABELS.get(_VERSION.sub("", op))
    return known[1] if known else None
