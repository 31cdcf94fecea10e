"""Recording trusted code in-process: every torch call the code makes goes to the same
trace session the interpreter feeds on the server (trace/tracer.py), with the place in the
source the call came from.

A TorchFunctionMode sees each call of torch's Python API (functions, Tensor methods and
operators, factories) the code makes, once: torch's own calls inside it run with the mode
off, and the trace session's dispatch mode (trace/recorder.py) records their aten ops as
it does for the interpreter. `backward()` and `torch.autograd.grad` go to the session, so
every node's gradient is recorded as on the server.

The place of a call is where the code being recorded made it: the innermost frame of the
recorded file (the notebook cell, the script), and the span of the instruction running
there (Python keeps each instruction's line and columns: `co_positions`).
"""

from __future__ import annotations

import ast
import inspect
import linecache
import operator
import os
import sys
import textwrap
import weakref
from collections.abc import Callable
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

import torch
from torch.autograd.function import BackwardCFunction
from torch.overrides import TorchFunctionMode

from chainrule.spans import Span
from chainrule.trace.recorder import produced_of
from chainrule.trace.tracer import TraceSession

# Tensor's operators as the interpreter calls them (operator.mul, not Tensor.__mul__): the
# recorder runs these as one aten op, without the dispatch mode's per-op cost.
_OPERATORS: dict[Any, Callable[..., Any]] = {
    torch.Tensor.__add__: operator.add,
    torch.Tensor.__sub__: operator.sub,
    torch.Tensor.__mul__: operator.mul,
    torch.Tensor.__truediv__: operator.truediv,
    torch.Tensor.__pow__: operator.pow,
    torch.Tensor.__neg__: operator.neg,
}
# Calls that read a tensor without making one in the graph: run as they are.
_PLAIN_NAMES = frozenset({
    "__set__", "__repr__", "__str__", "__format__", "__bool__", "__len__",
    "__hash__", "__float__", "__int__", "__index__", "item", "tolist", "numpy", "size",
    "dim", "numel", "is_floating_point", "is_complex", "element_size", "stride",
    "data_ptr", "storage_offset", "is_contiguous", "__reduce_ex__", "__deepcopy__",
    "retain_grad", "register_hook",
})
_GRADIENTS = frozenset({torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad})
_RESULTS_KEPT = 256
_BACKWARD_PARAMETERS = ("gradient", "retain_graph", "create_graph", "inputs")
NOWHERE: Span = (0, 0, 0, 0)


# Tensor attributes whose reading makes a tensor in the graph (the interpreter's traced
# attributes, language/members.py): their getters are recorded, every other getter runs.
_TRACED_ATTRIBUTES = frozenset({"T", "mT", "H", "mH"})
_APPLY_CODE = torch.autograd.Function.apply.__func__.__code__  # type: ignore[attr-defined]


def _plain(func: Any) -> bool:
    name = getattr(func, "__name__", "")
    if name == "__get__":
        return getattr(getattr(func, "__self__", None), "__name__", "") not in _TRACED_ATTRIBUTES
    return name in _PLAIN_NAMES


class Capture(TorchFunctionMode):
    """Feeds `session` with the torch calls made while it is entered; `filename` is the
    file whose lines the spans refer to."""

    def __init__(self, session: TraceSession, filename: str,
                 code: CodeType | None = None) -> None:
        super().__init__()
        self.session = session
        self.filename = filename
        self.code = code  # the recorded block's code (None: the file's module code)
        # The tensors the recorded code's own calls made, newest last, held weakly.
        self.results: list[weakref.ref[torch.Tensor]] = []
        self._apply_span: Span | None = None  # where a custom Function's apply ran last
        self.seen: set[int] = set()  # ids of the tensors the code's calls read or made
        self.modules: set[int] = set()  # ids of the modules that ran

    def __torch_function__(self, func: Any, types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        if _plain(func):
            return func(*args, **kwargs)
        frame = self._frame()
        span = NOWHERE if frame is None else span_of(frame)
        self._settle_custom(args)
        written = _written_by_user(func)
        if written and func is torch.Tensor.backward:
            self.session.backward(args[0], _backward_kwargs(args[1:], kwargs), span)
            return None
        if written and func is torch.autograd.backward:
            return self._autograd_backward(args, kwargs, span)
        if not written and func in _GRADIENTS:  # torch's own use (gradcheck, jacobian):
            # its ops recorded as the interpreter's one call of the library function would
            return self.session.recorder.call(func, args, kwargs, span, made=False)
        stack = self.session.recorder.module_stack
        self.modules.update(map(id, stack))
        if written:
            self._saw(args)
        # Inside a module, every op goes through the dispatch mode, which knows the module.
        result = self.session.call(_OPERATORS.get(func, func), args, kwargs, span,
                                   made=written, single=not stack)
        if written:
            self._saw((result,))
        # Any tensor a statement of the recorded code made (a module's output is made by
        # torch's call inside it): the candidates for the last assigned.
        if frame is not None and self._top_level(frame) and isinstance(result, torch.Tensor):
            self.results.append(weakref.ref(result))
            del self.results[:-_RESULTS_KEPT]
        return result

    def _saw(self, values: Any) -> None:
        """Note the tensors among `values` (and in a list or tuple there): the names the
        recording keeps are theirs and the modules'."""
        for value in values:
            if isinstance(value, torch.Tensor):
                self.seen.add(id(value))
            elif isinstance(value, tuple | list):
                self.seen.update(id(v) for v in value if isinstance(v, torch.Tensor))

    def _top_level(self, frame: FrameType) -> bool:
        """Whether `frame` runs the recorded code itself (not a function it defines)."""
        if self.code is not None:
            return frame.f_code is self.code
        return frame.f_code.co_filename == self.filename and frame.f_code.co_name == "<module>"

    def last_assigned(self, env: dict[str, Any]) -> torch.Tensor | None:
        """The tensor the recorded code made last that is bound to a name in `env`: the
        interpreter's last assigned tensor, the graph shown when nothing ran backward."""
        bound = {id(v) for v in env.values() if isinstance(v, torch.Tensor)}
        for ref in reversed(self.results):
            tensor = ref()
            if tensor is not None and id(tensor) in bound:
                return tensor
        return None

    def _settle_custom(self, args: tuple[Any, ...]) -> None:
        """A custom autograd Function's output is first seen when a call reads it
        (`Function.apply` passes no torch function mode): record it then, as the
        interpreter records it when apply returns."""
        for value in args:
            node = getattr(value, "grad_fn", None) if isinstance(value, torch.Tensor) else None
            if isinstance(node, BackwardCFunction) and produced_of(node) is None:
                recorder = self.session.recorder
                formula = backward_formula(type(node))
                if formula is not None:
                    self.session.custom_backward(type(node), formula)
                outer, recorder.span = recorder.span, self._apply_span
                try:
                    recorder.settle_results(value, getattr(node, "apply", None), (), {})
                finally:
                    recorder.span = outer

    def _autograd_backward(self, args: tuple[Any, ...], kwargs: dict[str, Any],
                           span: Span) -> None:
        """torch.autograd.backward(tensors, grad_tensors, ...) on one tensor, as its
        .backward(); several at once run as torch runs them, unrecorded."""
        names = ("tensors", "grad_tensors", "retain_graph", "create_graph", "grad_variables",
                 "inputs")
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        tensors = given.pop("tensors")
        if isinstance(tensors, tuple | list) and len(tensors) == 1:
            tensors = tensors[0]
        if not isinstance(tensors, torch.Tensor):  # the mode is off while it handles a call
            torch.autograd.backward(tensors, **given)
            return
        gradient = given.pop("grad_tensors", None)
        if isinstance(gradient, tuple | list):
            gradient = gradient[0] if gradient else None
        options = {k: v for k, v in given.items() if k != "grad_variables" and v is not None}
        self.session.backward(tensors, {"gradient": gradient, **options}, span)

    def _frame(self) -> FrameType | None:
        """The innermost frame of the recorded file, under this call."""
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != self.filename:
            frame = frame.f_back
        if frame is not None and frame.f_code.co_name == "forward":
            caller = frame.f_back  # a custom Function's forward: where apply was called
            if caller is not None and caller.f_code is _APPLY_CODE and caller.f_back is not None:
                self._apply_span = span_of(caller.f_back)
        return frame


_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
# torch's own frames between a call and its torch function handler.
_HANDLER_FILES = frozenset(os.path.join(os.path.dirname(torch.__file__), name)
                           for name in ("overrides.py", "_tensor.py"))


def _written_by_user(func: Any) -> bool:
    """Whether the call being handled was made by code outside torch (the user's), not by
    torch for them (a module's constructor making its parameters, a loss's forward)."""
    own = getattr(func, "__code__", None)
    frame: FrameType | None = sys._getframe(1).f_back  # what called the mode's handler
    while frame is not None and (frame.f_code.co_filename in _HANDLER_FILES
                                 or frame.f_code is own):
        frame = frame.f_back
    return frame is not None and not frame.f_code.co_filename.startswith(_TORCH_DIR)


def backward_formula(node_class: type) -> str | None:
    """A custom Function's local derivative as the code wrote it: the expression its
    backward returns (the interpreter's rule, language/interpreter.py), from its source."""
    backward = getattr(getattr(node_class, "_forward_cls", None), "backward", None)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(backward)))  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        return None
    returns = [n.value for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value]
    return ast.unparse(returns[-1]) if returns else None


def _backward_kwargs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**dict(zip(_BACKWARD_PARAMETERS, args, strict=False)), **kwargs}


@lru_cache(maxsize=256)
def _positions(code: CodeType) -> list[tuple[int | None, int | None, int | None, int | None]]:
    return list(code.co_positions())


def span_of(frame: FrameType) -> Span:
    """The span of the instruction `frame` is running, its columns in characters."""
    positions = _positions(frame.f_code)
    index = frame.f_lasti // 2
    if not 0 <= index < len(positions):
        return (frame.f_lineno, 0, frame.f_lineno, 0)
    line, end_line, col, end_col = positions[index]
    if line is None:
        return (frame.f_lineno, 0, frame.f_lineno, 0)
    end_line = line if end_line is None else end_line
    filename = frame.f_code.co_filename
    return (line, _chars(filename, line, col or 0), end_line,
            _chars(filename, end_line, end_col or 0))


def _chars(filename: str, line: int, byte_col: int) -> int:
    """A UTF-8 byte offset into a line of the file, in characters."""
    text = linecache.getline(filename, line)
    if text.isascii():
        return byte_col
    return len(text.encode()[:byte_col].decode(errors="ignore"))
