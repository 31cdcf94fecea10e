"""Methods and attributes of the values a program holds: tensors, modules, optimizers,
grad_fn nodes and the named tuples torch.max and friends return.

A program's `owner.name` is only ever a key into these tables; the attribute itself is
read with our own constant string (never `getattr(owner, user_text)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from chainrule.errors import LimitError
from chainrule.language.tables import TORCH_FUNCTION_NAMES
from chainrule.language.values import BoundedIterator, Function, Namespace
from chainrule.settings import MAX_LIST_ELEMENTS

# --- tensors ------------------------------------------------------------------------------

# Every function of the torch table that tensors also have as a method (x.exp() beside
# torch.exp(x)): the method forms come from the one table, never a list of their own.
METHOD_TWINS = tuple(n for n in TORCH_FUNCTION_NAMES if hasattr(torch.Tensor, n))
# Methods torch has only on tensors.
METHOD_ONLY_NAMES = (
    "view", "view_as", "reshape_as", "expand", "expand_as", "repeat", "contiguous", "float",
    "double", "half", "long", "int", "bool", "item", "tolist", "size", "dim", "nelement",
    "retain_grad", "requires_grad_", "zero_", "fill_", "add_", "sub_", "mul_", "div_",
    "clamp_", "copy_", "normal_", "uniform_", "detach_", "abs_", "neg_", "exp_", "relu_",
    "sigmoid_", "tanh_", "pow_", "sqrt_", "masked_fill_", "is_floating_point", "type_as",
    "backward",
)
_TENSOR_METHOD_NAMES = METHOD_TWINS + METHOD_ONLY_NAMES
# Methods run outside the tracer: they read or mutate, they build no graph.
_UNTRACED_METHODS = frozenset(
    {"item", "tolist", "size", "dim", "numel", "nelement", "retain_grad", "equal",
     "allclose", "is_floating_point", "backward"}
)


def _tolist(tensor: torch.Tensor) -> Any:
    """Tensor.tolist, refusing a list longer than lists may be (it is built outside torch)."""
    if tensor.numel() > MAX_LIST_ELEMENTS:
        raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
    return tensor.tolist()


_WRAPPED: dict[str, Callable[..., Any]] = {"tolist": _tolist}


def _tensor_method(name: str) -> Function:
    fn = getattr(torch.Tensor, name)
    return Function(f"Tensor.{name}", _WRAPPED.get(name, fn), name not in _UNTRACED_METHODS,
                    name.endswith("_"), shown_as=fn)


TENSOR_METHODS: dict[str, Function] = {name: _tensor_method(name) for name in _TENSOR_METHOD_NAMES}


@dataclass(frozen=True)
class Attribute:
    """A readable (and maybe writable) attribute of a value.

    `traced`: reading it makes a tensor in the graph (x.T), so it runs under the tracer.
    """

    get: Callable[[Any], Any]
    set: Callable[[Any, Any], None] | None = None
    traced: bool = False


def _set_grad(t: torch.Tensor, value: Any) -> None:
    t.grad = value


def _set_requires_grad(t: torch.Tensor, value: Any) -> None:
    t.requires_grad = value


def _set_data(t: torch.Tensor, value: Any) -> None:
    t.data = value


def _grad_of(t: torch.Tensor) -> torch.Tensor | None:
    return t.grad


TENSOR_ATTRIBUTES: dict[str, Attribute] = {
    "grad": Attribute(_grad_of, _set_grad),
    "requires_grad": Attribute(lambda t: t.requires_grad, _set_requires_grad),
    "data": Attribute(lambda t: t.data, _set_data),
    "is_leaf": Attribute(lambda t: t.is_leaf),
    "grad_fn": Attribute(lambda t: t.grad_fn),
    "shape": Attribute(lambda t: t.shape),
    "dtype": Attribute(lambda t: t.dtype),
    "ndim": Attribute(lambda t: t.ndim),
    "T": Attribute(lambda t: t.T, traced=True),
    "mT": Attribute(lambda t: t.mT, traced=True),
}

# --- modules ------------------------------------------------------------------------------


def _parameters(module: nn.Module) -> BoundedIterator:
    return BoundedIterator(module.parameters(), "generator object Module.parameters")


def _named_parameters(module: nn.Module) -> BoundedIterator:
    return BoundedIterator(module.named_parameters(),
                           "generator object Module.named_parameters")


def _untraced(name: str, fn: Callable[..., Any], mutates: bool = False,
              shown_as: Callable[..., Any] | None = None) -> Function:
    return Function(name, fn, torch_op=False, mutates=mutates, shown_as=shown_as)


MODULE_METHODS: dict[str, Function] = {
    "parameters": _untraced("Module.parameters", _parameters, shown_as=nn.Module.parameters),
    "named_parameters": _untraced("Module.named_parameters", _named_parameters,
                                  shown_as=nn.Module.named_parameters),
    "zero_grad": _untraced("Module.zero_grad", nn.Module.zero_grad, mutates=True),
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
    nn.Softmax: ("dim",),
    nn.LogSoftmax: ("dim",),
}


def _field_getter(field: str) -> Callable[[Any], Any]:
    def get(owner: Any) -> Any:
        return getattr(owner, field)
    return get


def _module_attribute(module: nn.Module, name: str) -> Attribute | None:
    if name == "training":
        return Attribute(lambda m: m.training)
    for cls, fields in _MODULE_FIELDS.items():
        if isinstance(module, cls) and name in fields:
            return Attribute(_field_getter(fields[fields.index(name)]))  # our own string
    return None


# --- optimizers ---------------------------------------------------------------------------


def _step(optimizer: torch.optim.Optimizer) -> None:
    """The optimizer's own step (SGD.step, Adam.step), without a closure."""
    optimizer.step()


def _zero_grad(optimizer: torch.optim.Optimizer, set_to_none: bool = True) -> None:
    optimizer.zero_grad(set_to_none=set_to_none)


OPTIMIZER_METHODS: dict[str, Function] = {
    "step": _untraced("Optimizer.step", _step, mutates=True),
    "zero_grad": _untraced("Optimizer.zero_grad", _zero_grad, mutates=True),
}

# --- grad_fn nodes and named tuples -------------------------------------------------------

def _node_name(node: Any) -> str:
    return str(node.name())


GRAD_FN_METHODS: dict[str, Function] = {"name": _untraced("Node.name", _node_name)}
GRAD_FN_ATTRIBUTES: dict[str, Attribute] = {
    "next_functions": Attribute(lambda node: node.next_functions),
}
_VARIABLE = Attribute(lambda node: node.variable)  # AccumulateGrad: the leaf it feeds

# torch.max(x, dim) and friends return named tuples of (values, indices).
_RETURN_TYPES = (torch.return_types.max, torch.return_types.min, torch.return_types.sort,
                 torch.return_types.topk, torch.return_types.median, torch.return_types.mode,
                 torch.return_types.kthvalue, torch.return_types.cummax,
                 torch.return_types.cummin)
_RETURN_FIELDS: dict[str, Attribute] = {
    "values": Attribute(lambda r: r[0]),
    "indices": Attribute(lambda r: r[1]),
}

# --- lookup -------------------------------------------------------------------------------


def method_entry(owner: Any, name: str) -> Function | None:
    """The table's method `name` of `owner`, or None."""
    if isinstance(owner, torch.Tensor):
        return TENSOR_METHODS.get(name)
    if isinstance(owner, nn.Module):
        return MODULE_METHODS.get(name)
    if isinstance(owner, torch.optim.Optimizer):
        return OPTIMIZER_METHODS.get(name)
    if isinstance(owner, torch.autograd.graph.Node):
        return GRAD_FN_METHODS.get(name)
    return None


def attribute_entry(owner: Any, name: str) -> Attribute | None:
    """The table's attribute `name` of `owner`, or None."""
    if isinstance(owner, torch.Tensor):
        return TENSOR_ATTRIBUTES.get(name)
    if isinstance(owner, nn.Module):
        return _module_attribute(owner, name)
    if isinstance(owner, torch.autograd.graph.Node):
        if name == "variable" and type(owner).__name__ == "AccumulateGrad":
            return _VARIABLE
        return GRAD_FN_ATTRIBUTES.get(name)
    if isinstance(owner, _RETURN_TYPES):
        return _RETURN_FIELDS.get(name)
    return None


def member_names(namespaces: tuple[Namespace, ...]) -> frozenset[str]:
    """Every attribute name some value or namespace has: the static check's allowlist."""
    names = {*TENSOR_METHODS, *TENSOR_ATTRIBUTES, *MODULE_METHODS, *OPTIMIZER_METHODS,
             *GRAD_FN_METHODS, *GRAD_FN_ATTRIBUTES, *_RETURN_FIELDS, "variable", "training"}
    for fields in _MODULE_FIELDS.values():
        names.update(fields)
    for namespace in namespaces:
        names.update(namespace.members)
    return frozenset(names)


def kind(value: Any) -> str:
    """A name for a value's type in messages."""
    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, nn.Module):
        return f"{type(value).__name__} module"
    if isinstance(value, Namespace):
        return "module"
    if isinstance(value, torch.autograd.graph.Node):
        return "grad_fn"
    if value is None:
        return "None"
    return type(value).__name__
