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
# Evaluated syntax nodes over the whole program: room for tutorials' training loops of
# thousands of steps; the wall clock (and, in a worker, memory) bound the rest.
MAX_STEPS = 5_000_000
MAX_CALL_DEPTH = 200  # calls of the program's own functions inside each other (recursion)
MAX_TENSOR_ELEMENTS = 4_000_000  # elements of any one tensor an op may produce
MAX_LIST_ELEMENTS = 100_000  # numbers in a literal list
MAX_STDOUT_CHARS = 100_000  # printed output
MAX_VARIABLES = 64  # pre-bound variables in a request
MAX_INT_MAGNITUDE = 10**15  # integer literals and arithmetic results on plain ints
MAX_FORMAT_WIDTH = 200  # widths and precisions in an f-string format spec
MAX_FORMAT_SPEC_CHARS = 20  # characters in one f-string format spec
MAX_NUMBER_TEXT = 100  # characters of a string passed to int() or float()
MAX_ROUND_DIGITS = 400  # round(x, n): |n| (a huge n costs CPU for nothing)
# Modules inside each other (nn.Sequential(nn.Sequential(...))): each level of a model's
# text re-indents all below it, and each module's name holds its parents'.
MAX_MODULE_DEPTH = 100
# Modules in one model, a shared module counted at each place it is used: torch walks a
# model's tree without noticing sharing (print, train(), apply(), the forward of
# nn.Sequential(a, a) nested n times runs a 2**n times).
MAX_MODULES = 10_000
# Every program starts from this random state, set afresh before it runs: the same program
# draws the same numbers every time, as plain Python does after torch.manual_seed(0).
PROGRAM_SEED = 0
# Every worker's PYTHONHASHSEED: a set of strings iterates (and prints) in one order on every
# worker, replica and restart, the order plain Python gives with this seed, so a class's
# pages, traced on different replicas, show one graph.
PROGRAM_HASH_SEED = "0"

# --- graph and serialisation limits ----------------------------------------------------
MAX_GRAPH_NODES = 60_000  # nodes in one traced graph
MAX_UNTRACKED_ELEMENTS = 4_000_000  # values kept of ops that ran without a grad_fn
# Backward calls kept while a program runs: every one through the newest call's graph
# (gradients accumulating), up to MAX_KEPT_PHASES, and the latest MAX_OTHER_PHASES
# others. Each kept call holds its graph; a training loop's older graphs are freed.
MAX_KEPT_PHASES = 64
MAX_OTHER_PHASES = 4
MAX_LISTED_ELEMENTS = 1_024  # tensors with more elements are summarised, not listed
# The largest response body, by default (ServerSettings.max_response_bytes): past it the
# program gets 422 limit_exceeded saying what made it large. A 10,000-op chain is 8.4 MB in
# API v2's form (it fits) and 13.7 MB in v1's (it does not).
MAX_RESPONSE_BYTES = 10_000_000
# Trace responses are gzip-compressed in the worker, when the client takes gzip, at this
# level, if at least COMPRESS_MIN_BYTES. At 4 (about 4 ms per MB) a 1,000-op chain is 93
# bytes per node in v1 and 74 in v2, against 91 in v1 at the level 9 the web process used;
# levels 1-3 are a quarter faster and 15 % larger, 9 costs 6 times the CPU.
COMPRESS_LEVEL = 4
COMPRESS_MIN_BYTES = 1024
TRACE_THREAD_STACK_BYTES = 512 * 1024 * 1024  # deep graphs free recursively in torch's C++

# --- workers (sandbox/pool.py, sandbox/worker.py, pipeline.py) ---------------------------
# Seconds a request may wait for a free worker before it is refused as overloaded.
MAX_WAIT_FOR_WORKER_S = 30.0
# Trace requests held at once (running or waiting for a worker) when max_traces is -1:
# this many, or TRACES_PER_WORKER per worker when that is more. Each held trace waits on a
# thread of the web process's own, apart from the 40 of anyio's default pool that serve
# static files, so the default stays below those 40.
DEFAULT_MAX_TRACES = 32
TRACES_PER_WORKER = 2
# A worker that failed to start is tried again after this many seconds, doubling after
# every failure up to the cap, until the pool is stopped (sandbox/pool.py).
RESPAWN_FIRST_WAIT_S = 0.5
RESPAWN_MAX_WAIT_S = 30.0
# A program that has used this much CPU time drops to the lowest CPU priority, so the
# short programs of other users keep the CPU while it runs out its wall clock. Its worker
# is replaced afterwards: an unprivileged process can lower its priority but not raise it.
# CPU time, not wall time: under load a short program waits for the CPU, and demoting it
# for that would make it wait longer still.
LONG_PROGRAM_CPU_S = 0.25
# While requests wait for a worker, a program gives way sooner: every benign program of
# the examples and lessons needs far less CPU than this.
LONG_PROGRAM_CPU_WHEN_QUEUED_S = 0.1
LONG_PROGRAM_NICE = 19  # and SCHED_IDLE: it runs only on CPU nothing else wants
CHECK_EVERY_S = 0.02  # how often a running program's CPU time is read
WORKER_START_TIMEOUT_S = 120.0  # the first start waits for the fork server to import torch
THREAD_EXIT_WAIT_S = 1.0  # how long a worker waits for a finished trace thread to exit
FULL_COLLECTION_NODES = 2_000  # graphs deeper than this are freed by a full collection

# --- classroom rooms (rooms/, api/rooms.py; docs/classroom.md) ----------------------------
# A room's code: this many Crockford base32 symbols, 5 bits each (50 bits). With at most
# ROOM_MAX_ROOMS live and ROOM_MISSES_PER_MINUTE wrong codes per address, an address
# guessing for a day finds a live room with probability under 1e-7 (docs/classroom.md).
ROOM_CODE_LENGTH = 10
ROOM_MAX_ANSWERS = 2_000  # answers to one question (one per student token)
ROOM_QUEUE_EVENTS = 32  # states a listener may fall behind before its stream is ended
ROOM_HISTOGRAM_BINS = 10  # bins of a number question's histogram
ROOM_RETRY_AFTER_S = 5  # Retry-After of room_busy (too many rooms or event streams)
ROOM_QUESTION_ID_CHARS = 64
ROOM_TEXT_CHARS = 500  # a question's prompt, each option
ROOM_MAX_OPTIONS = 12  # options of a choice question
REDIS_CONNECTIONS = 64  # connections to Redis per process (one holds the subscriptions)
REDIS_WAIT_S = 5.0  # a request waits this long for a free one, then gets 503 room_busy
REDIS_SOCKET_TIMEOUT_S = 2.0  # connecting to Redis, and each of its answers, at most this
REDIS_HEALTH_CHECK_S = 10  # a connection quiet this long is pinged before its next use
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # what CHAINRULE_REDIS_URL may name

# --- server ----------------------------------------------------------------------------
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class SettingsError(ValueError):
    """Settings the server cannot start with; the message says which and what to set."""


@dataclass(frozen=True)
class Option:
    """One setting: its environment variable, its `chainrule serve` flag and its meaning."""

    field: str
    env: str
    kind: type
    help: str


STANDBY_PER_WORKER = 8  # the most standbys per worker when memory is plentiful


def _memory_mb() -> int:
    """The memory this process may use, in MiB: the machine's, or its container's limit
    (cgroup v2 memory.max) when lower; 0 when neither can be read."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        total = 0
    try:
        with open("/sys/fs/cgroup/memory.max") as limit:
            text = limit.read().strip()
        if text.isdigit():
            total = min(total, int(text)) if total else int(text)
    except OSError:
        pass
    return total // (1024 * 1024)


@dataclass(frozen=True)
class ServerSettings:
    """How the server runs: where it listens, its workers, and the limits it enforces."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = max(os.cpu_count() or 1, 1)  # worker processes running programs
    memory_mb: int = 1024  # address space a worker may add beyond its start-up size
    timeout_s: float = 5.0  # wall-clock limit per program; the worker is killed past it
    recycle_after: int = 500  # programs a worker runs before it is replaced
    # Standbys started while long programs run at low priority, in all (see standbys()).
    standby: int = -1  # -1: as many as memory allows, up to STANDBY_PER_WORKER per worker
    # Trace requests held at once, running or waiting for a worker; one more gets 503
    # overloaded at once. -1: DEFAULT_MAX_TRACES, or TRACES_PER_WORKER per worker if more.
    max_traces: int = -1
    max_body_bytes: int = 64 * 1024  # request bodies past this get 413 unread
    max_response_bytes: int = MAX_RESPONSE_BYTES  # larger responses: 422 limit_exceeded
    rate_per_minute: int = 600  # requests per client address per minute; 0 turns it off
    rate_localhost: bool = False  # whether the rate limit applies to 127.0.0.1 and ::1
    # A slow client is dropped with 408 (protocol.py): its headers must arrive within
    # header_timeout_s of its first byte, its body within body_timeout_s of its headers.
    header_timeout_s: float = 5.0
    body_timeout_s: float = 10.0
    # A client that reads none of its response for this long, while the rest waits to be
    # sent, is dropped (protocol.py): it can't hold a response in the web process.
    send_timeout_s: float = 30.0
    # Peers whose X-Forwarded-For names the client (a proxy in front: nginx in compose);
    # anyone else's is ignored, so a client can't choose its own rate-limit bucket.
    forwarded_allow_ips: str = "127.0.0.1"
    # Classroom rooms (docs/classroom.md): in this process's memory, or in Redis when
    # redis_url is set (replicas behind a load balancer share them).
    redis_url: str = ""
    room_ttl_s: float = 4 * 3600.0  # a room ends this long after the teacher's last state
    room_unused_ttl_s: float = 600.0  # ... or this long after its creation, before its first
    room_creates_per_hour: int = 10  # new rooms per client address per hour (a bucket)
    room_max_rooms: int = 1_000  # live rooms at once (in all, with Redis)
    room_max_listeners: int = 1_000  # event streams of one room open in this process
    max_listeners: int = 4_000  # event streams open in this process, all rooms together
    room_answers_per_minute: int = 60  # answers per client address per minute (a bucket)
    room_misses_per_minute: int = 30  # unknown room codes per client address per minute
    # ... and from all addresses together, per process: bounds guessing from many
    # addresses (docs/classroom.md, "Why a code can't be guessed").
    room_misses_per_minute_total: int = 6_000
    room_heartbeat_s: float = 15.0  # an event stream's keep-alive comment, when idle

    def standbys(self) -> int:
        """How many standbys may run at once: `standby` if set, else as many as three
        quarters of the memory holds at `memory_mb` each beside the workers (the web
        process and the system keep the rest), at most STANDBY_PER_WORKER per worker."""
        if self.standby >= 0:
            return self.standby
        by_memory = _memory_mb() * 3 // 4 // max(self.memory_mb, 1) - self.workers
        return max(0, min(STANDBY_PER_WORKER * self.workers, by_memory))

    def trace_slots(self) -> int:
        """How many trace requests are held at once: `max_traces` if set, else
        DEFAULT_MAX_TRACES, or TRACES_PER_WORKER per worker when that is more."""
        if self.max_traces >= 0:
            return self.max_traces
        return max(DEFAULT_MAX_TRACES, TRACES_PER_WORKER * self.workers)

    def check(self) -> None:
        """Raises SettingsError for settings the server cannot run with."""
        if self.workers < 1:
            raise SettingsError(f"CHAINRULE_WORKERS (--workers) must be at least 1, "
                                f"not {self.workers}")
        if self.max_traces < -1 or 0 <= self.max_traces < self.workers:
            raise SettingsError(
                f"CHAINRULE_MAX_TRACES (--max-traces) is {self.max_traces}: it must be at "
                f"least CHAINRULE_WORKERS ({self.workers}), so that every worker can run a "
                f"program, or -1 for the default")
        self.check_rooms()

    def check_rooms(self) -> None:
        """Raises SettingsError for room settings the server cannot run with."""
        positive = {"CHAINRULE_ROOM_TTL_S": self.room_ttl_s,
                    "CHAINRULE_ROOM_UNUSED_TTL_S": self.room_unused_ttl_s,
                    "CHAINRULE_ROOM_HEARTBEAT_S": self.room_heartbeat_s,
                    "CHAINRULE_ROOM_MAX_ROOMS": self.room_max_rooms,
                    "CHAINRULE_ROOM_MAX_LISTENERS": self.room_max_listeners,
                    "CHAINRULE_MAX_LISTENERS": self.max_listeners}
        for env, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{env} must be more than 0, not {value}")
        if self.redis_url and not self.redis_url.startswith(REDIS_SCHEMES):
            raise SettingsError("CHAINRULE_REDIS_URL must start with redis://, rediss:// or "
                                "unix:// (or be empty: rooms in this process's memory)")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServerSettings:
        """Defaults overridden by the environment variables in OPTIONS; SettingsError for
        a variable that is no longer read (RETIRED)."""
        environ = dict(os.environ if environ is None else environ)
        for env, message in RETIRED.items():
            if env in environ:
                raise SettingsError(message)
        values: dict[str, object] = {}
        for option in OPTIONS:
            if option.env in environ:
                values[option.field] = parse(option, environ[option.env])
        return cls(**values)  # type: ignore[arg-type]


def parse(option: Option, text: str) -> object:
    """A setting's value from its text form."""
    if option.kind is bool:
        return text.strip().lower() in ("1", "true", "yes", "on")
    return option.kind(text)


OPTIONS: tuple[Option, ...] = (
    Option("host", "HOST", str, "address to listen on"),
    Option("port", "PORT", int, "port to listen on"),
    Option("workers", "CHAINRULE_WORKERS", int, "worker processes (default: one per core)"),
    Option("memory_mb", "CHAINRULE_MEMORY_MB", int,
           "address space (MiB) a worker may use beyond its start-up size"),
    Option("timeout_s", "CHAINRULE_TIMEOUT_S", float, "wall-clock seconds per program"),
    Option("recycle_after", "CHAINRULE_RECYCLE_AFTER", int,
           "programs a worker runs before it is replaced"),
    Option("standby", "CHAINRULE_STANDBY", int,
           "standby workers in all, started while long programs run at low priority "
           "(default -1: as many as three quarters of the memory holds at the memory "
           "limit each, at most 8 per worker)"),
    Option("max_traces", "CHAINRULE_MAX_TRACES", int,
           "trace requests held at once, running or waiting for a worker; one more gets "
           "503 overloaded (default -1: 32, or 2 per worker past 16 workers)"),
    Option("max_body_bytes", "CHAINRULE_MAX_BODY_BYTES", int, "largest request body"),
    Option("max_response_bytes", "CHAINRULE_MAX_RESPONSE_BYTES", int,
           "largest trace response, before compression; past it the program gets 422 "
           "limit_exceeded"),
    Option("rate_per_minute", "CHAINRULE_RATE_PER_MINUTE", int,
           "requests per client address per minute (0: no limit)"),
    Option("rate_localhost", "CHAINRULE_RATE_LOCALHOST", bool,
           "apply the rate limit to requests from localhost too"),
    Option("header_timeout_s", "CHAINRULE_HEADER_TIMEOUT_S", float,
           "seconds a request's headers may take to arrive; past it: 408"),
    Option("body_timeout_s", "CHAINRULE_BODY_TIMEOUT_S", float,
           "seconds a request's body may take to arrive after its headers; past it: 408"),
    Option("send_timeout_s", "CHAINRULE_SEND_TIMEOUT_S", float,
           "seconds a client may read none of its response while the rest waits; past it "
           "the connection is dropped"),
    Option("forwarded_allow_ips", "CHAINRULE_FORWARDED_ALLOW_IPS", str,
           "comma-separated addresses of the proxies whose X-Forwarded-For is trusted"),
    Option("redis_url", "CHAINRULE_REDIS_URL", str,
           "Redis for classroom rooms shared by replicas (redis://host:6379/0); empty: "
           "rooms live in this process's memory"),
    Option("room_ttl_s", "CHAINRULE_ROOM_TTL_S", float,
           "seconds a room lives after its teacher's last state"),
    Option("room_unused_ttl_s", "CHAINRULE_ROOM_UNUSED_TTL_S", float,
           "seconds a new room lives before its teacher's first state"),
    Option("room_creates_per_hour", "CHAINRULE_ROOM_CREATES_PER_HOUR", int,
           "new rooms per client address per hour"),
    Option("room_max_rooms", "CHAINRULE_ROOM_MAX_ROOMS", int, "live rooms at once"),
    Option("room_max_listeners", "CHAINRULE_ROOM_MAX_LISTENERS", int,
           "event streams of one room open in this process"),
    Option("max_listeners", "CHAINRULE_MAX_LISTENERS", int,
           "event streams open in this process, all rooms together"),
    Option("room_answers_per_minute", "CHAINRULE_ROOM_ANSWERS_PER_MINUTE", int,
           "class answers per client address per minute"),
    Option("room_misses_per_minute", "CHAINRULE_ROOM_MISSES_PER_MINUTE", int,
           "unknown room codes per client address per minute"),
    Option("room_misses_per_minute_total", "CHAINRULE_ROOM_MISSES_PER_MINUTE_TOTAL", int,
           "unknown room codes per minute from all addresses together, per process"),
    Option("room_heartbeat_s", "CHAINRULE_ROOM_HEARTBEAT_S", float,
           "seconds between keep-alive comments of an idle event stream"),
)


# Variables that are no longer read, and what to set instead: the server refuses to start
# with one rather than silently ignore it.
RETIRED: dict[str, str] = {
    "CHAINRULE_QUEUE": "CHAINRULE_QUEUE (--queue) is no longer read: set CHAINRULE_MAX_TRACES "
                       "(--max-traces), the trace requests held at once, running or waiting "
                       "for a worker (the old queue plus the workers)",
}
