"""Configuration: every limit named once, with defaults that environment variables override."""

from __future__ import annotations

import os
from dataclasses import dataclass

# --- program limits (the language refuses anything past these) ------------------------
MAX_SOURCE_CHARS = 20_000  # characters of source in one request
MAX_SOURCE_LINES = 500  # lines of source
MAX_AST_NODES = 5_000  # syntax nodes after parsing
MAX_AST_DEPTH = 60  # nesting depth of the syntax tree
MAX_NESTING_CHARS = 100  # brackets open at once, checked before the parser sees the text
MAX_LOOP_ITERATIONS = 1_000  # range() length of one for loop
MAX_STEPS = 200_000  # evaluated syntax nodes over the whole program
MAX_TENSOR_ELEMENTS = 4_000_000  # elements of any one tensor an op may produce
MAX_TOTAL_ELEMENTS = 40_000_000  # elements produced over the whole program
MAX_LIST_ELEMENTS = 100_000  # numbers in a literal list
MAX_STDOUT_CHARS = 100_000  # printed output
MAX_VARIABLES = 64  # pre-bound variables in a request
MAX_INT_MAGNITUDE = 10**15  # integer literals and arithmetic results on plain ints

# --- graph and serialisation limits ----------------------------------------------------
MAX_GRAPH_NODES = 60_000  # nodes in one traced graph
MAX_LISTED_ELEMENTS = 1_024  # tensors with more elements are summarised, not listed
TRACE_THREAD_STACK_BYTES = 512 * 1024 * 1024  # deep graphs free recursively in torch's C++

# --- server ----------------------------------------------------------------------------
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class ServerSettings:
    """Where the server listens."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT

    @classmethod
    def from_env(cls) -> ServerSettings:
        """Read HOST and PORT from the environment."""
        return cls(
            host=os.environ.get("HOST", DEFAULT_HOST),
            port=int(os.environ.get("PORT", str(DEFAULT_PORT))),
        )
