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
from chainrule.pipeline import TraceJob, payloads
from chainrule.settings import MAX_RESPONSE_BYTES
from chainrule.trace.recorder import produced_of
from chainrule.trace.tracer import TraceSession

API_FORMS = (2, 1)  # a recording keeps its JSON in both forms of the API


class _Tee(io.TextIOBase):
    """Writes to the stream it replaces and keeps a copy: the user still sees their
    prints, and the recording has them as the program's output. Everything else (its
    encoding, fileno, isatty) is the stream's own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


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
        self.session = TraceSession(limits=False)  # the user's own tensors: no sandbox
        self.error: BaseException | None = None  # what making the JSON raised, if anything
        self.capture = Capture(self.session, filename,
                               None if frame is None else frame.f_code)
        self.stdout = ""
        self.source = ""
        self._json: dict[int, bytes] = {}
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
            frame, self._frame = self._frame, None  # the caller's frame is not kept
            self._conclude(self._used(environment(frame)), quiet=kind is not None)

    def finish(self, env: dict[str, Any]) -> None:
        """End a recording whose names come from `env` (a script's globals: every name but
        Python's own dunders, `_` included, as the server's interpreter binds them)."""
        self._conclude({k: v for k, v in env.items()
                        if not k.startswith("__") and isinstance(v, torch.Tensor | nn.Module)})

    def _used(self, env: dict[str, Any]) -> dict[str, Any]:
        """The names of `env` the block used: tensors it read or made, modules it ran. A
        notebook's globals hold much else (datasets, other models) that is no part of it."""
        recorder = self.session.recorder
        seen = self.capture.seen
        kept: dict[str, Any] = {}
        for name, value in env.items():
            if isinstance(value, nn.Module):
                if any(id(m) in self.capture.modules for m in value.modules()):
                    kept[name] = value
            elif id(value) in seen or id(value) in recorder.made or recorder.has_read(value) \
                    or (value.grad_fn is not None and produced_of(value.grad_fn) is not None):
                kept[name] = value
        return kept

    def _conclude(self, env: dict[str, Any], quiet: bool = False) -> None:
        """Make both forms of the JSON now, then let go of everything the block made: the
        recording holds its JSON, not the user's tensors. With `quiet` (the block raised),
        a failure here is kept for to_json() to raise, never put in place of the block's."""
        try:
            self._json = self._payloads(env)
        except Exception as exc:
            if not quiet:
                raise
            self.error = exc
        finally:
            self.session = TraceSession(limits=False)  # the old one held the graphs
            self.capture.session = self.session
            self.capture.results.clear()

    def _payloads(self, env: dict[str, Any]) -> dict[int, bytes]:
        session = self.session
        target = session.last_backward if session.last_backward is not None \
            else self.capture.last_assigned(env)
        job = TraceJob(self.source, max_bytes=self.max_bytes)
        return payloads(session, env, target, job, self.stdout, [], API_FORMS)

    # --- what it gives -----------------------------------------------------------------

    def to_json(self, api: int = 2) -> str:
        """The trace as `POST /api/v{api}/trace` answers it (docs/api.md)."""
        return self.json_bytes(api).decode()

    def json_bytes(self, api: int = 2) -> bytes:
        if api not in (1, 2):
            raise ValueError("api is 1 or 2")
        if api not in self._json:
            raise RuntimeError("the recording has no trace: the block raised before it "
                               "ended, and making its graph failed too") from self.error
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
    argv, search = sys.argv, sys.path[:]
    sys.argv = [name]  # as `python path` sets them: the script's own argv and folder
    sys.path.insert(0, str(Path(name).resolve().parent))
    try:
        with rec:
            env = runpy.run_path(name, run_name="__main__")
    finally:
        sys.argv, sys.path[:] = argv, search
    rec.finish(env)
    return rec
