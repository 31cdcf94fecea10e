"""Property tests: random programs with functions and classes print the same, and end with
the same values, under chainrule's interpreter and under CPython.

Hypothesis writes programs from a small grammar: functions with defaults, *args,
keyword-only parameters, early returns, loops, closures and lambdas; a class with
__init__, methods, __call__ and a subclass calling super(); an nn.Module subclass whose
forward mixes tensor ops with the program's own functions; then calls of all of them with
random arguments, printed. Integers stay small (every function returns its result modulo
a prime), so no limit of chainrule's is met where CPython has none.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.pipeline import trace_to_json
from tests.conftest import strict_loads

EXAMPLES = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PRIME = 10007

_numbers = st.integers(min_value=-9, max_value=9)


@st.composite
def _expression(draw: st.DrawFn, names: list[str], depth: int = 0) -> str:
    """An integer expression over `names` and small constants."""
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(names)) if names and draw(st.booleans()) \
            else str(draw(_numbers))
    op = draw(st.sampled_from(["+", "-", "*", "//", "%", "max", "min", "abs", "if"]))
    left = draw(_expression(names, depth + 1))
    right = draw(_expression(names, depth + 1))
    if op in ("//", "%"):
        return f"({left} {op} {draw(st.integers(min_value=1, max_value=7))})"
    if op in ("max", "min"):
        return f"{op}({left}, {right})"
    if op == "abs":
        return f"abs({left})"
    if op == "if":
        return f"({left} if {right} > 0 else {draw(_expression(names, depth + 1))})"
    return f"({left} {op} {right})"


@st.composite
def _function(draw: st.DrawFn, index: int, callable_names: list[str]
              ) -> tuple[str, int, int]:
    """`def f{index}(...)`: source, and how many positional arguments it needs and takes
    (-1: any number, it has *rest)."""
    required = draw(st.integers(min_value=0, max_value=2))
    defaulted = draw(st.integers(min_value=0, max_value=2))
    params = [f"a{i}" for i in range(required)]
    params += [f"b{i}={draw(_numbers)}" for i in range(defaulted)]
    names = [f"a{i}" for i in range(required)] + [f"b{i}" for i in range(defaulted)]
    star = draw(st.booleans())
    if star:
        params.append("*rest")
    params.append(f"scale={draw(_numbers)}") if star else None
    names.append("scale") if star else None
    lines = [f"def f{index}({', '.join(params)}):"]
    body_names = list(names)
    for k in range(draw(st.integers(min_value=1, max_value=3))):
        lines.append(f"    t{k} = {draw(_expression(body_names))}")
        body_names.append(f"t{k}")
    if star:
        lines.append("    t_rest = sum(rest) + len(rest)")
        body_names.append("t_rest")
    if draw(st.booleans()):
        lines.append(f"    if {draw(_expression(body_names))} > 0:")
        lines.append(f"        return {draw(_expression(body_names))} % {PRIME}")
    if draw(st.booleans()):
        lines.append(f"    for i in range({draw(st.integers(min_value=0, max_value=4))}):")
        lines.append(f"        t0 = (t0 + i * {draw(_expression(body_names))}) % {PRIME}")
    if callable_names and draw(st.booleans()):
        other = draw(st.sampled_from(callable_names))
        lines.append(f"    t0 = t0 + {other}(t0 % 5)")
    if draw(st.booleans()):  # a closure over a local, and a lambda
        lines.append("    def inner(v):")
        lines.append("        return v + t0")
        lines.append("    twice = lambda v: inner(inner(v))")
        lines.append(f"    t0 = twice({draw(_numbers)})")
    lines.append(f"    return {draw(_expression(body_names))} % {PRIME}")
    return "\n".join(lines), required, -1 if star else required + defaulted


@st.composite
def _program(draw: st.DrawFn) -> str:
    lines = ["import torch", "import torch.nn as nn", ""]
    arities: list[tuple[str, int, int]] = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        one_argument = [name for name, need, take in arities if need <= 1 and take != 0]
        source, required, most = draw(_function(index, one_argument))
        lines += [source, ""]
        arities.append((f"f{index}", required, most))
    base, extra = draw(_numbers), draw(_numbers)
    lines += [
        "class Counter:",
        "    def __init__(self, start, step=1):",
        "        self.value = start",
        "        self.step = step",
        "        self.seen = []",
        "    def tick(self, times=1):",
        "        for _ in range(times):",
        "            self.value = (self.value + self.step) % 101",
        "            self.seen.append(self.value)",
        "        return self.value",
        "    def __call__(self, v):",
        "        return self.value * v",
        "    def __len__(self):",
        "        return len(self.seen)",
        "",
        "class Doubling(Counter):",
        "    def __init__(self, start):",
        "        super().__init__(start, step=2)",
        "    def tick(self, times=1):",
        "        return super().tick(times * 2)",
        "",
        "class Net(nn.Module):",
        "    def __init__(self, k):",
        "        super().__init__()",
        "        self.k = k",
        f"        self.w = nn.Parameter(torch.tensor([{base}.0, {extra}.0]))",
        "    def forward(self, x):",
        f"        return (self.w * x).sum() * {arities[0][0]}(*[self.k] * "
        f"{arities[0][1]}) % {PRIME}",
        "",
        f"counter = Counter({draw(_numbers)})",
        f"doubling = Doubling({draw(_numbers)})",
    ]
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        name, required, most = draw(st.sampled_from(arities))
        room = 3 if most < 0 else most - required
        args = [str(draw(_numbers)) for _ in range(required + draw(st.integers(0, room)))]
        lines.append(f"print({name}({', '.join(args)}), counter.tick({draw(st.integers(0, 3))}),"
                     f" doubling.tick(), counter({draw(_numbers)}), len(doubling))")
    lines += [
        f"results = [{arities[-1][0]}(*([i] * {arities[-1][1]})) for i in range(3)]",
        "table = {name: value for name, value in zip(['a', 'b', 'c'], results)}",
        "print(results, table, sorted(table, key=lambda k: table[k]))",
        f"model = Net({draw(st.integers(min_value=-3, max_value=3))})",
        "out = model(torch.tensor([1.0, 2.0]))",
        "out.backward()",
        "print(out, model.w.grad)",
    ]
    return "\n".join(lines) + "\n"


def _cpython(source: str) -> tuple[str, dict[str, Any]]:
    torch.manual_seed(0)
    names: dict[str, Any] = {"__name__": "program"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<program>", "exec"), names)  # noqa: S102 - generated in a test
    return out.getvalue(), names


def _plain_values(names: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in names.items()
            if isinstance(v, int | float | str | list | dict) and not k.startswith("__")}


@EXAMPLES
@given(_program())
def test_random_programs_with_functions_and_classes_match_cpython(source: str) -> None:
    expected, real = _cpython(source)
    torch.manual_seed(0)
    interpreter = Interpreter(PlainTracer())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter.run(parse_source(source))
    assert interpreter.stdout == expected, source
    assert _plain_values(interpreter.env) == _plain_values(real), source
    traced = strict_loads(trace_to_json(source))
    assert traced["stdout"] == expected, source
    assert traced["variables"]["model.w"]["grad"]["data"] == real["model"].w.grad.tolist()
