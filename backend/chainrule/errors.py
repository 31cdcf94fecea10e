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
    └── InternalError               internal_error: a bug, reported without details

The core raises these; `api/errors.py` maps them to HTTP in one place.
"""

from __future__ import annotations


class ChainruleError(Exception):
    """Base of every error shown to a user; `line` is 1-based and `col` 0-based."""

    code = "error"

    def __init__(self, message: str, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col

    def at(self, line: int | None, col: int | None) -> ChainruleError:
        """Fill in the place when the raiser did not know it."""
        if self.line is None:
            self.line, self.col = line, col
        return self

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "line": self.line, "col": self.col}


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


def error_from(code: str, message: str, line: int | None = None,
               col: int | None = None) -> ChainruleError:
    """Rebuild an error sent as plain values (from a worker process) as its own class."""
    classes = {cls.code: cls for cls in _subclasses(ChainruleError)}
    return classes.get(code, InternalError)(message, line, col)


def _subclasses(cls: type[ChainruleError]) -> list[type[ChainruleError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
