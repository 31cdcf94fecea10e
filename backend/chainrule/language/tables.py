"""The allowlist: the imports, the members of torch, torch.nn and torch.nn.functional,
and the keyword arguments a program may use. Methods and attributes of values are in
members.py, the builtins in builtins.py.

Nothing outside these tables is reachable. Entries are looked up by our own constant
names when this module loads; user text is only ever a key into these dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as torch_f
from torch import nn

from chainrule.errors import LimitError
from chainrule.language.bounded import count_items
from chainrule.language.values import Function, Namespace
from chainrule.settings import MAX_TENSOR_ELEMENTS

# --- torch.<name> ----------------------------------------------------------------------

_TORCH_FUNCTION_NAMES = (
    # creation
    "tensor", "zeros", "ones", "full", "arange", "linspace", "logspace", "eye", "rand",
    "randn", "randint", "randperm", "zeros_like", "ones_like", "full_like", "rand_like",
    "randn_like", "manual_seed",
    # elementwise
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
    "abs", "neg", "negative", "reciprocal", "sign", "sin", "cos", "tan", "asin", "acos",
    "atan", "atan2", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf", "floor", "ceil",
    "round", "trunc", "frac", "clamp", "clip", "where", "maximum", "minimum", "lerp",
    "fmod", "remainder", "softmax", "log_softmax", "logsumexp", "isnan", "isinf",
    "isfinite", "eq", "ne", "gt", "ge", "lt", "le", "logical_and", "logical_or",
    "logical_not", "masked_fill", "heaviside", "hypot",
    # reductions
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std",
    "var", "norm", "cumsum", "cumprod", "all", "any", "median", "topk", "sort", "allclose",
    "equal", "dist", "count_nonzero",
    # linear algebra
    "matmul", "mm", "bmm", "mv", "dot", "outer", "inner", "addmm", "einsum", "trace",
    "diag", "tril", "triu", "det", "inverse", "kron",
    # shapes
    "reshape", "transpose", "t", "squeeze", "unsqueeze", "flatten", "cat", "concat",
    "stack", "split", "chunk", "permute", "gather", "index_select", "flip", "roll",
    "broadcast_to", "numel", "is_tensor", "clone", "detach", "movedim", "narrow",
    "select", "take", "tile", "repeat_interleave",
)

_DTYPES = {
    "float32": torch.float32, "float": torch.float32, "float64": torch.float64,
    "double": torch.float64, "float16": torch.float16, "half": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "long": torch.int64,
    "int32": torch.int32, "int": torch.int32, "int16": torch.int16, "int8": torch.int8,
    "uint8": torch.uint8, "bool": torch.bool, "complex64": torch.complex64,
    "cfloat": torch.complex64, "complex128": torch.complex128,
}

# --- torch.nn.<name> and torch.nn.functional.<name> ------------------------------------

_NN_MODULE_NAMES = (
    "Linear", "Bilinear", "Sequential", "ModuleList", "Identity", "Flatten", "Unflatten",
    "ReLU", "ReLU6", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "LeakyReLU", "ELU",
    "SELU", "GELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "PReLU",
    "Dropout", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
    "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "Parameter",
    "LayerNorm", "BatchNorm1d", "Embedding",
)

_F_NAMES = (
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus",
    "softsign", "hardtanh", "sigmoid", "tanh", "softmax", "log_softmax", "linear",
    "dropout", "normalize", "one_hot", "mse_loss", "l1_loss", "smooth_l1_loss",
    "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss", "kl_div", "layer_norm", "pad", "cosine_similarity",
)

_OPTIMIZER_NAMES = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")


def _tensor(data: Any, *args: Any, **kwargs: Any) -> torch.Tensor:
    """torch.tensor, refusing nested data with too many numbers before torch reads it.

    torch builds the tensor from Python data before any dispatched op sees it, so the
    size check in the trace layer cannot catch `torch.tensor([[0.0] * 10**5] * 10**5)`.
    """
    if count_items(data, MAX_TENSOR_ELEMENTS) > MAX_TENSOR_ELEMENTS:
        raise LimitError(f"this would make a tensor of more than {MAX_TENSOR_ELEMENTS} "
                         "elements")
    return torch.tensor(data, *args, **kwargs)


_WRAPPED: dict[str, Callable[..., Any]] = {"tensor": _tensor}


def _table(source: Any, names: tuple[str, ...], prefix: str) -> dict[str, Function]:
    functions = {}
    for name in names:
        fn = getattr(source, name)
        functions[name] = Function(f"{prefix}.{name}", _WRAPPED.get(name, fn), shown_as=fn)
    return functions


def _untraced(name: str, fn: Callable[..., Any]) -> Function:
    return Function(name, fn, torch_op=False)


AUTOGRAD = Namespace(
    "torch.autograd", {"grad": Function("torch.autograd.grad", torch.autograd.grad)}
)
OPTIM = Namespace(
    "torch.optim",
    {n: _untraced(f"torch.optim.{n}", getattr(torch.optim, n)) for n in _OPTIMIZER_NAMES},
)
F = Namespace("torch.nn.functional", _table(torch_f, _F_NAMES, "torch.nn.functional"))
# Module constructors run under the tracer, so its size check sees the parameters they
# allocate (nn.Linear(10**6, 10**6) is refused before it allocates).
NN = Namespace("torch.nn", {**_table(nn, _NN_MODULE_NAMES, "torch.nn"), "functional": F})
TORCH = Namespace(
    "torch",
    {
        **_table(torch, _TORCH_FUNCTION_NAMES, "torch"),
        **_DTYPES,
        "no_grad": _untraced("torch.no_grad", torch.no_grad),
        "enable_grad": _untraced("torch.enable_grad", torch.enable_grad),
        "pi": torch.pi,
        "e": torch.e,
        "inf": torch.inf,
        "nan": torch.nan,
        "nn": NN,
        "optim": OPTIM,
        "autograd": AUTOGRAD,
    },
)

# `import X as Y` / `from X import Y`: the only imports, each binding a namespace.
IMPORTS: dict[str, Namespace] = {
    "torch": TORCH,
    "torch.nn": NN,
    "torch.nn.functional": F,
    "torch.optim": OPTIM,
    "torch.autograd": AUTOGRAD,
}

# --- keywords ------------------------------------------------------------------------------

KEYWORDS = frozenset(
    {
        "requires_grad", "dtype", "dim", "keepdim", "gradient", "retain_graph",
        "create_graph", "inputs", "outputs", "grad_outputs", "allow_unused", "reduction",
        "lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps",
        "amsgrad", "maximize", "alpha", "bias", "in_features", "out_features", "inplace",
        "negative_slope", "beta", "threshold", "delta", "weight", "pos_weight",
        "ignore_index", "label_smoothing", "p", "training", "min", "max", "exponent",
        "other", "input", "start_dim", "end_dim", "steps", "start", "end", "step", "size",
        "fill_value", "diagonal", "n", "m", "num_classes", "sep", "descending", "k",
        "largest", "sorted", "correction", "unbiased", "dim0", "dim1", "rounding_mode",
        "approximate", "low", "high", "mean", "std", "value", "mask", "index", "dims",
        "shifts", "repeats", "out_dim", "normalized_shape", "elementwise_affine",
        "num_features", "num_embeddings", "embedding_dim", "lambd", "min_val", "max_val",
        "upper", "lower", "rtol", "atol", "equal_nan", "base", "decimals", "non_blocking",
        "margin", "log_target", "memory_format", "chunks", "split_size_or_sections",
        "sections", "length", "source", "destination", "scale", "flush", "set_to_none",
    }
)
