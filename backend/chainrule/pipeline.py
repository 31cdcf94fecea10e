"""The one place the parts meet: a TraceJob in, JSON bytes out (parse, check and run the
program, trace it, serialise the graph).

    TraceJob -> language (parse, check, interpret) -> trace (record, backward, graph,
    steps, gradient check) -> serialize -> bytes

The work runs on a thread with a large stack: torch frees a deep autograd graph
recursively in C++, and a chain of tens of thousands of ops overflows a normal stack.
Nothing holding tensors survives the thread, so the graph is freed there too.
"""

from __future__ import annotations

import gc
import keyword
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from chainrule.errors import (
    ChainruleError,
    LimitError,
    NotAllowedError,
    OutputError,
    ProgramTypeError,
)
from chainrule.language.interpreter import Interpreter
from chainrule.language.parse import parse_source
from chainrule.serialize import trace_payload, training_json
from chainrule.settings import (
    FULL_COLLECTION_NODES,
    MAX_RESPONSE_BYTES,
    PROGRAM_SEED,
    TRACE_THREAD_STACK_BYTES,
)
from chainrule.trace.gradcheck import check_gradients
from chainrule.trace.graph import TraceGraph, build_graph
from chainrule.trace.names import Names
from chainrule.trace.shown import name_nodes
from chainrule.trace.steps import build_steps
from chainrule.trace.tracer import TraceSession

_stack_lock = threading.Lock()
# Room in an error's body for its code, message (up to a few kB of torch's text) and place.
_ERROR_FIELDS_BYTES = 16_384

WARM_UP_PROGRAM = (
    "import torch\nw = torch.tensor(1.0, requires_grad=True)\nloss = (w * 2 - 1) ** 2\n"
    "loss.backward()\nprint(w.grad)\n"
)


@dataclass(frozen=True)
class TraceJob:
    """One program to trace, as it travels from the route to a worker and back.

    `variables`: inputs pre-bound by name, `{name: {"value": ..., "requires_grad": ...}}`;
    `output`: the name of the tensor whose graph to show (None: the default rule);
    `check`: also compare every leaf's gradient with finite differences;
    `api`: the response's form (1: tensors inline; 2: a table of distinct tensors);
    `max_bytes`: the largest response (a LimitError past it); `compress`: the client takes
    gzip, and the worker compresses the body; `call`: the call of backward() whose graph
    to show (0-based; None: the last).
    """

    source: str
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    output: str | None = None
    check: bool = False
    api: int = 1
    max_bytes: int = MAX_RESPONSE_BYTES
    compress: bool = False
    call: int | None = None  # which call of backward() to show (0-based); None: the last


def warm_up() -> None:
    """Pay the first trace's one-off costs now, then freeze what start-up made.

    The first trace initialises torch's dispatch machinery (about 2 s). gc.freeze() moves
    every object alive after start-up (torch's own are many) out of the collector's reach,
    so the full collection after each trace costs microseconds instead of ~100 ms.
    """
    trace_to_json(WARM_UP_PROGRAM)
    gc.freeze()


def trace_to_json(source: str, variables: dict[str, dict[str, Any]] | None = None,
                  output: str | None = None, check: bool = False, api: int = 1) -> bytes:
    """`run(TraceJob(...))`, for callers that have the fields at hand (tests, benchmarks)."""
    return run(TraceJob(source, variables or {}, output, check, api))


def run(job: TraceJob, light: bool = True) -> bytes:
    """The /trace response body of `job`, or raise a ChainruleError.

    `light`: a loop's calls that cannot be the last are only logged (trace/tracer.py).
    When the graph shown would then lack anything, the program runs a second time with
    every call captured, on a fresh thread (grad mode and the like are per thread) after
    the first run's objects are freed; the response is the same either way."""
    body = _run(job, light)
    if body is None:
        body = _run(job, False)
    if body is None:  # never: a run that logs no call lightly has nothing to lack
        raise RuntimeError("the program's second run asked for a third")
    return body


def on_large_stack(target: Callable[[], object], name: str) -> None:
    """Run `target` on a thread of its own with TRACE_THREAD_STACK_BYTES of stack, and wait
    for it: a program runs there, and a deep graph of torch's, freed recursively, fits."""
    with _stack_lock:  # the stack size is the process's: one thread made at a time
        previous = threading.stack_size(TRACE_THREAD_STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name=name)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()


def _run(job: TraceJob, light: bool) -> bytes | None:
    """One run of the program on a thread of its own: its body, or None to run again."""
    result: list[bytes | None] = []
    failure: list[BaseException] = []

    recorded = [0]  # graph nodes the program built, set by _trace
    threads = torch.get_num_threads()

    def work() -> None:
        # OpenMP's thread count belongs to each thread: a new one starts at one per core,
        # and its first parallel op in backward then starts a team (~13 ms a request).
        torch.set_num_threads(threads)
        # The collector stays off while the program runs: tracing allocates many small
        # objects that all live to the end, so its passes would find nothing to free
        # (about a tenth of a long trace). One pass frees the program's cycles after.
        enabled = gc.isenabled()
        gc.disable()
        try:
            with warnings.catch_warnings():
                # torch's warnings go to stderr in Python, never into the program's output.
                warnings.simplefilter("ignore")
                result.append(_trace(job, recorded, light))
        except ChainruleError as exc:
            # A fresh copy: the original's traceback and context hold the program's frames.
            if "can't allocate memory" in exc.message:  # torch's allocator met the limit
                failure.append(LimitError("the program needed more memory than it may use",
                                          exc.line, exc.col))
            else:
                failure.append(exc.copy())
        except MemoryError:  # past the worker's memory: in the program, or writing its graph
            failure.append(LimitError("the program's graph needed more memory than it may "
                                      "use"))
        except BaseException as exc:  # a bug: report it without keeping its frames
            failure.append(RuntimeError(f"{type(exc).__name__}: {exc}"))
        finally:
            if enabled:
                gc.enable()
            # The program's objects hold each other in cycles (the interpreter and its
            # handlers, the recorder and its mode), so its graph is freed by the collector:
            # here, on the large stack. A full collection costs tens of ms, so it is kept
            # for failures (whose tracebacks hold the program's frames) and deep graphs;
            # a small graph that escapes to an old generation is shallow wherever it is freed.
            if failure or None in result or recorded[0] > FULL_COLLECTION_NODES:
                gc.collect()
            else:
                gc.collect(1)

    on_large_stack(work, "chainrule-trace")
    if failure:
        raise failure[0]
    return result[0]


def _a(noun: str) -> str:
    """'a float', 'an int'."""
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _bind(variables: dict[str, dict[str, Any]]) -> dict[str, torch.Tensor]:
    env: dict[str, torch.Tensor] = {}
    for name, spec in variables.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise NotAllowedError(f"'{name}' is not a valid variable name")
        value = spec["value"]
        is_bool = _all_bool(value)
        try:
            env[name] = torch.tensor(
                value, dtype=torch.bool if is_bool else torch.float32,
                requires_grad=bool(spec.get("requires_grad", False)),
            )
        except (TypeError, ValueError, RuntimeError, OverflowError) as exc:
            raise ProgramTypeError(f"variable '{name}': {exc}") from None
    return env


def _all_bool(value: Any) -> bool:
    """Whether a number or nested list holds only booleans (then it is a bool tensor)."""
    stack, seen = [value], False
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool):
            seen = True
        else:
            return False
    return seen


def _partial(session: TraceSession, interpreter: Interpreter, job: TraceJob) -> bytes | None:
    """The graph of the tensor an op autograd recorded made that was assigned last before
    an error, with forward values only (no backward phase), as a TraceOut's JSON in the
    job's API form; None when there is none or the graph could not be built (a limit
    passed, the response's size among them)."""
    target = interpreter.last_graph
    if target is None:
        return None
    try:
        names = Names.from_env(interpreter.env)
        graph = build_graph(target, session.recorder, [], names)
        # The error's body holds the partial graph, the output (again) and the error's own
        # fields: the graph gets what the limit leaves them.
        room = job.max_bytes - len(interpreter.stdout.encode()) - _ERROR_FIELDS_BYTES
        return trace_payload(graph, build_steps(graph), names.modules, names.bound, None,
                             interpreter.stdout, interpreter.out.notes, job.api, room)
    except (ChainruleError, RuntimeError, MemoryError):
        return None


def _trace(job: TraceJob, recorded: list[int] | None = None,
           light: bool = True) -> bytes | None:
    """The program run once: its body, or None when it logged calls lightly and the graph
    shown (or, after an error, the partial one) would lack what they skipped."""
    output = job.output
    parsed = parse_source(job.source)
    # One documented random state for every program, whatever ran in this worker before.
    torch.default_generator.manual_seed(PROGRAM_SEED)  # the CPU's (torch.manual_seed also
    # queues a CUDA seeding, with a stack trace, for a CUDA that never comes)
    session = TraceSession(keep_call=job.call)
    interpreter = Interpreter(session, _bind(job.variables))
    if light:  # calls of a loop that will run again are only logged (tracer.py)
        session.loops = interpreter.loops
    try:
        with session.recorder.running():
            value = interpreter.run(parsed)
    except ChainruleError as exc:
        if session.recorder.skipped:  # the partial graph would lack the records of the
            # iterations that ran unrecorded: the same error again, every op recorded
            return None
        # What ran before the error: its output and its graph (forward values only).
        exc.stdout = interpreter.stdout or None
        exc.partial = _partial(session, interpreter, job)
        raise
    finally:
        if recorded is not None:
            recorded[0] = session.recorder.records
    env = interpreter.env
    if job.call is not None:
        target = session.tensor_of_call(job.call)
        if target is None:
            raise OutputError(f"the program called backward {session.training.calls} "
                              f"time{'' if session.training.calls == 1 else 's'}: there is "
                              f"no call {job.call} (calls count from 0)")
    elif output is not None:
        target = env.get(output)
        if not isinstance(target, torch.Tensor):
            raise OutputError(f"there is no tensor named '{output}'")
    elif parsed.expression is not None:
        if not isinstance(value, torch.Tensor):
            raise OutputError(f"the expression gives {_a(type(value).__name__)}, not a tensor")
        target = value
        if target.grad_fn is not None and target.numel() == 1:
            line, col = parsed.expression.lineno, parsed.expression.col_offset
            session.backward(target, {}, (line, col, line, col))
        elif target.grad_fn is not None:
            interpreter.out.note(f"the result has {target.numel()} elements: add .sum() to "
                                 "differentiate it")
    elif session.last_backward is not None:
        target = session.last_backward
    elif interpreter.last_tensor is not None:
        target = interpreter.last_tensor
    else:
        target = None  # plain Python only: its output, and an empty graph
    if session.lost(target):  # a loop ended early, or the graph shown holds what a call
        # only logged ran through or an unrecorded op made: run again, every call captured
        # (the program's random state is seeded, so it computes the same numbers)
        return None
    return payload(session, env, target, job, interpreter.stdout, interpreter.out.notes)


def payload(session: TraceSession, env: dict[str, Any], target: torch.Tensor | None,
            job: TraceJob, stdout: str, notes: list[str]) -> bytes:
    """The response body for a program that ran under `session`: the graph of `target`
    with its backward phases, the names of `env`, in the job's API form."""
    return payloads(session, env, target, job, stdout, notes, (job.api,))[job.api]


def payloads(session: TraceSession, env: dict[str, Any], target: torch.Tensor | None,
             job: TraceJob, stdout: str, notes: list[str],
             apis: tuple[int, ...]) -> dict[int, bytes]:
    """`payload` in each API form of `apis`, the graph, steps and training records made
    once for them all. Shared by the server's interpreter and in-process recording
    (chainrule.inprocess), which keeps both forms."""
    names = Names.from_env(env)
    if target is None:
        graph, phases = TraceGraph(), []
    else:
        phases = session.phases_through(target.grad_fn) if target.grad_fn is not None else []
        if job.call is not None:  # that call's phase, and those before it on its graph
            phases = [p for p in phases if p.call_index <= job.call]
        graph = build_graph(target, session.recorder, phases, names)
    session.training.finish()
    training = training_json(session.training, names, phases[-1].call_index
                             if phases else None)
    gradient_check = check_gradients(graph, phases[-1] if phases else None) \
        if job.check else None
    steps = build_steps(graph)
    name_nodes(graph, [s.node for s in steps.forward], job.source, names.bound)
    try:
        return {api: trace_payload(graph, steps, names.modules, names.bound, gradient_check,
                                   stdout, notes, api, job.max_bytes, training)
                for api in apis}
    except LimitError as exc:  # the response's size: what the program printed still shows
        exc.stdout = stdout or None
        raise
