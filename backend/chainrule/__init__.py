"""chainrule: what PyTorch autograd really does, step by step.

In a notebook or a script (your own, trusted code):

    import chainrule
    with chainrule.record() as rec:
        loss = loss_fn(model(x), y)
        loss.backward()
    rec                       # the player, inline
    rec.save("graph.html")    # one file that opens offline
    chainrule.show(loss)      # after the fact: the graph reachable from loss

Against a chainrule server: `chainrule.Client("http://127.0.0.1:8000").trace(source)`.
The names load what they need on first use (the client needs no torch).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> (module, attribute): what `chainrule.<name>` gives.
_EXPORTS = {
    "record": ("chainrule.inprocess.recording", "record"),
    "record_file": ("chainrule.inprocess.recording", "record_file"),
    "Recording": ("chainrule.inprocess.recording", "Recording"),
    "show": ("chainrule.inprocess.show", "show"),
    "Client": ("chainrule.client", "Client"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'chainrule' has no attribute '{name}'")
    module, attribute = _EXPORTS[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value
