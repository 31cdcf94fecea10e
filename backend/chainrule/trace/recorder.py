"""Forward capture: every tensor torch produces while the program runs, kept by its grad_fn.

grad_fn nodes do not keep their outputs, so each interpreter call runs under a
TorchDispatchMode that sees every aten op, including those torch runs inside a composite
op (the TBackward0 inside nn.Linear). The same mode refuses ops whose results would be
too large, before they allocate (sizes.py).

A record lives in its node's `metadata` and holds the node's own outputs weakly: it is
freed with the graph, so a training loop of thousands of steps keeps only the graphs the
program still holds. Calls nest (a module's forward written by the program calls other
modules): each call keeps its own pending ops.
"""

from __future__ import annotations

import operator
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch import nn
from torch.nn.modules import module as torch_module
from torch.utils._python_dispatch import TorchDispatchMode, _disable_current_modes

from chainrule.settings import MAX_TENSOR_ELEMENTS, MAX_UNTRACKED_ELEMENTS
from chainrule.spans import Span
from chainrule.trace.sizes import check_result, check_size, flatten

_RECORD = "chainrule.produced"  # the key of a node's record in its metadata
_UNRECORDED = "chainrule.unrecorded"  # in a node's metadata: made by an unrecorded call


class Alias(NamedTuple):
    """In a record's arguments, an operand that is also a result of the op (in place):
    held weakly, so the record does not keep its own node alive."""

    ref: weakref.ref[torch.Tensor]


@dataclass(eq=False)
class Produced:
    """What an op produced: its values then, its inputs, and the source that ran it."""

    value: torch.Tensor  # this node's first output, copied when the op ran
    span: Span | None  # None: not known (chainrule.show reads values after the fact)
    # The op's inputs by position, aligned with grad_fn.next_functions when known.
    # (A record without a grad_fn holds an input that has one weakly: see untracked_inputs.)
    inputs: list[Any] = field(default_factory=list)
    # The innermost module running when the op ran, held weakly: a module of the program's
    # own class leads back to the interpreter, and a record lives inside torch's node,
    # where the collector cannot see a cycle.
    module_ref: weakref.ref[nn.Module] | None = None
    # The aten call itself, so the graph can be replayed (gradient check in float64).
    op: Any = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    outputs: list[weakref.ref[torch.Tensor]] = field(default_factory=list)
    index: int = 0  # which of `outputs` this node's tensor is
    values: list[torch.Tensor] = field(default_factory=list)  # every output's value then
    # Per output: its place among its grad_fn's outputs, when that grad_fn is this node's.
    output_nrs: list[int | None] = field(default_factory=list)
    # id(input) -> its value when the op read it, for each input without a grad_fn
    # (leaves and constants): the program may change them later, in place or via .data.
    reads: dict[int, torch.Tensor] = field(default_factory=dict)
    seq: int = 0  # the order ops ran in

    @property
    def module(self) -> nn.Module | None:
        return None if self.module_ref is None else self.module_ref()

    def output(self, index: int) -> torch.Tensor | None:
        """Output `index` of the op, while it is alive."""
        return self.outputs[index]()


class Pending(NamedTuple):
    """One aten op seen while a call runs, before autograd has given its outputs a grad_fn."""

    op: Any
    args: Any
    kwargs: dict[str, Any]
    outputs: list[torch.Tensor]
    values: list[torch.Tensor]  # the outputs' values as computed, copied at once
    module: nn.Module | None  # the innermost module running
    reads: dict[int, torch.Tensor]  # inputs without a grad_fn, as the op read them


def produced_of(node: Any) -> Produced | None:
    """The record of the op behind a grad_fn node, if a traced call ran it."""
    record = metadata(node).get(_RECORD)
    return record if isinstance(record, Produced) else None


def ran_unrecorded(node: Any) -> bool:
    """Whether an unrecorded call (Recorder.unrecorded) made this node."""
    return _UNRECORDED in metadata(node)


def _mark_unrecorded(roots: list[Any]) -> None:
    """Mark the nodes an unrecorded call made: those behind its results that hold no
    record and no mark yet (each node is walked once, however long the loop)."""
    stack = [node for node in roots if node is not None]
    while stack:
        node = stack.pop()
        found = metadata(node)
        if _UNRECORDED in found or _RECORD in found:
            continue
        found[_UNRECORDED] = True
        stack.extend(child for child, _ in node.next_functions if child is not None
                     and type(child).__name__ != "AccumulateGrad")


def metadata(node: Any) -> dict[str, Any]:
    """torch.autograd.graph.Node.metadata: a dict that lives as long as the node."""
    return node.metadata


class Recorder:
    """Records what each grad_fn produced; one per program run."""

    def __init__(self, limits: bool = True) -> None:
        # The sandbox's size checks on every op (False: trusted code recorded in-process,
        # whose tensors are its own business).
        self.limits = limits
        self.records = 0  # graph nodes recorded in all (the runner's collection hint)
        # id(input) -> (weak reference, its _version, its value) when an op last read it
        self._reads: dict[int, tuple[weakref.ref[torch.Tensor], int, torch.Tensor]] = {}
        self._seq = 0
        self._mode = _Capture(self)
        self.recording = False  # inside a traced call: keep what its ops produce
        self.span: Span | None = (0, 0, 0, 0)  # None: the place is not known
        self.module_stack: list[nn.Module] = []  # the modules running, outermost first
        # Tensors made without a grad_fn (leaves, constants): id -> (weak reference, span).
        # Weak: a loop that makes a tensor each step must not keep every one alive.
        self.made: dict[int, tuple[weakref.ref[torch.Tensor], Span | None]] = {}
        # Ops whose outputs have no grad_fn (nothing required grad): id(output) -> record,
        # so a program that never asks for gradients still shows its forward graph.
        self.untracked: dict[int, Produced] = {}
        self._untracked_elements = 0
        # A custom autograd Function's node class -> the expression its backward returns.
        self.custom_backwards: dict[type, str] = {}
        self._paused = 0  # inside paused(): the backward pass runs
        self.skipped = False  # some call ran unrecorded (`unrecorded`)

    @contextmanager
    def running(self) -> Iterator[None]:
        """The whole program runs inside this: every aten op is size-checked, and those of
        traced calls are recorded; every module call is on `module_stack` while it runs.
        Entering the mode once is cheaper than once per call."""
        thread = threading.get_ident()
        stack = self.module_stack

        def enter(module: nn.Module, _args: Any) -> None:
            if threading.get_ident() == thread:
                stack.append(module)

        def leave(module: nn.Module, _args: Any, _out: Any) -> None:
            if threading.get_ident() == thread and stack and stack[-1] is module:
                stack.pop()

        before = torch_module.register_module_forward_pre_hook(enter)
        after = torch_module.register_module_forward_hook(leave)
        try:
            with self._mode:
                yield
        finally:
            before.remove()
            after.remove()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Outside the mode, for the backward pass: its ops are torch's, not the program's
        (but for a custom Function's backward: the program's, size-checked by `call`)."""
        self._paused += 1
        try:
            with _disable_current_modes():
                yield
        finally:
            self._paused -= 1

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span, *, made: bool = True, single: bool = True) -> Any:
        """Run one interpreter-level call with every aten op inside it recorded.

        `made`: a result without a grad_fn was made where `span` says (a call the program
        wrote, not one a library made for it); `single`: a call of one known aten op may
        run below the dispatch mode (its record then has no module)."""
        outer_span, outer_pending, outer_recording = self.span, self._mode.pending, \
            self.recording
        self.span = span
        try:
            if single and not kwargs:
                aten = _single_op(fn, args)
                if aten is not None:
                    return self._single(aten, fn, args, made)
            depth = len(self.module_stack)
            self._mode.pending = []
            self.recording = True
            try:
                if self._paused:  # a custom Function's backward, run by autograd
                    with _SizeCheck():
                        result = fn(*args, **kwargs)
                else:
                    result = fn(*args, **kwargs)
            finally:
                self.recording = outer_recording
                del self.module_stack[depth:]  # a module that raised left no leave hook
            self.settle(self._mode.pending)
            self.settle_results(result, fn, args, kwargs)
            if made:
                for tensor in result if isinstance(result, tuple | list) else (result,):
                    if isinstance(tensor, torch.Tensor) and tensor.grad_fn is None:
                        self._made(tensor, span)
            return result
        finally:
            self.span, self._mode.pending = outer_span, outer_pending

    def unrecorded(self, fn: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any], span: Span, *, made: bool = True) -> Any:
        """`call` without its records, for a loop's iteration sure to be followed by
        another, whose graph is not the one shown (tracer.py decides). Sizes are checked
        as ever and a result made without a grad_fn still gets its place; `skipped` tells
        the pipeline to make sure the graph shown lacks no record."""
        self.skipped = True
        if self._paused == 0 and not kwargs:
            aten = _single_op(fn, args)
            if aten is not None:  # one op no larger than its inputs: below the mode
                with torch._C._DisableTorchDispatch():
                    result = fn(*args)
                if made and result.grad_fn is None:
                    self._made(result, span)
                _mark_unrecorded([result.grad_fn])
                return result
        outer = self.recording
        self.recording = False
        depth = len(self.module_stack)
        try:
            if self._paused:
                with _SizeCheck():
                    result = fn(*args, **kwargs)
            else:
                result = fn(*args, **kwargs)
        finally:
            self.recording = outer
            del self.module_stack[depth:]
        results = result if isinstance(result, tuple | list) else (result,)
        if made:
            for tensor in results:
                if isinstance(tensor, torch.Tensor) and tensor.grad_fn is None:
                    self._made(tensor, span)
        _mark_unrecorded([t.grad_fn for t in results if isinstance(t, torch.Tensor)])
        return result

    def _made(self, tensor: torch.Tensor, span: Span | None) -> None:
        """Remember where a tensor without a grad_fn was made, for as long as it lives."""
        key = id(tensor)
        if key not in self.made:
            self.made[key] = (weakref.ref(tensor, _forget(self.made, key)), span)

    def _single(self, aten: Any, fn: Callable[..., Any], args: tuple[Any, ...],
                made: bool = True) -> Any:
        """A call known to be one aten op on tensors no larger than their product, run
        below the dispatch mode: recorded as the mode would have recorded it, at a
        fraction of the cost (the mode's Python handler costs tens of microseconds)."""
        out, pending = run_single(aten, fn, args, self.read)
        self.settle(pending)
        if made and out.grad_fn is None:
            self._made(out, self.span)
        return out

    def span_of(self, tensor: torch.Tensor) -> Span | None:
        """Where a tensor without a grad_fn was made, when a traced call made it."""
        known = self.made.get(id(tensor))
        return known[1] if known is not None and known[0]() is tensor else None

    def settle(self, pending: list[Pending]) -> None:
        """Attach the pending aten outputs to the grad_fn nodes autograd gave them."""
        for record in pending:
            self._seq += 1
            self._keep(record, self._seq)

    def settle_results(self, result: Any, fn: Any, call_args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> None:
        """Record the call's results whose grad_fn no aten op made: a custom autograd
        Function's output gets its node from Function.apply. Not replayable: the
        gradient check would have to run the program's own forward again."""
        outputs = [t for t in (result if isinstance(result, tuple | list) else (result,))
                   if isinstance(t, torch.Tensor)]
        if any(t.grad_fn is not None and produced_of(t.grad_fn) is None for t in outputs):
            self._seq += 1
            self._keep(Pending(fn, call_args, kwargs, outputs,
                               [t.detach().clone() for t in outputs], self._innermost(),
                               self.read(flatten(call_args))), self._seq, replayable=False)

    def _innermost(self) -> nn.Module | None:
        return self.module_stack[-1] if self.module_stack else None

    def _keep(self, record: Pending, seq: int, replayable: bool = True) -> None:
        func, args, kwargs, outputs, values, module, reads = record
        module_ref = None if module is None else weakref.ref(module)
        flat_args = flatten(args)
        aliases = {id(t) for t in outputs
                   if any(t is a for a in flat_args)}  # in-place: an operand is a result
        if aliases:
            args = _replace(args, aliases)
            kwargs = _replace(kwargs, aliases)
            flat_args = [None if id(a) in aliases else a for a in flat_args]
        refs = [weakref.ref(t) for t in outputs]
        for index, tensor in enumerate(outputs):
            node = tensor.grad_fn
            if node is None:
                if not aliases:
                    self._keep_untracked(tensor, Produced(
                        values[index], self.span, flat_args, module_ref, func, args, kwargs,
                        refs, index, values, [None] * len(outputs), reads, seq))
                continue
            if produced_of(node) is not None:
                continue
            nrs = [t.output_nr if t.grad_fn is node else None for t in outputs]
            metadata(node)[_RECORD] = Produced(
                values[index], self.span, _align(node, args, flat_args), module_ref,
                func if replayable else None, args, kwargs, refs, index, values, nrs,
                reads, seq)
            self.records += 1

    def read(self, tensors: list[torch.Tensor]) -> dict[int, torch.Tensor]:
        """The values of an op's inputs that have no grad_fn (leaves and constants), as it
        reads them: a copy per tensor, taken again once it changes. A change through
        `.data` leaves `_version` as it was, so the contents are compared as well, and the
        dtype (torch.equal finds 1.0 in float32 equal to 1.0 in float64: `.double()`)."""
        found: dict[int, torch.Tensor] = {}
        reads = self._reads
        for tensor in tensors:
            if tensor.grad_fn is not None or tensor.is_meta:
                continue
            key = id(tensor)
            known = reads.get(key)
            if known is not None and known[0]() is tensor and known[1] == tensor._version \
                    and known[2].dtype == tensor.dtype and torch.equal(known[2], tensor):
                found[key] = known[2]
                continue
            value = tensor.detach().clone()
            reads[key] = (weakref.ref(tensor, _forget(reads, key)), tensor._version, value)
            found[key] = value
        return found

    def has_read(self, tensor: torch.Tensor) -> bool:
        """Whether an op recorded so far read `tensor` (a leaf or a constant)."""
        known = self._reads.get(id(tensor))
        return known is not None and known[0]() is tensor

    def _keep_untracked(self, tensor: torch.Tensor, record: Produced) -> None:
        """Keep an op that ran without a grad_fn, the oldest going first past a budget:
        a long program that never asks for gradients shows the end of its forward graph.
        Its inputs that belong to an autograd graph are held weakly, so a record never
        keeps a graph alive."""
        record.inputs = [t if t is None or t.grad_fn is None else _Weak(t)
                         for t in record.inputs]
        record.args, record.kwargs = (), {}  # only replayed graphs need them
        self.untracked[id(tensor)] = record
        self._untracked_elements += record.value.numel()
        while self._untracked_elements > MAX_UNTRACKED_ELEMENTS and len(self.untracked) > 1:
            oldest = next(iter(self.untracked))
            self._untracked_elements -= self.untracked.pop(oldest).value.numel()


class _Weak:
    """An input of a record without a grad_fn that is part of an autograd graph."""

    __slots__ = ("ref",)

    def __init__(self, tensor: torch.Tensor) -> None:
        self.ref = weakref.ref(tensor)


def untracked_inputs(record: Produced) -> list[torch.Tensor | None]:
    """A record's inputs, those held weakly resolved (None once freed)."""
    return [t.ref() if isinstance(t, _Weak) else t for t in record.inputs]


def _replace(value: Any, aliases: set[int]) -> Any:
    """`value` with each tensor whose id is in `aliases` replaced by an Alias."""
    if isinstance(value, torch.Tensor):
        return Alias(weakref.ref(value)) if id(value) in aliases else value
    if isinstance(value, tuple):
        return tuple(_replace(v, aliases) for v in value)
    if isinstance(value, list):
        return [_replace(v, aliases) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, aliases) for k, v in value.items()}
    return value


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
    tensors: list[torch.Tensor | None] = [a for a in flat if isinstance(a, torch.Tensor)
                                          or a is None]
    if len(tensors) == n:
        return tensors
    return []


class _SizeCheck(TorchDispatchMode):
    """Checks every aten op's size, before it runs and after, and records nothing: for
    the program's own code that autograd runs in the backward pass."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a mode's handler to keep torch.compile out of it, at a cost on every
        # op; chainrule never compiles, so the handler is left unwrapped.
        return False

    limits = True

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if self.limits:
            check_size(func, args, kwargs)
        out = func(*args, **kwargs)
        if self.limits:
            check_result(out)
        return out


class _Capture(_SizeCheck):
    """Sees every aten op: checks sizes before running it, records its outputs after."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.limits = recorder.limits
        self.pending: list[Pending] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        recorder = self.recorder
        if not recorder.recording:
            return super().__torch_dispatch__(func, types, args, kwargs)
        kwargs = kwargs or {}
        if self.limits:
            check_size(func, args, kwargs)
        # The inputs as this op reads them, before it runs (some ops update an input in
        # place, as batch norm does its running statistics).
        reads = recorder.read(flatten(args))
        out = func(*args, **kwargs)
        outputs = flatten(out)
        if self.limits:
            check_result(outputs)
        # The value as this op made it: cloned here, below the mode, before autograd
        # attaches a grad_fn and before anything can change it in place.
        stack = recorder.module_stack
        self.pending.append(Pending(func, args, kwargs, outputs, [t.clone() for t in outputs],
                                    stack[-1] if stack else None, reads))
        return out
