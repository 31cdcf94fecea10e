"""Forward capture: every tensor torch produces while the program runs, keyed by its grad_fn.

grad_fn nodes do not keep their outputs, so each interpreter call runs under a
TorchDispatchMode that sees every aten op, including those torch runs inside a composite
op (the TBackward0 inside nn.Linear). The same mode refuses ops whose results would be
too large, before they allocate, by running them on the meta device first.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode, _disable_current_modes

from chainrule.errors import LimitError
from chainrule.settings import (
    MAX_TENSOR_ELEMENTS,
    MAX_TOTAL_ELEMENTS,
    MAX_UNTRACKED_ELEMENTS,
)

Span = tuple[int, int, int, int]

# Ops that make a tensor larger than their inputs from one input or none.
_GROWING = frozenset({"expand", "repeat", "tile", "repeat_interleave", "kron", "broadcast_to",
                      "new_zeros", "new_ones", "new_full", "new_empty", "one_hot", "pad",
                      "constant_pad_nd", "diag_embed", "diag", "embedding", "index_select",
                      "gather", "cartesian_prod", "combinations", "tril_indices", "triu_indices",
                      "eye", "arange", "linspace", "logspace", "randperm"})


@dataclass
class Produced:
    """A tensor an op produced: its value then, and the source expression that ran it."""

    value: torch.Tensor
    span: Span
    # The op's inputs by position, aligned with grad_fn.next_functions when known.
    inputs: list[torch.Tensor | None] = field(default_factory=list)
    module: nn.Module | None = None  # the innermost module running when the op ran
    # The aten call itself, so the graph can be replayed (gradient check in float64).
    op: Any = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    outputs: list[torch.Tensor] = field(default_factory=list)
    index: int = 0  # which of `outputs` this node's tensor is
    values: list[torch.Tensor] = field(default_factory=list)  # every output's value then
    # id(input) -> its value when the op read it, for each input without a grad_fn
    # (leaves and constants): the program may change them later, in place or via .data.
    reads: dict[int, torch.Tensor] = field(default_factory=dict)
    seq: int = 0  # the order ops ran in


class Pending(NamedTuple):
    """One aten op seen while a call runs, before autograd has given its outputs a grad_fn."""

    op: Any
    args: Any
    kwargs: dict[str, Any]
    outputs: list[torch.Tensor]
    values: list[torch.Tensor]  # the outputs' values as computed, copied at once
    module: nn.Module | None  # the innermost module running
    reads: dict[int, torch.Tensor]  # inputs without a grad_fn, as the op read them


class Recorder:
    """Records what each grad_fn produced; one per program run."""

    def __init__(self) -> None:
        self.produced: dict[Any, Produced] = {}  # grad_fn node -> Produced
        # id(input) -> (weak reference, its _version, its value) when an op last read it
        self._reads: dict[int, tuple[weakref.ref[torch.Tensor], int, torch.Tensor]] = {}
        self._seq = 0
        self.total_elements = 0
        self._mode = _Capture(self)
        self.recording = False  # inside a traced call: keep what its ops produce
        self.span: Span = (0, 0, 0, 0)
        self.module_stack: list[nn.Module] = []
        # Tensors made without a grad_fn (leaves, constants): id -> (weak reference, span).
        # Weak: a loop that makes a tensor each step must not keep every one alive.
        self.made: dict[int, tuple[weakref.ref[torch.Tensor], Span]] = {}
        # Ops whose outputs have no grad_fn (nothing required grad): id(output) -> record,
        # so a program that never asks for gradients still shows its forward graph.
        self.untracked: dict[int, Produced] = {}
        self._untracked_elements = 0

    @contextmanager
    def running(self) -> Iterator[None]:
        """The whole program runs inside this: every aten op is size-checked, and those of
        traced calls are recorded. Entering the mode once is cheaper than once per call."""
        with self._mode:
            yield

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Outside the mode, for the backward pass: its ops are torch's, not the program's."""
        with _disable_current_modes():
            yield

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any:
        """Run one interpreter-level call with every aten op inside it recorded."""
        self.span = span
        if not kwargs:
            aten = _single_op(fn, args)
            if aten is not None:
                return self._single(aten, fn, args)
        handles = self._watch_modules(fn) if isinstance(fn, nn.Module) else []
        self._mode.pending.clear()
        self.recording = True
        try:
            result = fn(*args, **kwargs)
        finally:
            self.recording = False
            for handle in handles:
                handle.remove()
            self.module_stack.clear()
        self.settle()
        for tensor in result if isinstance(result, tuple | list) else (result,):
            if isinstance(tensor, torch.Tensor) and tensor.grad_fn is None:
                self._made(tensor, span)
        return result

    def _made(self, tensor: torch.Tensor, span: Span) -> None:
        """Remember where a tensor without a grad_fn was made, for as long as it lives."""
        key = id(tensor)
        if key not in self.made:
            self.made[key] = (weakref.ref(tensor, _forget(self.made, key)), span)

    def _single(self, aten: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """A call known to be one aten op on tensors no larger than their product, run
        below the dispatch mode: recorded as the mode would have recorded it, at a
        fraction of the cost (the mode's Python handler costs tens of microseconds)."""
        out, pending = run_single(aten, fn, args, self.read)
        self.count([t for record in pending for t in record.outputs])
        self._mode.pending = pending
        self.settle()
        if out.grad_fn is None:
            self._made(out, self.span)
        return out

    def count(self, outputs: list[torch.Tensor]) -> None:
        """Add the elements ops made to the program's total; refuse past the limit."""
        self.total_elements += sum(t.numel() for t in outputs)
        if self.total_elements > MAX_TOTAL_ELEMENTS:
            raise LimitError(f"the program made more than {MAX_TOTAL_ELEMENTS} tensor elements")

    def _watch_modules(self, root: nn.Module) -> list[Any]:
        """Hooks that keep `module_stack` as the modules running, outermost first."""
        stack = self.module_stack

        def enter(module: nn.Module, _args: Any) -> None:
            stack.append(module)

        def leave(module: nn.Module, _args: Any, _out: Any) -> None:
            if stack and stack[-1] is module:
                stack.pop()

        handles = []
        for module in root.modules():
            handles.append(module.register_forward_pre_hook(enter))
            handles.append(module.register_forward_hook(leave))
        return handles

    def span_of(self, tensor: torch.Tensor) -> Span | None:
        """Where a tensor without a grad_fn was made, when a traced call made it."""
        known = self.made.get(id(tensor))
        return known[1] if known is not None and known[0]() is tensor else None

    def settle(self) -> None:
        """Attach the pending aten outputs to the grad_fn nodes autograd gave them."""
        pending, self._mode.pending = self._mode.pending, []
        for record in pending:
            func, args, kwargs, outputs, values, module, reads = record
            flat_args = _flatten(args)
            self._seq += 1
            for index, (tensor, value) in enumerate(zip(outputs, values, strict=True)):
                node = tensor.grad_fn
                if node is None:
                    if not any(tensor is arg for arg in flat_args):  # not an in-place op
                        self._keep_untracked(tensor, Produced(
                            value, self.span, flat_args, module, func, args, kwargs,
                            outputs, index, values, reads, self._seq))
                    continue
                if node not in self.produced:
                    self.produced[node] = Produced(
                        value, self.span, _align(node, args, flat_args), module,
                        func, args, kwargs, outputs, index, values, reads, self._seq)

    def read(self, tensors: list[torch.Tensor]) -> dict[int, torch.Tensor]:
        """The values of an op's inputs that have no grad_fn (leaves and constants), as it
        reads them: a copy per tensor, taken again once it changes. A change through
        `.data` leaves `_version` as it was, so the contents are compared as well."""
        found: dict[int, torch.Tensor] = {}
        reads = self._reads
        for tensor in tensors:
            if tensor.grad_fn is not None or tensor.is_meta:
                continue
            key = id(tensor)
            known = reads.get(key)
            if known is not None and known[0]() is tensor and known[1] == tensor._version \
                    and torch.equal(known[2], tensor):
                found[key] = known[2]
                continue
            value = tensor.detach().clone()
            reads[key] = (weakref.ref(tensor, _forget(reads, key)), tensor._version, value)
            found[key] = value
        return found

    def _keep_untracked(self, tensor: torch.Tensor, record: Produced) -> None:
        """Keep an op that ran without a grad_fn, the oldest going first past a budget:
        a long program that never asks for gradients shows the end of its forward graph."""
        self.untracked[id(tensor)] = record
        self._untracked_elements += record.value.numel()
        while self._untracked_elements > MAX_UNTRACKED_ELEMENTS and len(self.untracked) > 1:
            oldest = next(iter(self.untracked))
            self._untracked_elements -= self.untracked.pop(oldest).value.numel()



def _forget(table: dict[int, Any], key: int) -> Callable[[Any], None]:
    """A weak reference's callback: drop `key` from `table` once its tensor is freed."""

    def forget(ref: Any) -> None:
        known = table.get(key)
        if known is not None and known[0] is ref:
            del table[key]
    return forget


_aten = torch.ops.aten
# Calls that run exactly one aten op, which sees the arguments as the call got them:
# fn -> (op when the second operand is a tensor, op when it is a Python number).
# tests/trace/test_single_ops.py holds each entry against what the dispatch mode sees.
_BINARY_OPS: dict[Any, tuple[Any, Any]] = {
    operator.add: (_aten.add.Tensor, _aten.add.Tensor),
    operator.sub: (_aten.sub.Tensor, _aten.sub.Tensor),
    operator.mul: (_aten.mul.Tensor, _aten.mul.Tensor),
    operator.truediv: (_aten.div.Tensor, _aten.div.Tensor),
    operator.pow: (_aten.pow.Tensor_Tensor, _aten.pow.Tensor_Scalar),
}
_UNARY_OPS: dict[Any, Any] = {operator.neg: _aten.neg.default}
for _name in ("sin", "cos", "tan", "tanh", "exp", "log", "sigmoid", "sqrt", "abs", "relu"):
    for _owner in (torch, torch.Tensor):
        _UNARY_OPS[getattr(_owner, _name)] = getattr(_aten, _name).default


# Ops whose backward saves their output: autograd detaches it, an op the mode sees too.
_SAVES_RESULT = frozenset({_aten.exp.default, _aten.relu.default, _aten.sigmoid.default,
                           _aten.sqrt.default, _aten.tan.default, _aten.tanh.default,
                           _aten.pow.Tensor_Tensor})
_DETACH = _aten.detach.default


def run_single(aten: Any, fn: Callable[..., Any], args: tuple[Any, ...],
               read: Callable[[list[torch.Tensor]], dict[int, torch.Tensor]]
               ) -> tuple[torch.Tensor, list[Pending]]:
    """Run `fn(*args)` below the dispatch mode: its output, and the records the mode's
    handler would have made. `read` copies the inputs without a grad_fn."""
    with torch._C._DisableTorchDispatch():
        reads = read([a for a in args if type(a) is torch.Tensor])
        out = fn(*args)
        pending = [Pending(aten, args, {}, [out], [out.detach().clone()], None, reads)]
        if out.requires_grad and aten in _SAVES_RESULT:
            saved = out.detach()
            pending.append(Pending(_DETACH, (out,), {}, [saved], [saved.clone()], None, {}))
    return out, pending


def _single_op(fn: Any, args: tuple[Any, ...]) -> Any:
    """The aten op `fn(*args)` runs, when it is one op whose output is no larger than the
    product of its inputs' sizes (so needs no size check first); else None."""
    if len(args) == 2:
        ops = _BINARY_OPS.get(fn)
        if ops is None:
            return None
        left, right = args
        if type(left) is not torch.Tensor:
            return None
        if type(right) is torch.Tensor:
            n, m = left.numel(), right.numel()
            if n * m > MAX_TENSOR_ELEMENTS or n + m > MAX_TENSOR_ELEMENTS:
                return None
            return ops[0]
        return ops[1] if type(right) in (int, float) else None
    if len(args) == 1 and type(args[0]) is torch.Tensor:
        return _UNARY_OPS.get(fn)
    return None


def _align(node: Any, args: tuple[Any, ...], flat: list[Any]) -> list[torch.Tensor | None]:
    """The op's tensor inputs in next_functions order, where that order can be known."""
    n = len(node.next_functions)
    if len(args) == n:
        return [a if isinstance(a, torch.Tensor) else None for a in args]
    tensors: list[torch.Tensor | None] = [a for a in flat if isinstance(a, torch.Tensor)]
    if len(tensors) == n:
        return tensors
    return []


class _Capture(TorchDispatchMode):
    """Sees every aten op: checks sizes before running it, records its outputs after."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.pending: list[Pending] = []

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a mode's handler to keep torch.compile out of it, at a cost on every
        # op; chainrule never compiles, so the handler is left unwrapped.
        return False

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        _check_size(func, args, kwargs)
        recorder = self.recorder
        # The inputs as this op reads them, before it runs (some ops update an input in
        # place, as batch norm does its running statistics).
        reads = recorder.read(_flatten(args)) if recorder.recording else {}
        out = func(*args, **kwargs)
        outputs = _flatten(out)
        recorder.count(outputs)
        if recorder.recording:
            # The value as this op made it: cloned here, below the mode, before autograd
            # attaches a grad_fn and before anything can change it in place.
            stack = recorder.module_stack
            self.pending.append(Pending(func, args, kwargs, outputs,
                                        [t.clone() for t in outputs],
                                        stack[-1] if stack else None, reads))
        return out


def _flatten(value: Any) -> list[Any]:
    """The tensors in an op's arguments or results (tuples, lists and dicts of them)."""
    if isinstance(value, torch.Tensor):
        return [value]
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


# Factories whose first argument is the output's size.
_SIZED_FACTORIES = frozenset({"empty", "zeros", "ones", "full", "rand", "randn"})
# Matrix products: the output's size from the inputs' shapes, (operands, batched).
_PRODUCTS: dict[str, tuple[int, bool]] = {"mm": (0, False), "addmm": (1, False),
                                          "bmm": (0, True), "baddbmm": (1, True)}


def _known_shape(name: str, args: Any) -> tuple[int, ...] | None:
    """The output's shape, for the common ops whose shape is plain from their arguments;
    None when it is not (the op then runs on the meta device first)."""
    if name in _SIZED_FACTORIES and args and isinstance(args[0], list | tuple) \
            and all(type(d) is int and d >= 0 for d in args[0]):
        return tuple(args[0])
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


def _check_size(func: Any, args: Any, kwargs: Any) -> None:
    """Refuse an op whose output would pass MAX_TENSOR_ELEMENTS, without allocating it.

    No op here makes more elements than the product (or, for cat and stack, the sum) of
    its inputs' sizes, except factories and the _GROWING ops: only those, and ops on
    inputs whose product passes the limit, are first run on the meta device, unless their
    size is plain from their arguments (sized factories, matrix products).
    """
    name = _op_name(func)
    tensors = _flatten(args)
    if kwargs:
        tensors += _flatten(kwargs)
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
    for t in _flatten(meta_out):
        error = _too_large(t.shape)
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
