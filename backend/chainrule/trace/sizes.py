"""The size check: an op whose output would be too large is refused before it allocates.

No op makes more elements than the product (or, for cat and stack, the sum) of its
inputs' sizes, except factories and the ops in `_GROWING`: only those, and ops on inputs
whose product passes the limit, are first run on the meta device, unless their size is
plain from their arguments (sized factories, matrix products).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from chainrule.errors import LimitError
from chainrule.settings import MAX_TENSOR_ELEMENTS

# Ops that make a tensor larger than their inputs from one input or none.
_GROWING = frozenset({"expand", "repeat", "tile", "repeat_interleave", "kron", "broadcast_to",
                      "new_zeros", "new_ones", "new_full", "new_empty", "new_empty_strided",
                      "one_hot", "pad", "constant_pad_nd", "diag_embed", "diag", "embedding",
                      "index_select", "gather", "cartesian_prod", "combinations",
                      "tril_indices", "triu_indices", "eye", "arange", "linspace", "logspace",
                      "randperm", "histc", "multinomial", "bincount", "im2col", "col2im",
                      "convolution", "_convolution", "max_unpool2d", "max_unpool3d",
                      *(f"{kind}_pad{n}d" for kind in ("reflection", "replication")
                        for n in (1, 2, 3)),
                      "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d",
                      "_upsample_nearest_exact1d", "_upsample_nearest_exact2d",
                      "_upsample_nearest_exact3d", "upsample_linear1d", "upsample_bilinear2d",
                      "upsample_bicubic2d", "upsample_trilinear3d", "_upsample_bilinear2d_aa",
                      "_upsample_bicubic2d_aa"})


def flatten(value: Any) -> list[Any]:
    """The tensors in an op's arguments or results (tuples, lists and dicts of them)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if type(value) is tuple:  # an op's arguments, most often flat: one pass
        found = []
        for item in value:
            if isinstance(item, torch.Tensor):
                found.append(item)
            elif isinstance(item, tuple | list | dict):
                return _nested(value)
        return found
    return _nested(value)


def _nested(value: Any) -> list[Any]:
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            found.append(item)
        elif isinstance(item, tuple | list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return found


_NAMES: dict[Any, str] = {}


def _op_name(func: Any) -> str:
    name = _NAMES.get(func)
    if name is None:
        name = _NAMES[func] = func._schema.name.split("::")[-1]
    return name


# Ops that make no tensor: the profiler's marks around an optimizer's step.
_MARKS = frozenset({"_record_function_enter_new", "_record_function_exit"})
# Factories whose first argument is the output's size.
_SIZED_FACTORIES = frozenset({"empty", "zeros", "ones", "full", "rand", "randn"})
# Matrix products: the output's size from the inputs' shapes, (operands, batched).
_PRODUCTS: dict[str, tuple[int, bool]] = {"mm": (0, False), "addmm": (1, False),
                                          "bmm": (0, True), "baddbmm": (1, True)}


def _repeated(args: Any) -> tuple[int, ...] | None:
    """repeat_interleave(repeats): as many elements as the repeats add up to."""
    return (int(args[0].sum()),) if len(args) == 1 else None


def _bin_counts(args: Any) -> tuple[int, ...]:
    """bincount(x, weights, minlength): one count per value up to the largest."""
    minlength = args[2] if len(args) > 2 and type(args[2]) is int else 0
    largest = int(args[0].max()) + 1 if args[0].numel() else 0
    return (max(largest, minlength),)


# Ops whose output's size is in their data (the meta device cannot run them): from their
# first argument, a tensor of integers.
_DATA_SIZED: dict[str, Callable[[Any], tuple[int, ...] | None]] = {
    "repeat_interleave": _repeated, "bincount": _bin_counts}


def _known_shape(name: str, args: Any) -> tuple[int, ...] | None:
    """The output's shape, for the common ops whose shape is plain from their arguments;
    None when it is not (the op then runs on the meta device first)."""
    if name in _SIZED_FACTORIES and args and isinstance(args[0], list | tuple) \
            and all(type(d) is int and d >= 0 for d in args[0]):
        return tuple(args[0])
    counted = _DATA_SIZED.get(name)
    if counted is not None and args and isinstance(args[0], torch.Tensor) \
            and not args[0].is_floating_point() and args[0].dim() <= 1:
        return counted(args)
    product = _PRODUCTS.get(name)
    if product is not None and len(args) >= product[0] + 2:
        first, batched = product
        a, b = args[first], args[first + 1]
        if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
            if batched and a.dim() == b.dim() == 3:
                return (a.shape[0], a.shape[1], b.shape[2])
            if not batched and a.dim() == b.dim() == 2:
                return (a.shape[0], b.shape[1])
    return None


def _too_large(shape: Any) -> LimitError | None:
    numel = 1
    for d in shape:
        numel *= d
    if numel <= MAX_TENSOR_ELEMENTS:
        return None
    return LimitError(f"this would make a tensor of {numel} elements "
                      f"({'x'.join(str(d) for d in shape)}); the limit is {MAX_TENSOR_ELEMENTS}")


def check_size(func: Any, args: Any, kwargs: Any) -> None:
    """Refuse an op whose output would pass MAX_TENSOR_ELEMENTS, without allocating it.

    No op here makes more elements than the product (or, for cat and stack, the sum) of
    its inputs' sizes, except factories and the _GROWING ops: only those, and ops on
    inputs whose product passes the limit, are first run on the meta device, unless their
    size is plain from their arguments (sized factories, matrix products).
    """
    name = _op_name(func)
    if name in _MARKS:
        return
    tensors = flatten(args)
    if kwargs:
        tensors += flatten(kwargs)
    if tensors and name not in _GROWING:
        product, total = 1, 0
        for t in tensors:
            n = t.numel()
            total += n
            product *= n if n > 1 else 1
        if product <= MAX_TENSOR_ELEMENTS and total <= MAX_TENSOR_ELEMENTS:
            return
    known = _known_shape(name, args)
    if known is not None:
        error = _too_large(known)
        if error is not None:
            raise error
        return
    meta_args, meta_kwargs = _to_meta((args, kwargs))
    if "device" in meta_kwargs:
        meta_kwargs["device"] = torch.device("meta")
    try:
        meta_out = func(*meta_args, **meta_kwargs)
    except (RuntimeError, NotImplementedError, TypeError, ValueError):
        return  # the real call will raise torch's own message, or is data-dependent
    for t in flatten(meta_out):
        error = _too_large(t.shape)
        if error is not None:
            raise error


def check_result(out: Any) -> None:
    """Refuse an op's results past MAX_TENSOR_ELEMENTS after it ran: for the ops whose
    size no check could know beforehand (their data decides it, or the meta device
    cannot run them), so no tensor the program holds is ever larger."""
    for t in flatten(out):
        error = _too_large(t.shape) if t.numel() > MAX_TENSOR_ELEMENTS else None
        if error is not None:
            raise error


def _to_meta(value: Any) -> Any:
    """The same structure with every tensor replaced by a meta tensor of its shape."""
    if isinstance(value, torch.Tensor):
        return torch.empty_strided(value.shape, value.stride(), dtype=value.dtype, device="meta")
    if isinstance(value, tuple):
        return tuple(_to_meta(v) for v in value)
    if isinstance(value, list):
        return [_to_meta(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_meta(v) for k, v in value.items()}
    return value
