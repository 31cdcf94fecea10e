"""`chainrule.record()`: trusted code's autograd, recorded in-process with real torch, as
the same trace JSON the REST API answers, and the player to show it.

    with chainrule.record() as rec:
        loss = loss_fn(model(x), y)
        loss.backward()
    rec                      # in Jupyter: the player, inline
    rec.save("graph.html")   # one file that opens offline
    rec.to_json()            # the REST API's JSON (v2; v1 with api=1)

This runs the caller's own Python, not the server's allowlist interpreter: it is for code
the user trusts (their kernel, their script), and nothing the server serves reaches it.
The trace session, the graph, the steps and the JSON are the server's own
(pipeline.payload), so a program that both can run gives the same graph.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import runpy
import sys
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO

import torch
from torch import nn

from chainrule.inprocess.capture import Capture
from chainrule.pipeline import TraceJob, payload
from chainrule.settings import MAX_RESPONSE_BYTES
from chainrule.trace.tracer import TraceSession


class _Tee(io.TextIOBase):
    """Writes to the stream it replaces and keeps a copy: the user still sees their
    prints, and the recording has them as the program's output."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def environment(frame: FrameType) -> dict[str, Any]:
    """The tensors and modules a frame can see by name, globals first (assignment order),
    its locals over them; names starting with `_` are left out (Jupyter's own)."""
    env: dict[str, Any] = {}
    for scope in (frame.f_globals, frame.f_locals):
        for name, value in scope.items():
            if not name.startswith("_") and isinstance(value, torch.Tensor | nn.Module):
                env.pop(name, None)
                env[name] = value
    return env


class Recording:
    """What ran inside one `record()` block; the trace JSON is made when the block ends."""

    def __init__(self, filename: str, frame: FrameType | None,
                 max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.filename = filename
        self._frame = frame
        self.max_bytes = max_bytes
        self.session = TraceSession()
        self.capture = Capture(self.session, filename,
                               None if frame is None else frame.f_code)
        self.stdout = ""
        self.source = ""
        self._json: dict[int, bytes] = {}
        self._env: dict[str, Any] = {}
        self._stack: contextlib.ExitStack | None = None
        self._tee: _Tee | None = None

    # --- the block ---------------------------------------------------------------------

    def __enter__(self) -> Recording:
        stack = contextlib.ExitStack()
        self._tee = _Tee(sys.stdout)
        stack.enter_context(contextlib.redirect_stdout(self._tee))
        stack.enter_context(self.session.recorder.running())
        stack.enter_context(self.capture)
        self._stack = stack
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        assert self._stack is not None and self._tee is not None
        self._stack.close()
        self.stdout = self._tee.copy.getvalue()
        self.source = "".join(linecache.getlines(self.filename))
        if self._frame is not None:  # else the caller names what ran: finish()
            self._env = environment(self._frame)
            self._frame = None  # the caller's frame is not kept
            self._json[2] = self._payload(2)

    def finish(self, env: dict[str, Any]) -> None:
        """End a recording whose names come from `env` (a script's globals)."""
        self._env = {k: v for k, v in env.items()
                     if not k.startswith("_") and isinstance(v, torch.Tensor | nn.Module)}
        self._json[2] = self._payload(2)

    def _payload(self, api: int) -> bytes:
        session = self.session
        target = session.last_backward if session.last_backward is not None \
            else self.capture.last_assigned(self._env)
        job = TraceJob(self.source, api=api, max_bytes=self.max_bytes)
        return payload(session, self._env, target, job, self.stdout, [])

    # --- what it gives -----------------------------------------------------------------

    def to_json(self, api: int = 2) -> str:
        """The trace as `POST /api/v{api}/trace` answers it (docs/api.md)."""
        return self.json_bytes(api).decode()

    def json_bytes(self, api: int = 2) -> bytes:
        if api not in (1, 2):
            raise ValueError("api is 1 or 2")
        if api not in self._json:
            self._json[api] = self._payload(api)
        return self._json[api]

    def html(self, title: str = "chainrule") -> str:
        """The player with this trace, as one self-contained HTML document."""
        from chainrule.standalone import player_html

        return player_html(self.json_bytes(2), source=self.source, title=title)

    def save(self, path: str | Path, title: str = "chainrule") -> Path:
        """Write the player to `path`: one file that opens offline, with no server."""
        target = Path(path)
        target.write_text(self.html(title), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        from chainrule.inprocess.inline import inline_html

        return inline_html(self.html())

    def __repr__(self) -> str:
        nodes = len(self.nodes())
        return f"<chainrule.Recording: {nodes} nodes; display it in a notebook or .save() it>"

    def nodes(self) -> list[dict[str, Any]]:
        import json

        return list(json.loads(self._json[2])["nodes"]) if 2 in self._json else []


def record(max_bytes: int = MAX_RESPONSE_BYTES) -> Recording:
    """Record the torch calls of the block it guards, in the caller's file (its notebook
    cell or script), with their places in it."""
    frame = sys._getframe(1)
    return Recording(frame.f_code.co_filename, frame, max_bytes)


def record_file(path: str | Path, max_bytes: int = MAX_RESPONSE_BYTES) -> Recording:
    """Run a Python file of the user's, as `python path` would (as `__main__`), and
    record it; its spans refer to that file (`python -m chainrule open`)."""
    name = str(path)
    rec = Recording(name, None, max_bytes)
    with rec:
        env = runpy.run_path(name, run_name="__main__")
    rec.finish(env)
    return rec
