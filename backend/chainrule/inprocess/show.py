"""`chainrule.show(loss)`: the graph reachable from a tensor, after the fact, with no
recording: each node's value from what autograd saved for the backward pass, and each
node's gradient computed by torch.autograd.grad (the leaves' `.grad` left as they are).

Autograd keeps an op's output only where its backward needs it (`_saved_result`, or an
input `_saved_self` of the op after it); where it kept none the node shows no value. A
backward() that did not retain the graph frees what it saved: then the graph shows its
structure and the leaves only, and says so. `chainrule.record()` sees every value.
"""

from __future__ import annotations

import sys
from typing import Any

import torch

from chainrule.inprocess.recording import API_FORMS, Recording, environment
from chainrule.pipeline import TraceJob, payloads
from chainrule.settings import MAX_RESPONSE_BYTES
from chainrule.trace.backward import run_backward
from chainrule.trace.recorder import _RECORD, Produced
from chainrule.trace.walk import reachable

FREED_NOTE = ("backward() freed what autograd saved for this graph: only its structure and "
              "its leaves show; record it with chainrule.record() to see every value")
GRADIENTS_NOTE = ("gradients computed by chainrule.show with torch.autograd.grad; the "
                  "leaves' .grad are as they were")


def saved_values(nodes: list[Any]) -> tuple[dict[tuple[Any, int], torch.Tensor], bool]:
    """(node, output_nr) -> the value autograd saved of that node's output, over every
    `_saved_*` tensor of every node; and whether backward already freed them."""
    found: dict[tuple[Any, int], torch.Tensor] = {}
    freed = False
    for node in nodes:
        for name in dir(node):
            if not name.startswith("_saved_"):
                continue
            try:
                value = getattr(node, name)
            except RuntimeError:  # "Trying to backward through the graph a second time"
                freed = True
                continue
            for tensor in value if isinstance(value, tuple | list) else (value,):
                if isinstance(tensor, torch.Tensor) and tensor.grad_fn is not None:
                    found.setdefault((tensor.grad_fn, tensor.output_nr),
                                     tensor.detach().clone())
    return found, freed


def show(tensor: torch.Tensor, *, max_bytes: int = MAX_RESPONSE_BYTES) -> Recording:
    """The player for the graph reachable from `tensor`, as a Recording (displayed inline
    in a notebook; `.save()` and `.to_json()` as for record())."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"chainrule.show takes a tensor, not {type(tensor).__name__}")
    frame = sys._getframe(1)
    rec = Recording(frame.f_code.co_filename, None, max_bytes)
    env = environment(frame)
    session = rec.session
    root = tensor.grad_fn
    nodes = reachable(root) if root is not None else []
    values, freed = saved_values(nodes)
    values[(root, 0)] = tensor.detach().clone() if root is not None else tensor
    added = []
    for node in nodes:
        if type(node).__name__ == "AccumulateGrad" or node.metadata.get(_RECORD) is not None:
            continue
        value = values.get((node, 0))
        if value is None:
            continue
        node.metadata[_RECORD] = Produced(value, None, [None] * len(node.next_functions),
                                          values=[value], output_nrs=[0])
        added.append(node)
    notes = []
    try:
        if root is not None and not freed and tensor.numel() == 1:
            leaves = [n.variable for n in nodes if type(n).__name__ == "AccumulateGrad"]
            phase, _ = run_backward(root, None, lambda: torch.autograd.grad(  # type: ignore[arg-type]
                tensor, leaves, retain_graph=True, allow_unused=True), returned=leaves)
            session.phases.append(phase)
            notes.append(GRADIENTS_NOTE)
        elif freed:
            notes.append(FREED_NOTE)
        rec._json = payloads(session, env, tensor, TraceJob("", max_bytes=max_bytes), "",
                             notes, API_FORMS)
    finally:
        for node in added:
            del node.metadata[_RECORD]
    return rec
