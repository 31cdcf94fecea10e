"""Methods and attributes of the values a program holds: tensors, modules, optimizers,
schedulers, data loaders, generators, devices, grad_fn nodes, autograd contexts, the
named tuples torch.max and friends return, and plain Python values (data.py).

A program's `owner.name` is only ever a key into these tables (or a module's registries
of parameters, buffers and submodules); the attribute itself is read with our own
constant string (never `getattr(owner, user_text)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.utils.data
from torch import nn
from torch.autograd.function import FunctionCtx
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from chainrule.errors import LimitError, NotAllowedError
from chainrule.language import data
from chainrule.language.tables import TORCH_FUNCTION_NAMES, on_cpu
from chainrule.language.values import BoundedIterator, Function, Namespace
from chainrule.settings import MAX_LIST_ELEMENTS

# --- tensors ------------------------------------------------------------------------------

# Every function of the torch table that tensors also have as a method (x.exp() beside
# torch.exp(x)): the method forms come from the one table, never a list of their own.
METHOD_TWINS = tuple(n for n in TORCH_FUNCTION_NAMES if hasattr(torch.Tensor, n))
# Methods torch has only on tensors.
METHOD_ONLY_NAMES = (
    "view", "view_as", "reshape_as", "expand", "expand_as", "repeat", "contiguous", "float",
    "double", "half", "long", "int", "bool", "byte", "short", "item", "tolist", "size",
    "dim", "nelement", "ndimension", "element_size", "stride", "is_contiguous",
    "retain_grad", "requires_grad_", "zero_", "fill_", "add_", "sub_", "mul_", "div_",
    "clamp_", "copy_", "normal_", "uniform_", "bernoulli_", "exponential_", "random_",
    "detach_", "abs_", "neg_", "exp_", "log_", "relu_", "sigmoid_", "tanh_", "pow_",
    "sqrt_", "masked_fill_", "index_fill_", "scatter_", "scatter_add_", "fill_diagonal_",
    "clamp_min_", "clamp_max_", "lerp_", "squeeze_", "unsqueeze_", "t_", "transpose_",
    "new_zeros", "new_ones", "new_full", "new_tensor", "sum_to_size", "unfold",
    "is_floating_point", "type_as", "type", "to", "cpu", "backward",
)
_TENSOR_METHOD_NAMES = METHOD_TWINS + METHOD_ONLY_NAMES
# Methods run outside the tracer: they read or mutate, they build no graph.
_UNTRACED_METHODS = frozenset(
    {"item", "tolist", "size", "dim", "numel", "nelement", "ndimension", "element_size",
     "stride", "is_contiguous", "retain_grad", "equal", "allclose", "is_floating_point",
     "backward"}
)
# Methods refused with a word on what to write instead.
REFUSED_METHODS: dict[str, str] = {
    "numpy": "chainrule keeps tensors as tensors: print the tensor or use .tolist()",
    "cuda": "chainrule runs on the CPU: leave the tensor where it is (or use .to('cpu'))",
    "register_hook": "hooks run arbitrary code inside autograd; chainrule records every "
                     "gradient for you: read them on the graph",
    "data_ptr": "memory addresses are not shown",
    "storage": "a tensor's storage is not available; use the tensor itself",
    "untyped_storage": "a tensor's storage is not available; use the tensor itself",
}


def _tolist(tensor: torch.Tensor) -> Any:
    """Tensor.tolist, refusing a list longer than lists may be (it is built outside torch)."""
    if tensor.numel() > MAX_LIST_ELEMENTS:
        raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
    return tensor.tolist()


def _to(value: Any, *args: Any, **kwargs: Any) -> Any:
    """Tensor.to and Module.to, on the CPU only (a device given by position or keyword)."""
    for arg in (*args, kwargs.get("device")):
        if isinstance(arg, str | torch.device):
            on_cpu(arg)
    return value.to(*args, **kwargs)


def _type(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
    """Tensor.type, to a CPU tensor type only: 'torch.cuda.FloatTensor' would start CUDA."""
    for arg in (*args, kwargs.get("dtype")):
        if isinstance(arg, str) and arg.count(".") != 1:
            raise NotAllowedError(f"chainrule runs on the CPU: tensor type {arg!r} is not "
                                  "available here")
    return tensor.type(*args, **kwargs)


_WRAPPED: dict[str, Callable[..., Any]] = {"tolist": _tolist, "to": _to, "type": _type}


def _tensor_method(name: str) -> Function:
    fn = getattr(torch.Tensor, name)
    return Function(f"Tensor.{name}", _WRAPPED.get(name, fn), name not in _UNTRACED_METHODS,
                    shown_as=fn)


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
    "device": Attribute(lambda t: t.device),
    "is_cuda": Attribute(lambda t: t.is_cuda),
    "T": Attribute(lambda t: t.T, traced=True),
    "mT": Attribute(lambda t: t.mT, traced=True),
    "H": Attribute(lambda t: t.H, traced=True),
    "mH": Attribute(lambda t: t.mH, traced=True),
}

# --- modules ------------------------------------------------------------------------------


def _generator(name: str, make: Callable[[nn.Module], Any]) -> Callable[..., BoundedIterator]:
    def items(module: nn.Module, *args: Any, **kwargs: Any) -> BoundedIterator:
        return BoundedIterator(make(module)(*args, **kwargs), f"generator object Module.{name}")
    return items


def _untraced(name: str, fn: Callable[..., Any],
              shown_as: Callable[..., Any] | None = None) -> Function:
    return Function(name, fn, torch_op=False, shown_as=shown_as)


_MODULE_GENERATORS: dict[str, Callable[[nn.Module], Any]] = {
    "parameters": lambda m: m.parameters, "named_parameters": lambda m: m.named_parameters,
    "buffers": lambda m: m.buffers, "named_buffers": lambda m: m.named_buffers,
    "children": lambda m: m.children, "named_children": lambda m: m.named_children,
    "modules": lambda m: m.modules, "named_modules": lambda m: m.named_modules,
}
_MODULE_PLAIN = ("zero_grad", "train", "eval", "requires_grad_", "state_dict",
                 "load_state_dict", "register_buffer", "register_parameter", "add_module",
                 "cpu", "double", "float", "half", "get_parameter", "get_submodule",
                 "extra_repr")
MODULE_METHODS: dict[str, Function] = {
    **{name: _untraced(f"Module.{name}", _generator(name, make),
                       shown_as=getattr(nn.Module, name))
       for name, make in _MODULE_GENERATORS.items()},
    **{name: _untraced(f"Module.{name}", getattr(nn.Module, name))
       for name in _MODULE_PLAIN},
    "to": _untraced("Module.to", _to),
    "apply": _untraced("Module.apply", nn.Module.apply),
    # A module's own forward, called directly (hooks do not run, as in torch).
    "forward": Function("Module.forward", lambda m, *a, **k: m.forward(*a, **k)),
}
# Methods of containers and recurrent layers, by class.
_CONTAINER_METHODS: dict[type, tuple[str, ...]] = {
    nn.Sequential: ("append", "insert", "extend"),
    nn.ModuleList: ("append", "insert", "extend"),
    nn.ModuleDict: ("keys", "values", "items", "update"),
    nn.ParameterList: ("append", "extend"),
    nn.RNNBase: ("flatten_parameters",),
}

# Per module class: the settings a program may read (parameters, buffers and submodules
# are read from the module's registries).
_MODULE_FIELDS: dict[type[nn.Module], tuple[str, ...]] = {
    nn.Linear: ("in_features", "out_features"),
    nn.Bilinear: ("in1_features", "in2_features", "out_features"),
    nn.modules.conv._ConvNd: ("in_channels", "out_channels", "kernel_size", "stride",
                              "padding", "dilation", "groups", "padding_mode"),
    nn.modules.pooling._MaxPoolNd: ("kernel_size", "stride", "padding", "dilation",
                                    "ceil_mode"),
    nn.modules.pooling._AvgPoolNd: ("kernel_size", "stride", "padding", "ceil_mode"),
    nn.modules.pooling._AdaptiveAvgPoolNd: ("output_size",),
    nn.modules.pooling._AdaptiveMaxPoolNd: ("output_size",),
    nn.modules.batchnorm._NormBase: ("num_features", "eps", "momentum", "affine",
                                     "track_running_stats"),
    nn.LayerNorm: ("normalized_shape", "eps", "elementwise_affine"),
    nn.GroupNorm: ("num_groups", "num_channels", "eps", "affine"),
    nn.Embedding: ("num_embeddings", "embedding_dim", "padding_idx", "max_norm"),
    nn.RNNBase: ("input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "mode"),
    nn.RNNCellBase: ("input_size", "hidden_size", "bias"),
    nn.modules.dropout._DropoutNd: ("p", "inplace"),
    nn.LeakyReLU: ("negative_slope",),
    nn.ELU: ("alpha",),
    nn.Softmax: ("dim",),
    nn.LogSoftmax: ("dim",),
    nn.Flatten: ("start_dim", "end_dim"),
    nn.modules.loss._Loss: ("reduction",),
}


def _field_getter(field: str) -> Callable[[Any], Any]:
    def get(owner: Any) -> Any:
        return getattr(owner, field)  # `field` is our own constant from _MODULE_FIELDS
    return get


def _module_attribute(module: nn.Module, name: str) -> Attribute | None:
    if name == "training":
        return Attribute(lambda m: m.training)
    for cls, fields in _MODULE_FIELDS.items():
        if isinstance(module, cls) and name in fields:
            return Attribute(_field_getter(fields[fields.index(name)]))  # our own string
    return None


def _module_method(module: nn.Module, name: str) -> Function | None:
    found = MODULE_METHODS.get(name)
    if found is not None:
        return found
    for cls, names in _CONTAINER_METHODS.items():
        if isinstance(module, cls) and name in names:
            constant = names[names.index(name)]  # our own string
            return _untraced(f"{cls.__name__}.{constant}", getattr(cls, constant))
    return None


# --- optimizers and schedulers -------------------------------------------------------------


def _step(optimizer: torch.optim.Optimizer, closure: Any = None) -> Any:
    """The optimizer's own step (SGD.step, Adam.step), with the program's closure if any."""
    return optimizer.step() if closure is None else optimizer.step(closure)


def _zero_grad(optimizer: torch.optim.Optimizer, set_to_none: bool = True) -> None:
    optimizer.zero_grad(set_to_none=set_to_none)


OPTIMIZER_METHODS: dict[str, Function] = {
    "step": _untraced("Optimizer.step", _step),
    "zero_grad": _untraced("Optimizer.zero_grad", _zero_grad),
    "state_dict": _untraced("Optimizer.state_dict", torch.optim.Optimizer.state_dict),
    "add_param_group": _untraced("Optimizer.add_param_group",
                                 torch.optim.Optimizer.add_param_group),
}
OPTIMIZER_ATTRIBUTES: dict[str, Attribute] = {
    "param_groups": Attribute(lambda o: o.param_groups),
    "defaults": Attribute(lambda o: o.defaults),
}
SCHEDULER_METHODS: dict[str, Function] = {
    "step": _untraced("LRScheduler.step", lambda s, *a: s.step(*a)),
    "get_last_lr": _untraced("LRScheduler.get_last_lr", lambda s: s.get_last_lr()),
    "state_dict": _untraced("LRScheduler.state_dict", lambda s: s.state_dict()),
}
SCHEDULER_ATTRIBUTES: dict[str, Attribute] = {
    "last_epoch": Attribute(lambda s: s.last_epoch),
    "optimizer": Attribute(lambda s: s.optimizer),
}

# --- data, generators, devices -------------------------------------------------------------

DATALOADER_ATTRIBUTES: dict[str, Attribute] = {
    "dataset": Attribute(lambda d: d.dataset),
    "batch_size": Attribute(lambda d: d.batch_size),
}
DATASET_ATTRIBUTES: dict[str, Attribute] = {"tensors": Attribute(lambda d: d.tensors)}
GENERATOR_METHODS: dict[str, Function] = {
    "manual_seed": _untraced("Generator.manual_seed", torch.Generator.manual_seed),
    "initial_seed": _untraced("Generator.initial_seed", torch.Generator.initial_seed),
    "seed": _untraced("Generator.seed", torch.Generator.seed),
}
DEVICE_ATTRIBUTES: dict[str, Attribute] = {
    "type": Attribute(lambda d: d.type), "index": Attribute(lambda d: d.index),
}

# --- grad_fn nodes, autograd contexts and named tuples -------------------------------------


def _node_name(node: Any) -> str:
    return str(node.name())


GRAD_FN_METHODS: dict[str, Function] = {"name": _untraced("Node.name", _node_name)}
GRAD_FN_ATTRIBUTES: dict[str, Attribute] = {
    "next_functions": Attribute(lambda node: node.next_functions),
}
_VARIABLE = Attribute(lambda node: node.variable)  # AccumulateGrad: the leaf it feeds

# ctx in a custom autograd Function's forward and backward; its own attributes
# (ctx.alpha = 0.5) live in chainrule's table (classes.attributes).
CTX_METHODS: dict[str, Function] = {
    name: _untraced(f"FunctionCtx.{name}", getattr(FunctionCtx, name))
    for name in ("save_for_backward", "mark_dirty", "mark_non_differentiable",
                 "set_materialize_grads")
}
CTX_ATTRIBUTES: dict[str, Attribute] = {
    "saved_tensors": Attribute(lambda ctx: ctx.saved_tensors),
    "needs_input_grad": Attribute(lambda ctx: ctx.needs_input_grad),
}

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
        return _module_method(owner, name)
    if isinstance(owner, torch.optim.Optimizer):
        return OPTIMIZER_METHODS.get(name)
    if isinstance(owner, LRScheduler | ReduceLROnPlateau):
        return SCHEDULER_METHODS.get(name)
    if isinstance(owner, torch.Generator):
        return GENERATOR_METHODS.get(name)
    if isinstance(owner, FunctionCtx) and name in CTX_METHODS:
        return CTX_METHODS[name]  # a custom Function's ctx is also its grad_fn node
    if isinstance(owner, torch.autograd.graph.Node):
        return GRAD_FN_METHODS.get(name)
    return data.method_of(owner, name)


def attribute_entry(owner: Any, name: str) -> Attribute | None:
    """The table's attribute `name` of `owner`, or None."""
    if isinstance(owner, torch.Tensor):
        return TENSOR_ATTRIBUTES.get(name)
    if isinstance(owner, nn.Module):
        return _module_attribute(owner, name)
    if isinstance(owner, torch.optim.Optimizer):
        return OPTIMIZER_ATTRIBUTES.get(name)
    if isinstance(owner, LRScheduler | ReduceLROnPlateau):
        return SCHEDULER_ATTRIBUTES.get(name)
    if isinstance(owner, torch.utils.data.DataLoader):
        return DATALOADER_ATTRIBUTES.get(name)
    if isinstance(owner, torch.utils.data.TensorDataset):
        return DATASET_ATTRIBUTES.get(name)
    if isinstance(owner, torch.device):
        return DEVICE_ATTRIBUTES.get(name)
    if isinstance(owner, FunctionCtx) and name in CTX_ATTRIBUTES:
        return CTX_ATTRIBUTES[name]
    if isinstance(owner, torch.autograd.graph.Node):
        if name == "variable" and type(owner).__name__ == "AccumulateGrad":
            return _VARIABLE
        return GRAD_FN_ATTRIBUTES.get(name)
    if isinstance(owner, _RETURN_TYPES):
        return _RETURN_FIELDS.get(name)
    return None


def refusal(owner: Any, name: str) -> NotAllowedError | None:
    """A refusal that says what to write instead, for a member a program often reaches
    for and chainrule does not have (x.numpy(), x.cuda())."""
    if isinstance(owner, torch.Tensor | nn.Module) and name in REFUSED_METHODS:
        return NotAllowedError(f"{kind(owner)}.{name}() is not available: "
                               f"{REFUSED_METHODS[name]}")
    return None


def member_names(namespaces: tuple[Namespace, ...]) -> frozenset[str]:
    """Every attribute name some value or namespace has: the static check's allowlist."""
    names = {*TENSOR_METHODS, *TENSOR_ATTRIBUTES, *MODULE_METHODS, *OPTIMIZER_METHODS,
             *OPTIMIZER_ATTRIBUTES, *SCHEDULER_METHODS, *SCHEDULER_ATTRIBUTES,
             *DATALOADER_ATTRIBUTES, *DATASET_ATTRIBUTES, *GENERATOR_METHODS,
             *DEVICE_ATTRIBUTES, *GRAD_FN_METHODS, *GRAD_FN_ATTRIBUTES, *CTX_METHODS,
             *CTX_ATTRIBUTES, *_RETURN_FIELDS, "variable", "training", "format"}
    for fields in _MODULE_FIELDS.values():
        names.update(fields)
    for methods in _CONTAINER_METHODS.values():
        names.update(methods)
    for table in data.METHODS.values():
        names.update(table)
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
