"""The errors a program can raise, each with a stable code and the place it points at.

    ChainruleError                  base: code, message, line, col
    ├── ProgramSyntaxError          syntax_error: the source does not parse
    ├── NotAllowedError             not_allowed: a construct outside the language
    ├── UnknownNameError            unknown_name: a name the program never bound
    ├── LimitError                  limit_exceeded: a named limit in settings.py was passed
    ├── ProgramTypeError            type_error: a value of the wrong kind for an operation
    ├── TorchError                  torch_error: torch itself refused (its message kept)
    ├── ArithmeticFault             arithmetic_error: plain-number arithmetic failed (1 / 0)
    ├── AssertionFailed             assertion_error: the program's own assert failed
    ├── OutputError                 bad_output: the requested output is not a tensor
    ├── ProgramTimeout              timeout: the program ran past the wall-clock limit
    ├── WorkerCrashed               worker_crashed: the worker process died mid-program
    ├── Overloaded                  overloaded: every worker busy and the queue full
    ├── InternalError               internal_error: a bug, reported without details
    └── RoomError                   a classroom room refused a request (rooms/)
        ├── RoomNotFound            room_not_found: no live room has this code
        ├── NotTheTeacher           forbidden: the teacher's secret is missing or wrong
        ├── AnswerRefused           answer_refused: no open question, answered already, ...
        └── RoomBusy                room_busy: too many rooms, or event streams, at once

The core raises these; `api/errors.py` maps them to HTTP in one place.

Besides its place, an error may carry what helps to mend the program (`extras()`, each
only when known): torch's own message when chainrule said it in other words
(`torch_message`), every unknown name the static check found (`names`), what the program
printed before it stopped (`stdout`) and the graph of what ran before it (`partial`, a
TraceOut's JSON bytes, forward values only).
"""

from __future__ import annotations

from collections.abc import Sequence


class ChainruleError(Exception):
    """Base of every error shown to a user; `line` is 1-based and `col` 0-based."""

    code = "error"

    def __init__(self, message: str, line: int | None = None, col: int | None = None, *,
                 torch_message: str | None = None, names: Sequence[str] | None = None,
                 stdout: str | None = None, partial: bytes | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.torch_message = torch_message
        self.names = list(names) if names is not None else None
        self.stdout = stdout
        self.partial = partial

    def at(self, line: int | None, col: int | None) -> ChainruleError:
        """Fill in the place when the raiser did not know it."""
        if self.line is None:
            self.line, self.col = line, col
        return self

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "line": self.line, "col": self.col}

    def extras(self) -> dict[str, object]:
        """What the error carries beyond its place, only the fields that are known."""
        found = {"torch_message": self.torch_message, "names": self.names,
                 "stdout": self.stdout, "partial": self.partial}
        return {key: value for key, value in found.items() if value is not None}

    def copy(self) -> ChainruleError:
        """The same error without a traceback (which holds the program's frames)."""
        return type(self)(self.message, self.line, self.col, **self.extras())  # type: ignore[arg-type]


class ProgramSyntaxError(ChainruleError):
    code = "syntax_error"


class NotAllowedError(ChainruleError):
    code = "not_allowed"


class UnknownNameError(ChainruleError):
    code = "unknown_name"


class LimitError(ChainruleError):
    code = "limit_exceeded"


class ProgramTypeError(ChainruleError):
    code = "type_error"


class TorchError(ChainruleError):
    code = "torch_error"


class ArithmeticFault(ChainruleError):
    code = "arithmetic_error"


class AssertionFailed(ChainruleError):
    code = "assertion_error"


class OutputError(ChainruleError):
    code = "bad_output"


class ProgramTimeout(ChainruleError):
    code = "timeout"


class WorkerCrashed(ChainruleError):
    code = "worker_crashed"


class Overloaded(ChainruleError):
    code = "overloaded"


class InternalError(ChainruleError):
    code = "internal_error"


class RoomError(ChainruleError):
    """A classroom room refused a request; `api/errors.py` gives each code its status."""

    code = "room_error"


class RoomNotFound(RoomError):
    code = "room_not_found"


class NotTheTeacher(RoomError):
    code = "forbidden"


class AnswerRefused(RoomError):
    code = "answer_refused"


class RoomBusy(RoomError):
    code = "room_busy"


def error_from(code: str, message: str, line: int | None = None,
               col: int | None = None, extras: dict[str, object] | None = None
               ) -> ChainruleError:
    """Rebuild an error sent as plain values (from a worker process) as its own class."""
    classes = {cls.code: cls for cls in _subclasses(ChainruleError)}
    return classes.get(code, InternalError)(message, line, col, **(extras or {}))  # type: ignore[arg-type]


def _subclasses(cls: type[ChainruleError]) -> list[type[ChainruleError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
