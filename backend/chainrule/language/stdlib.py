"""The standard-library imports tutorials write: `math`, `random`, `time`, and stand-ins
for `os` and `matplotlib.pyplot`, as tables like torch's.

`random` is seeded per program from the documented state (settings.PROGRAM_SEED), as
torch is: its generator belongs to one program run. `os` has nothing in it: a program
that only imports it runs; one that uses it for files is told why not. Plotting calls do
nothing and say so in the response's notes.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Any

from chainrule.errors import LimitError, ProgramTypeError
from chainrule.language.values import Function, Namespace
from chainrule.settings import MAX_INT_MAGNITUDE, MAX_LIST_ELEMENTS

MAX_FACTORIAL = 1000  # math.factorial, comb and perm: arguments up to this


def _plain(name: str, fn: Callable[..., Any]) -> Function:
    return Function(name, fn, torch_op=False, shown_as=fn)


def _small(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """An integer function whose cost grows with its arguments, bounded."""

    def bounded(*args: Any) -> Any:
        if any(isinstance(a, int) and abs(a) > MAX_FACTORIAL for a in args):
            raise LimitError(f"math.{name}() takes arguments up to {MAX_FACTORIAL}")
        return fn(*args)
    return bounded


def _math_pow(x: Any, y: Any) -> float:
    return math.pow(x, y)


_MATH_FUNCTIONS = (
    "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin",
    "acos", "atan", "atan2", "sinh", "cosh", "tanh", "floor", "ceil", "trunc", "fabs",
    "isclose", "isnan", "isinf", "isfinite", "hypot", "degrees", "radians", "copysign",
    "erf", "erfc", "gamma", "lgamma", "fsum", "prod", "gcd", "isqrt", "fmod", "modf",
    "frexp", "ldexp", "dist",
)
MATH = Namespace("math", {
    **{name: _plain(f"math.{name}", getattr(math, name)) for name in _MATH_FUNCTIONS},
    "pow": _plain("math.pow", _math_pow),
    "factorial": _plain("math.factorial", _small("factorial", math.factorial)),
    "comb": _plain("math.comb", _small("comb", math.comb)),
    "perm": _plain("math.perm", _small("perm", math.perm)),
    "pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf, "nan": math.nan,
})

_RANDOM_NAMES = ("seed", "random", "uniform", "randint", "randrange", "choice", "choices",
                 "shuffle", "sample", "gauss", "normalvariate", "expovariate", "getrandbits")


def random_namespace(generator: random.Random) -> Namespace:
    """`random` for one program: its functions draw from `generator`."""

    def seed(a: Any = None) -> None:
        if not isinstance(a, int | float | str | type(None)):
            raise ProgramTypeError("random.seed() takes a number or a string")
        generator.seed(a)

    def sample(population: Any, k: int) -> list[Any]:
        return generator.sample(list(population), k)

    def choices(population: Any, weights: Any = None, k: int = 1) -> list[Any]:
        if k > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return generator.choices(list(population), weights=weights, k=k)

    def getrandbits(k: int) -> int:
        if k > 48:
            raise LimitError(f"integer results are limited to {MAX_INT_MAGNITUDE:.0e}")
        return generator.getrandbits(k)

    own: dict[str, Callable[..., Any]] = {"seed": seed, "sample": sample, "choices": choices,
                                          "getrandbits": getrandbits}
    return Namespace("random", {
        name: Function(f"random.{name}", own.get(name) or getattr(generator, name),
                       torch_op=False, shown_as=getattr(random, name))
        for name in _RANDOM_NAMES})


# The checker needs the names only; each program gets its own generator.
RANDOM = random_namespace(random.Random(0))

TIME = Namespace("time", {
    name: _plain(f"time.{name}", getattr(time, name))
    for name in ("time", "perf_counter", "monotonic", "process_time")
}, hint="programs run at once, without waiting")

OS = Namespace("os", {}, hint="chainrule programs have no files, environment or network")

_PLOTS = ("plot", "show", "figure", "xlabel", "ylabel", "title", "legend", "subplot",
          "scatter", "hist", "grid", "xlim", "ylim", "axis", "tight_layout", "imshow", "bar",
          "semilogy", "semilogx", "loglog", "yscale", "xscale", "axhline", "axvline", "text",
          "close", "clf", "colorbar", "xticks", "yticks", "suptitle", "fill_between",
          "errorbar", "contour", "contourf", "pause", "ion", "ioff")


def pyplot_namespace(note: Callable[[str], None]) -> Namespace:
    """`matplotlib.pyplot` for one program: every call does nothing and says so once."""

    def stand_in(name: str) -> Callable[..., None]:
        def call(*_args: Any, **_kwargs: Any) -> None:
            note(f"plt.{name}() draws nothing here: chainrule shows the autograd graph "
                 "instead")
        return call

    return Namespace("matplotlib.pyplot", {
        name: Function(f"matplotlib.pyplot.{name}", stand_in(name), torch_op=False)
        for name in _PLOTS}, hint="plots are not drawn or saved; the graph is shown instead")


PYPLOT = pyplot_namespace(lambda _text: None)
MATPLOTLIB = Namespace("matplotlib", {"pyplot": PYPLOT})

# Imports refused with a hint at what to write instead.
REFUSED_IMPORTS: dict[str, str] = {
    "numpy": "chainrule keeps tensors as tensors: use torch functions (torch.tensor, "
             "torch.linspace, torch.sin, ...) instead of numpy",
    "sys": "chainrule programs cannot reach the interpreter or the process",
    "subprocess": "chainrule programs cannot start processes",
    "threading": "chainrule programs run on one thread",
    "pickle": "chainrule programs have no files",
    "pathlib": "chainrule programs have no files",
    "shutil": "chainrule programs have no files",
    "socket": "chainrule programs have no network",
    "requests": "chainrule programs have no network",
    "urllib": "chainrule programs have no network",
    "importlib": "chainrule programs import only what the language allows",
    "builtins": "the builtins a program may call are already there",
    "ctypes": "chainrule programs cannot load native code",
    "pandas": "chainrule keeps data as tensors: build them with torch.tensor",
    "torchvision": "chainrule runs without datasets or downloads: make tensors with "
                   "torch.randn or torch.tensor instead",
}
