"""Tensors and traced graphs -> JSON bytes that any RFC 8259 parser accepts.

Float data goes to orjson as numpy arrays, which it writes in the shortest form that
reads back to the same float32 (1.4, not 1.399999976158142). Non-finite numbers become
the strings "nan", "inf" and "-inf".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
import torch

from chainrule.errors import LimitError
from chainrule.settings import MAX_LISTED_ELEMENTS
from chainrule.trace.diagnose import diagnose
from chainrule.trace.gradcheck import GradCheck
from chainrule.trace.graph import GraphEdge, GraphNode, TraceGraph
from chainrule.trace.names import ModuleInfo, Names
from chainrule.trace.ops import meaning
from chainrule.trace.steps import Steps
from chainrule.trace.training import TrainingLog

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def number(x: float | int | bool) -> float | int | bool | str:
    """A JSON-safe number: non-finite floats as strings."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def _nonfinite_list(data: Any) -> Any:
    if isinstance(data, list):
        return [_nonfinite_list(d) for d in data]
    return number(data)


_HISTOGRAM_BINS = 16
# Magnitudes below 2**_SAFE_EXPONENT keep (high - low) * bins finite in float64.
_SAFE_EXPONENT = 1018
_EMPTY_SUMMARY = {"min": None, "max": None, "mean": None, "std": None}


_FLOAT_SCALARS: dict[torch.dtype, tuple[str, Any]] = {
    torch.float32: ("float32", np.float32),
    torch.float64: ("float64", float),
}
_ZEROS = {torch.float32: np.float32(0.0), torch.float64: 0.0}


def _one_float(t: torch.Tensor, name: str, cast: Any) -> dict[str, Any]:
    """The common case, kept cheap: a one-element float tensor (a scalar in the graph)."""
    x = t.item()
    value = cast(x) if math.isfinite(x) else number(x)
    data: Any = value
    for _ in range(t.dim()):
        data = [data]
    std = _ZEROS[t.dtype] if math.isfinite(x) else "nan"  # as torch's std of one element
    return {"shape": list(t.shape), "dtype": name, "data": data,
            "summary": {"min": value, "max": value, "mean": value, "std": std}}


def tensor_json(t: torch.Tensor | None,
                summaries: _Summaries | None = None) -> dict[str, Any] | None:
    """{shape, dtype, data, summary}; data is null past MAX_LISTED_ELEMENTS elements.

    `summaries`, when given, shares one summary between large tensors holding the same
    values (a weight, its snapshot, its transpose, the .grad that copies a gradient).
    """
    if t is None:
        return None
    scalar = _FLOAT_SCALARS.get(t.dtype)
    if scalar is not None and t.numel() == 1:
        return _one_float(t, *scalar)
    t = t.detach().cpu()  # a CUDA tensor recorded in-process: numpy reads the CPU's
    if t.is_complex():
        t = torch.view_as_real(t)
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.float()
    n = t.numel()
    if n <= MAX_LISTED_ELEMENTS:
        data, summary = _small(t.numpy(), n)
    else:
        data, summary = None, (summaries or _Summaries()).of(t)
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).removeprefix("torch."),
        "data": data,
        "summary": summary,
    }


def _small(array: np.ndarray[Any, Any], n: int) -> tuple[Any, dict[str, Any]]:
    """Data and summary of a small tensor, in numpy (cheaper than torch for a few elements)."""
    if n == 0:
        return array.tolist(), dict(_EMPTY_SUMMARY)
    is_float = array.dtype.kind == "f"
    if n == 1:
        scalar = array.reshape(-1)[0]
        value = scalar if not is_float or math.isfinite(scalar) else number(float(scalar))
        stat: Any = value
        if array.dtype.kind == "b":
            value, stat = bool(scalar), float(scalar)
        data = value if array.ndim == 0 else _nest([value], array.shape)
        zero = array.dtype.type(0) if is_float else 0.0
        return data, {"min": stat, "max": stat, "mean": stat, "std": zero}
    booleans = array.tolist() if array.dtype.kind == "b" else None  # true/false, as torch
    if booleans is not None:
        array = array.astype(np.uint8)
    low, high = float(array.min()), float(array.max())  # NaN anywhere makes these NaN
    if booleans is not None:
        data = booleans
    elif is_float and not (math.isfinite(low) and math.isfinite(high)):
        data = _nonfinite_list(array.tolist())
    else:
        data = np.ascontiguousarray(array)
    cast: Any = array.dtype.type if is_float else float
    with np.errstate(all="ignore"):  # inf - inf is nan here, as it is in torch
        mean = float(array.mean(dtype=np.float64))
        std = float(array.std(ddof=1, dtype=np.float64))
    stats = (low, high, mean, std)
    return data, {k: _stat(v, cast) for k, v in zip(_STAT_KEYS, stats, strict=True)}


_STAT_KEYS = ("min", "max", "mean", "std")


def _nest(values: list[Any], shape: tuple[int, ...]) -> Any:
    """A one-element list nested to `shape` (all of whose sizes are 1)."""
    data: Any = values[0]
    for _ in shape:
        data = [data]
    return data


class _Summaries:
    """Summaries of large tensors, one per distinct content.

    A summary does not depend on the order of the elements, so a tensor with the same
    bits as one already summarised, in the same order or transposed, reuses its summary:
    comparing costs one pass, a summary about ten.
    """

    def __init__(self) -> None:
        # (dtype, size, min, max) -> [(values, summary)]
        self._known: dict[tuple[Any, ...], list[tuple[np.ndarray[Any, Any], Any]]] = {}

    def of(self, t: torch.Tensor) -> dict[str, Any]:
        array = t.numpy() if t.dtype in (torch.float32, torch.float64) else t.double().numpy()
        low, high = float(array.min()), float(array.max())  # NaN anywhere makes these NaN
        if not (math.isfinite(low) and math.isfinite(high)):
            return _nonfinite_summary(t)
        key = (array.dtype, array.size, low, high)
        candidates = self._known.setdefault(key, [])
        for values, summary in candidates:
            if _same_bits(array, values):
                return summary  # type: ignore[no-any-return]
        summary = _finite_summary(array, low, high)
        candidates.append((array, summary))
        return summary


def _same_bits(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    """Whether two arrays of one dtype hold the same bits, in order or transposed."""
    as_int = np.dtype(f"i{a.dtype.itemsize}")
    a, b = a.view(as_int), b.view(as_int)
    if a.shape == b.shape and np.array_equal(a, b):
        return True
    return a.ndim == b.ndim == 2 and a.shape == b.shape[::-1] and np.array_equal(a, b.T)


def _finite_summary(array: np.ndarray[Any, Any], low: float, high: float) -> dict[str, Any]:
    """min, max, mean, std (in float64) and a histogram, for finite data: numpy on
    float64, a few passes over one scratch array, no masking."""
    cast: Any = np.float32 if array.dtype == np.float32 else float
    f = array.astype(np.float64, copy=False).ravel(order="K")  # no copy when transposed
    with np.errstate(over="ignore", invalid="ignore"):  # near float64's top: inf, as torch
        mean = float(f.mean())
        work = np.subtract(f, mean)  # one scratch array, reused: large allocations are slow
        work *= work  # no BLAS dot: its threads would contend with the server's
        std = math.sqrt(float(work.sum()) / (f.size - 1))
    if not (math.isfinite(mean) and math.isfinite(std)):  # overflowed: torch's own, then
        mean, std = float(torch.from_numpy(f).mean()), float(torch.from_numpy(f).std())
    summary = {k: _stat(v, cast) for k, v in zip(_STAT_KEYS, (low, high, mean, std),
                                                  strict=True)}
    summary["histogram"] = {"min": low, "max": high, "counts": _histogram(f, low, high, work)}
    return summary


def _histogram(f: np.ndarray[Any, Any], low: float, high: float,
               work: np.ndarray[Any, Any]) -> list[int]:
    """torch.histc's counts over [low, high], for finite float64 data within it: bin
    int((x - low) * bins / (high - low)), the top edge falling in the last bin.

    Near float64's largest magnitudes that formula overflows (torch's own histc then
    misplaces or drops elements), so there the data is first scaled by a power of two, which is
    exact and leaves every bin as it is."""
    if high == low:  # histc widens the empty range by one on each side: the middle bin
        counts = [0] * _HISTOGRAM_BINS
        counts[_HISTOGRAM_BINS // 2] = int(f.size)
        return counts
    if math.isfinite((high - low) * _HISTOGRAM_BINS):
        np.subtract(f, low, out=work)
        span = high - low
    else:
        shift = _SAFE_EXPONENT - math.frexp(max(abs(low), abs(high)))[1]
        low = math.ldexp(low, shift)
        span = math.ldexp(high, shift) - low
        np.ldexp(f, shift, out=work)
        work -= low
    work *= _HISTOGRAM_BINS
    work /= span
    bins = work.astype(np.intp)
    np.minimum(bins, _HISTOGRAM_BINS - 1, out=bins)
    return np.bincount(bins, minlength=_HISTOGRAM_BINS).tolist()  # type: ignore[no-any-return]


def _nonfinite_summary(t: torch.Tensor) -> dict[str, Any]:
    """The summary of a tensor holding NaN or infinity: statistics over every element,
    the histogram over the finite ones."""
    cast: Any = np.float32 if t.dtype == torch.float32 else float
    f = t.double()
    finite = f[torch.isfinite(f)]
    stats = (f.min(), f.max(), f.mean(), f.std())
    summary = {k: _stat(float(v), cast) for k, v in zip(_STAT_KEYS, stats, strict=True)}
    if finite.numel():
        data = finite.numpy()
        low, high = float(data.min()), float(data.max())
        counts = _histogram(data, low, high, np.empty_like(data))  # exact near float64's top
        summary["histogram"] = {"min": low, "max": high, "counts": counts}
    return summary


def _stat(x: float, cast: Any) -> Any:
    return cast(x) if math.isfinite(x) else number(x)


def _span(span: tuple[int, int, int, int] | None) -> dict[str, int] | None:
    if span is None:
        return None
    line, col, end_line, end_col = span
    return {"line": line, "col": col, "end_line": end_line, "end_col": end_col}


class _Tensors:
    """tensor_json with a cache: one tensor shown in several places is written once.

    API v1 writes the payload wherever the tensor is shown. API v2 (`table`) writes each
    distinct payload once, in `self.table`, and its index wherever the tensor is shown:
    distinct by content, not only by identity (the gradient a thousand nodes receive,
    the same values listed by each of five backward() calls), compared as the bytes they
    are written as (so -0.0 stays apart from 0.0, and NaNs from each other's bits).

    `self.bytes` counts the tensors' bytes as the response will hold them; past `limit`
    the response can't be sent, and TooLarge stops the writing there.
    """

    def __init__(self, table: bool = False, limit: int | None = None) -> None:
        self._seen: dict[int, tuple[torch.Tensor, Any, int]] = {}
        self._summaries = _Summaries()
        self.table: list[orjson.Fragment] | None = [] if table else None
        self._index: dict[bytes, int] = {}
        self.bytes = 0
        self._limit = limit

    def __call__(self, t: torch.Tensor | None) -> Any:
        if t is None:
            return None
        known = self._seen.get(id(t))
        if known is not None and known[0] is t:
            if self.table is None:
                self._count(known[2])  # v1 writes it again
            return known[1]
        # Written once here, and put in the body as these bytes (never serialised again).
        written = orjson.dumps(tensor_json(t, self._summaries), option=_OPTIONS)
        if self.table is None:
            ref: Any = orjson.Fragment(written)
            self._count(len(written))
        else:
            ref = self._entry(written)
        self._seen[id(t)] = (t, ref, len(written))  # holding t keeps its id from being reused
        return ref

    def _count(self, size: int) -> None:
        self.bytes += size
        if self._limit is not None and self.bytes > self._limit:
            raise TooLarge

    def _entry(self, written: bytes) -> int:
        assert self.table is not None
        index = self._index.get(written)
        if index is None:
            index = self._index[written] = len(self.table)
            self.table.append(orjson.Fragment(written))
            self._count(len(written))
        return index

    def saved(self, t: torch.Tensor) -> Any:
        """A tensor among a grad_fn's saved values: in v2 a link {"tensor": i}, since a
        bare index there would read as a number."""
        ref = self(t)
        return ref if self.table is None else {"tensor": ref}


def _saved_value(value: Any, tensor: _Tensors) -> Any:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return tensor.saved(value)
    if isinstance(value, bool | int | float):
        return number(value)
    if isinstance(value, tuple | list | torch.Size) and all(isinstance(v, int) for v in value):
        return list(value)
    return str(value)


def _node(node: GraphNode, tensor_json: _Tensors) -> dict[str, Any]:
    return {
        "id": node.id,
        "kind": node.kind,
        "op": node.op,
        "label": node.label,
        "meaning": node.meaning or meaning(node.op),
        "name": node.name,
        "shown": node.shown or node.name or node.label,
        "value": tensor_json(node.value),
        "grad": tensor_json(node.grad),
        "span": _span(node.span),
        "module": node.module,
        "formula": node.formula,
        "numbers": {k: number(v) for k, v in node.numbers.items()},
        "saved": {k: _saved_value(v, tensor_json) for k, v in node.saved.items()},
        "grad_parts": node.grad_parts,
        "outputs": [{"output": o.output, "name": o.name, "value": tensor_json(o.value),
                     "grad": tensor_json(o.grad), "differentiable": o.grad_index is not None,
                     "grad_parts": o.grad_parts} for o in node.outputs],
    }


def _edge(edge: GraphEdge, tensor_json: _Tensors) -> dict[str, Any]:
    return {"source": edge.source, "target": edge.target, "input": edge.input,
            "output": edge.output, "grad": tensor_json(edge.grad),
            "local": tensor_json(edge.local), "formula": edge.formula, "symbol": edge.symbol}


def _steps(steps: Steps, tensor_json: _Tensors) -> dict[str, Any]:
    return {
        "forward": [{"node": s.node, "generation": s.generation, "edges": s.edges}
                    for s in steps.forward],
        "backward": [{"phase": s.phase, "node": s.node, "grad": tensor_json(s.grad),
                      "edges": s.edges, "sends": [tensor_json(g) for g in s.sends],
                      "accumulated": tensor_json(s.accumulated), "returned": s.returned,
                      "outputs": [{"output": k, "grad": tensor_json(g)} for k, g in s.outputs]}
                     for s in steps.backward],
    }


def _phases(graph: TraceGraph, tensor_json: _Tensors) -> list[dict[str, Any]]:
    return [{"index": i, "output": graph.node_of.get(p.root), "span": _span(p.span),
             "seed": tensor_json(p.seed), "call": p.call} for i, p in enumerate(graph.phases)]


def variable_json(t: torch.Tensor, tensor_json: _Tensors) -> dict[str, Any]:
    return {
        "value": tensor_json(t),
        "grad": tensor_json(t.grad) if t.is_leaf else tensor_json(_retained(t)),
        "requires_grad": t.requires_grad,
        "shape": list(t.shape),
    }


def _retained(t: torch.Tensor) -> torch.Tensor | None:
    # .grad of a non-leaf is None unless retain_grad() was called; reading it then warns.
    return t.grad if t.retains_grad else None


def _check(check: GradCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "step": check.step,
        "error": check.error,
        "leaves": [{"node": c.node, "name": c.name, "elements": c.elements,
                    "indices": c.indices(),
                    "rel_errors": [number(x) for x in c.rel_errors().tolist()],
                    "analytic": c.analytic.tolist(), "numeric": c.numeric.tolist(),
                    "max_rel_error": number(c.max_rel_error)} for c in check.leaves],
    }


class TooLarge(Exception):
    """The tensors alone pass the response's size limit: writing stops there."""


def trace_payload(graph: TraceGraph, steps: Steps, modules: list[ModuleInfo],
                  variables: dict[str, torch.Tensor], check: GradCheck | None,
                  stdout: str, notes: list[str] | None = None, api: int = 1,
                  max_bytes: int | None = None,
                  training: dict[str, Any] | None = None) -> bytes:
    """The whole /trace response body, in API `api`'s form (1: tensors inline; 2: a table
    of distinct tensors, referred to by index). Raises LimitError past `max_bytes`."""
    tensors = _Tensors(table=api >= 2, limit=max_bytes)
    try:
        body: dict[str, Any] = {
            "nodes": [_node(n, tensors) for n in graph.nodes],
            "edges": [_edge(e, tensors) for e in graph.edges],
            "output": graph.output,
            "variables": {name: variable_json(t, tensors) for name, t in variables.items()},
            "stdout": stdout,
            "notes": notes or [],
            "modules": [{"name": m.name, "type": m.type, "parent": m.parent} for m in modules],
            "phases": _phases(graph, tensors),
            "steps": _steps(steps, tensors),
            "check": _check(check),
            "training": training,
        }
    except TooLarge:
        assert max_bytes is not None
        raise too_large(None, max_bytes, len(graph.nodes), len(steps.backward),
                        tensors.bytes) from None
    if tensors.table is not None:
        body["tensors"] = tensors.table
    written = orjson.dumps(body, option=_OPTIONS)
    if max_bytes is not None and len(written) > max_bytes:
        raise too_large(len(written), max_bytes, len(graph.nodes), len(steps.backward),
                        tensors.bytes)
    return written


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def too_large(size: int | None, limit: int, nodes: int, backward_steps: int,
              tensor_bytes: int) -> LimitError:
    """The error of a response past its size limit, saying what made it large. `size`:
    the whole response's, or None when its tensors alone passed the limit (the rest was
    not written)."""
    counts = f"{nodes:,} nodes, {backward_steps:,} backward steps"
    if size is None:
        said = (f"would be more than the {_mb(limit)} a response may be: its tensor values "
                f"alone pass that ({counts})")
    else:
        said = (f"would be {_mb(size)}, more than the {_mb(limit)} a response may be "
                f"({counts}, {_mb(tensor_bytes)} of tensor values)")
    return LimitError(f"the graph's response {said}: fewer ops or backward() calls, or "
                      "smaller tensors, would fit")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


def embedded(body: bytes) -> Any:
    """JSON bytes made before (a partial trace), to go into `dumps`'s output as they are."""
    return orjson.Fragment(body)



MAX_TRAINING_POINTS = 1_000  # calls listed per series; the diagnoses read every call


def _spaced(calls: int, most: int) -> list[int]:
    """At most `most` call indices out of `calls`, evenly spaced, the last one in."""
    if calls <= most:
        return list(range(calls))
    step = (calls - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)} | {calls - 1})


def training_json(log: TrainingLog, names: Names,
                  shown_call: int | None) -> dict[str, Any] | None:
    """The response's `training`: the loss and each named leaf's series at the listed calls,
    and the diagnoses; None when the program never called backward."""
    if log.calls == 0:
        return None
    named = [(name, log.series[id(t)]) for name, t in names.bound.items()
             if id(t) in log.series and log.series[id(t)].tensor() is t]
    def module(series: Any) -> str | None:
        leaf = series.tensor()
        return None if leaf is None else names.module_of_parameter(leaf)

    weights = [(name, series) for name, series in named
               if name.endswith(".weight") and module(series) is not None]
    picked = _spaced(log.calls, MAX_TRAINING_POINTS)

    def at(values: list[float | None]) -> list[float | None]:
        return [values[i] if i < len(values) else None for i in picked]

    return {
        "calls": log.calls,
        "iterations": picked,
        "loss": [log.losses[i] if math.isfinite(log.losses[i]) else None for i in picked],
        "series": [{
            "name": name,
            "module": module(series),
            "grad_norm": at(series.grad_norm), "grad_mean": at(series.grad_mean),
            "grad_max": at(series.grad_max), "zero_fraction": at(series.zero_fraction),
            "norm": at(series.norm), "update": at(series.update),
            "dead_units": series.dead_units(), "units": series.units(),
        } for name, series in named],
        "diagnoses": [{"kind": d.kind, "message": d.message, "leaves": list(d.leaves),
                       "call": d.call} for d in diagnose(log, named, weights)],
        "shown_call": shown_call,
    }
