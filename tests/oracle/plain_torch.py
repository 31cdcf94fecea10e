"""The differential oracle: programs run by CPython and plain torch, in a process of its own.

Reads `[{"id", "source", "root"}]` as JSON on stdin and writes one record per program on
stdout. Nothing of chainrule is imported: each program runs with `exec` (our own test
programs, never user text) from the same documented random state chainrule uses
(`torch.manual_seed(0)`), under two modes that watch torch:

- a TorchDispatchMode copies every aten op's inputs without a grad_fn (leaves and
  constants) before it runs and its outputs after; a TorchFunctionMode around it gives
  those outputs to the grad_fn nodes autograd attached once the outer call returns;
- every `Tensor.backward` and `torch.autograd.grad` call hooks each node of its graph
  (`Node.register_hook`) and the inputs of `autograd.grad` (tensor hooks), and copies every
  gradient at the moment autograd delivers it, with each leaf's `.grad` after its
  AccumulateGrad ran.

The record of a program is its printed output and, for the graph chainrule shows (the
last backward call's, else the tensor named by `root`), every node in breadth-first order
from the root: its grad_fn name, the values of its results, the inputs it read, and per
backward call through it, the order the nodes ran in with what each received and sent.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


def tensor_json(t: Any) -> Any:
    """Exact: float32 and float64 values survive a JSON round trip as Python floats."""
    if not isinstance(t, torch.Tensor):
        return None
    t = t.detach()
    if t.is_complex():
        t = torch.view_as_real(t)
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()

    def clean(x: Any) -> Any:
        if isinstance(x, list):
            return [clean(v) for v in x]
        if isinstance(x, float) and not math.isfinite(x):
            return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return x

    return {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
            "data": clean(t.tolist())}


def _flatten(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _flatten(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flatten(v)]
    return []


class Watch(TorchDispatchMode):
    """Copies each op's inputs without a grad_fn before it runs, and its outputs after."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[list[torch.Tensor], list[torch.Tensor],
                                 dict[int, torch.Tensor]]] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        reads = {id(t): t.detach().clone() for t in _flatten(args) if t.grad_fn is None}
        out = func(*args, **(kwargs or {}))
        outputs = _flatten(out)
        self.pending.append((outputs, [t.detach().clone() for t in outputs], reads))
        return out


class Record:
    """What the program did, by grad_fn node."""

    def __init__(self) -> None:
        self.results: dict[Any, list[tuple[torch.Tensor, int | None]]] = {}
        self.reads: dict[Any, dict[int, torch.Tensor]] = {}
        self.seq: dict[Any, int] = {}
        self.phases: list[dict[str, Any]] = []
        self.held: list[Any] = []  # keeps every id() in `reads` meaning one tensor

    def settle(self, watch: Watch) -> None:
        pending, watch.pending = watch.pending, []
        for outputs, values, reads in pending:
            for tensor in outputs:
                node = tensor.grad_fn
                if node is None or node in self.results:
                    continue
                self.results[node] = [(v, t.output_nr if t.grad_fn is node else None)
                                      for t, v in zip(outputs, values, strict=True)]
                self.reads[node] = reads
                self.seq[node] = len(self.seq)
                self.held.append(outputs)


def bfs(root: Any) -> list[Any]:
    order, seen, i = [root], {root}, 0
    while i < len(order):
        for child, _ in order[i].next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                order.append(child)
        i += 1
    return order


def _copy(grads: Any) -> list[torch.Tensor | None]:
    return [g.detach().clone() if isinstance(g, torch.Tensor) else None for g in grads]


class Functions(TorchFunctionMode):
    """Settles each outermost torch call; hooks every backward pass."""

    def __init__(self, record: Record, watch: Watch) -> None:
        super().__init__()
        self.record = record
        self.watch = watch

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func in (torch.Tensor.backward, torch.autograd.grad) and not _from_program():
            func = _unhooked(func)  # torch's own (gradcheck, jacobian): not a call to show
        if func is torch.Tensor.backward:
            return self._differentiate(args[0].grad_fn, "backward", [], func, args, kwargs)
        if func is torch.autograd.grad:
            outputs = args[0] if args else kwargs["outputs"]
            inputs = args[1] if len(args) > 1 else kwargs["inputs"]
            first = outputs[0] if isinstance(outputs, tuple | list) else outputs
            inputs = list(inputs) if isinstance(inputs, tuple | list) else [inputs]
            return self._differentiate(first.grad_fn, "autograd.grad", inputs, func, args,
                                       kwargs)
        try:
            return func(*args, **kwargs)
        finally:
            self.record.settle(self.watch)

    def _differentiate(self, root: Any, call: str, inputs: list[torch.Tensor], func: Any,
                       args: Any, kwargs: Any) -> Any:
        steps: list[dict[str, Any]] = []
        by_node: dict[Any, dict[str, Any]] = {}
        handles = []
        nodes = bfs(root) if root is not None else []

        for node in nodes:
            def hook(gi: Any, go: Any, node: Any = node) -> None:
                step = by_node.get(node)
                if step is None or step["gi"] is not None:
                    step = {"node": node, "returned": False}
                    steps.append(step)
                    by_node[node] = step
                step["go"], step["gi"] = _copy(go), _copy(gi)
                grad = node.variable.grad if type(node).__name__ == "AccumulateGrad" else None
                step["accumulated"] = None if grad is None else grad.detach().clone()
            handles.append(node.register_hook(hook))
        for tensor in inputs:  # autograd.grad returns these instead of running their nodes
            if tensor.grad_fn is not None:
                target, position = tensor.grad_fn, tensor.output_nr
            else:
                target = next((n for n in nodes if type(n).__name__ == "AccumulateGrad"
                               and n.variable is tensor), None)
                position = 0
            if target is None:
                continue

            def capture(grad: torch.Tensor, target: Any = target, position: int = position
                        ) -> None:
                step = by_node.get(target)
                if step is None:
                    step = {"node": target, "go": [], "gi": None, "accumulated": None,
                            "returned": True}
                    steps.append(step)
                    by_node[target] = step
                go = list(step["go"]) + [None] * (position + 1 - len(step["go"]))
                go[position] = grad.detach().clone()
                step["go"], step["returned"] = go, True
            handles.append(tensor.register_hook(capture))
        try:
            return func(*args, **kwargs)
        finally:
            for handle in handles:
                handle.remove()
            self.record.settle(self.watch)
            for step in steps:
                if step["gi"] is None:
                    step["gi"] = []
            self.record.phases.append({"root": root, "call": call, "steps": steps})


def _from_program() -> bool:
    """Whether the torch call being handled was written in the program (not made by torch's
    own Python code, as jacobian and gradcheck call autograd.grad)."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename == __file__
                                 or frame.f_code.co_filename in _DISPATCH_FILES):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename == "<program>"


# Where torch.autograd.grad and Tensor.backward live, and the override machinery between
# them and the mode: the frame after these is the caller.
_DISPATCH_FILES = frozenset(str(Path(torch.__file__).parent / name) for name in
                            ("overrides.py", "_tensor.py", "autograd/__init__.py"))


def _unhooked(func: Any) -> Any:
    """A wrapper that calls `func` as it is (no longer `is` the function the mode watches)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)
    return call


def graph_record(record: Record, root: Any) -> dict[str, Any]:
    """The graph under `root` as chainrule numbers it, with every value and gradient."""
    order = bfs(root)
    index = {node: i for i, node in enumerate(order)}
    consumers: dict[Any, list[Any]] = {}
    for node in order:
        for child, _ in node.next_functions:
            if child is not None:
                consumers.setdefault(child, []).append(node)
    nodes = []
    for node in order:
        entry: dict[str, Any] = {
            "op": type(node).__name__,
            "next": [[index.get(child), nr] for child, nr in node.next_functions],
            "results": [[tensor_json(v), nr] for v, nr in record.results.get(node, [])],
            "reads": [tensor_json(v) for v in record.reads.get(node, {}).values()],
            "leaf_value": None,
        }
        if type(node).__name__ == "AccumulateGrad":
            readers = [c for c in consumers.get(node, []) if c in record.seq
                       and id(node.variable) in record.reads[c]]
            if readers:
                first = min(readers, key=record.seq.__getitem__)
                entry["leaf_value"] = tensor_json(record.reads[first][id(node.variable)])
        nodes.append(entry)
    phases = []
    for phase in record.phases:
        if not any(step["node"] is root for step in phase["steps"]):
            continue
        phases.append({"call": phase["call"], "steps": [
            {"node": index[step["node"]], "go": [tensor_json(g) for g in step["go"]],
             "gi": [tensor_json(g) for g in step["gi"]],
             "accumulated": tensor_json(step["accumulated"]),
             "returned": step["returned"]}
            for step in phase["steps"] if step["node"] in index]})
    return {"nodes": nodes, "phases": phases}


def run(source: str, root_name: str | None) -> dict[str, Any]:
    torch.manual_seed(0)
    random.seed(0)
    record, watch = Record(), Watch()
    names: dict[str, Any] = {"__name__": "oracle"}
    out = io.StringIO()
    error = None
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        try:
            with Functions(record, watch), watch:
                exec(compile(source, "<program>", "exec"), names)  # noqa: S102 - test text
        except Exception as exc:  # noqa: BLE001 - reported: chainrule must fail too
            error = f"{type(exc).__name__}: {exc}"
    root = record.phases[-1]["root"] if record.phases else None
    if root is None and root_name is not None:
        named = names.get(root_name)
        root = named.grad_fn if isinstance(named, torch.Tensor) else None
    return {"stdout": out.getvalue(), "error": error,
            "graph": None if root is None else graph_record(record, root)}


def main() -> None:
    programs = json.load(sys.stdin)
    results = {p["id"]: run(p["source"], p.get("root")) for p in programs}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
