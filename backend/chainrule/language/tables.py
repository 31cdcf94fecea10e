"""The allowlist: every name, attribute, method and keyword a program may use.

Nothing outside these tables is reachable. Entries are looked up by our own constant
names when this module loads; user text is only ever a key into these dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as torch_f
from torch import nn

from chainrule.language.values import Function, Namespace

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


def _table(source: Any, names: tuple[str, ...], prefix: str) -> dict[str, Function]:
    return {name: Function(f"{prefix}.{name}", getattr(source, name)) for name in names}


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
NN = Namespace(
    "torch.nn",
    {
        **{n: _untraced(f"torch.nn.{n}", getattr(nn, n)) for n in _NN_MODULE_NAMES},
        "functional": F,
    },
)
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

# --- methods and attributes of values ----------------------------------------------------

_TENSOR_METHOD_NAMES = (
    "add", "sub", "mul", "div", "pow", "exp", "log", "log2", "log10", "log1p", "sqrt",
    "rsqrt", "square", "abs", "neg", "reciprocal", "sign", "sin", "cos", "tan", "tanh",
    "sigmoid", "relu", "softmax", "log_softmax", "logsumexp", "clamp", "clip", "floor",
    "ceil", "round", "maximum", "minimum", "masked_fill", "where", "lerp", "erf",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std", "var",
    "norm", "cumsum", "all", "any", "topk", "sort", "eq", "ne", "gt", "ge", "lt", "le",
    "matmul", "mm", "mv", "dot", "outer", "reshape", "view", "view_as", "reshape_as",
    "expand", "expand_as", "repeat", "permute", "transpose", "t", "squeeze", "unsqueeze",
    "flatten", "contiguous", "clone", "detach", "gather", "index_select", "flip",
    "chunk", "split", "narrow", "float", "double", "half", "long", "int", "bool",
    "item", "tolist", "size", "dim", "numel", "nelement", "retain_grad", "requires_grad_",
    "zero_", "fill_", "add_", "sub_", "mul_", "div_", "clamp_", "copy_", "normal_",
    "uniform_", "detach_", "abs_", "neg_", "exp_", "relu_", "sigmoid_", "tanh_", "pow_",
    "sqrt_", "masked_fill_", "trace", "diag", "tril", "triu", "equal", "allclose",
    "is_floating_point", "type_as", "isnan", "isinf", "backward",
)
# Methods run outside the tracer: they read or mutate, they build no graph.
_UNTRACED_METHODS = frozenset(
    {"item", "tolist", "size", "dim", "numel", "nelement", "retain_grad", "equal",
     "allclose", "is_floating_point", "backward"}
)
TENSOR_METHODS: dict[str, Function] = {
    name: Function(f"Tensor.{name}", getattr(torch.Tensor, name), name not in _UNTRACED_METHODS)
    for name in _TENSOR_METHOD_NAMES
}


@dataclass(frozen=True)
class Attribute:
    """A readable (and maybe writable) attribute of a value."""

    get: Callable[[Any], Any]
    set: Callable[[Any, Any], None] | None = None


def _set_grad(t: torch.Tensor, value: Any) -> None:
    t.grad = value


def _set_requires_grad(t: torch.Tensor, value: Any) -> None:
    t.requires_grad = value


def _set_data(t: torch.Tensor, value: Any) -> None:
    t.data = value


TENSOR_ATTRIBUTES: dict[str, Attribute] = {
    "grad": Attribute(lambda t: t.grad, _set_grad),
    "requires_grad": Attribute(lambda t: t.requires_grad, _set_requires_grad),
    "data": Attribute(lambda t: t.data, _set_data),
    "is_leaf": Attribute(lambda t: t.is_leaf),
    "grad_fn": Attribute(lambda t: t.grad_fn),
    "shape": Attribute(lambda t: t.shape),
    "dtype": Attribute(lambda t: t.dtype),
    "ndim": Attribute(lambda t: t.ndim),
    "T": Attribute(lambda t: t.T),
    "mT": Attribute(lambda t: t.mT),
}

MODULE_METHODS: dict[str, Function] = {
    "parameters": _untraced("Module.parameters", nn.Module.parameters),
    "named_parameters": _untraced("Module.named_parameters", nn.Module.named_parameters),
    "zero_grad": _untraced("Module.zero_grad", nn.Module.zero_grad),
    "train": _untraced("Module.train", nn.Module.train),
    "eval": _untraced("Module.eval", nn.Module.eval),
    "requires_grad_": _untraced("Module.requires_grad_", nn.Module.requires_grad_),
}

# Per module class: the attributes a program may read.
_MODULE_FIELDS: dict[type[nn.Module], tuple[str, ...]] = {
    nn.Linear: ("weight", "bias", "in_features", "out_features"),
    nn.Bilinear: ("weight", "bias"),
    nn.LayerNorm: ("weight", "bias"),
    nn.BatchNorm1d: ("weight", "bias"),
    nn.Embedding: ("weight",),
    nn.PReLU: ("weight",),
    nn.LeakyReLU: ("negative_slope",),
}


def _field_getter(field: str) -> Callable[[Any], Any]:
    def get(module: Any) -> Any:
        return getattr(module, field)
    return get


def module_attribute(module: nn.Module, name: str) -> Attribute | None:
    """The attribute `name` of `module` when its class allows it, else None."""
    if name == "training":
        return Attribute(lambda m: m.training)
    for cls, fields in _MODULE_FIELDS.items():
        if isinstance(module, cls) and name in fields:
            field = fields[fields.index(name)]  # our own string, not the user's
            return Attribute(_field_getter(field))
    return None


OPTIMIZER_METHODS: dict[str, Function] = {
    "step": _untraced("Optimizer.step", torch.optim.Optimizer.step),
    "zero_grad": _untraced("Optimizer.zero_grad", torch.optim.Optimizer.zero_grad),
}

# torch.max(x, dim) and friends return named tuples.
RETURN_TYPE_FIELDS = ("values", "indices")

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
        "sections", "length", "source", "destination", "scale", "flush",
    }
)

# The builtins a program may call.
BUILTIN_NAMES = frozenset({"print", "range", "len", "abs", "min", "max", "float", "int",
                           "round", "sum", "list", "tuple", "enumerate", "zip", "bool", "str"})
