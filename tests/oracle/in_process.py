"""Plain CPython + torch in this process, as the oracle for the programs the tests wrote
(the corpus, the tutorials, the docs' examples; never user text), and chainrule's two
runs of the same text to hold against it.

Every run starts from the random state chainrule documents for every program
(torch.manual_seed(0) and random.seed(0)). Programs that plot import matplotlib, which the
test venv does not install: the plain run gets a stand-in `matplotlib.pyplot` whose
functions do nothing, return None and print nothing, as chainrule's own stand-in does.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.pipeline import trace_to_json
from chainrule.settings import PROGRAM_SEED
from tests.conftest import as_tensor, strict_loads

# What the stand-in pyplot offers; savefig is left out on purpose (it would write a file).
PLOT_FUNCTIONS = ("plot", "show", "xlabel", "ylabel", "title", "legend", "figure", "subplot",
                  "scatter", "hist", "grid")
_PLAIN = (int, float, bool, str, type(None))


def _seed() -> None:
    torch.manual_seed(PROGRAM_SEED)
    random.seed(PROGRAM_SEED)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """torch's UserWarnings go to stderr in CPython; no run compares stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Every stand-in plotting function: draws nothing, prints nothing."""


@contextlib.contextmanager
def _plotting_stand_in() -> Iterator[None]:
    """`matplotlib` and `matplotlib.pyplot` in sys.modules for the duration of one run."""
    pyplot = types.ModuleType("matplotlib.pyplot")
    for name in PLOT_FUNCTIONS:
        setattr(pyplot, name, _nothing)
    package = types.ModuleType("matplotlib")
    package.pyplot = pyplot  # type: ignore[attr-defined]
    saved = {name: sys.modules.get(name) for name in ("matplotlib", "matplotlib.pyplot")}
    sys.modules.update({"matplotlib": package, "matplotlib.pyplot": pyplot})
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


# --- the three runs of one program ----------------------------------------------------------

def run_python(source: str, filename: str = "<program>") -> tuple[dict[str, Any], str]:
    """The oracle: CPython runs the text with real torch; the names it bound, what it printed."""
    names: dict[str, Any] = {}
    out = io.StringIO()
    _seed()
    with _plotting_stand_in(), quiet(), contextlib.redirect_stdout(out):
        exec(compile(source, filename, "exec"), names)  # noqa: S102 - the tests' own text
    return names, out.getvalue()


def run_interpreter(source: str) -> tuple[dict[str, Any], str]:
    """chainrule's interpreter alone (no tracer): the names it bound, what it printed."""
    _seed()
    interpreter = Interpreter(PlainTracer())
    with quiet():
        interpreter.run(parse_source(source))
    return interpreter.env, interpreter.stdout


def run_traced(source: str) -> dict[str, Any]:
    """The full path a program takes on the server: the /trace response body."""
    _seed()
    with quiet():
        return strict_loads(trace_to_json(source))  # type: ignore[no-any-return]


# --- what is compared -----------------------------------------------------------------------

def tensors(names: dict[str, Any]) -> dict[str, torch.Tensor]:
    return {k: v for k, v in names.items() if isinstance(v, torch.Tensor)}


def modules(names: dict[str, Any]) -> dict[str, nn.Module]:
    return {k: v for k, v in names.items() if isinstance(v, nn.Module)}


def plain_values(names: dict[str, Any]) -> dict[str, Any]:
    """Plain numbers, strings, booleans and None bound to a name."""
    return {k: v for k, v in names.items() if isinstance(v, _PLAIN) and not k.startswith("__")}


def grad(t: torch.Tensor) -> torch.Tensor | None:
    # Reading .grad of a non-leaf that does not retain it only warns and gives None.
    return t.grad if t.is_leaf or t.retains_grad else None


def assert_same(ours: torch.Tensor | None, real: torch.Tensor | None, what: str) -> None:
    """Both absent, or the same dtype, shape and bits (NaN where NaN)."""
    if real is None or ours is None:
        assert ours is None and real is None, what
        return
    torch.testing.assert_close(ours.detach(), real.detach(), rtol=0, atol=0, equal_nan=True,
                               msg=lambda m: f"{what}: {m}")


def assert_same_tensors_and_modules(ours: dict[str, Any], real: dict[str, Any]) -> None:
    """Every tensor bound to a name (value, requires_grad, .grad) and every module's
    parameters (and their .grad) are the same in both runs."""
    real_tensors, our_tensors = tensors(real), tensors(ours)
    assert sorted(our_tensors) == sorted(real_tensors)
    for name, t in real_tensors.items():
        mine = our_tensors[name]
        assert_same(mine, t, name)
        assert mine.requires_grad == t.requires_grad, name
        assert_same(grad(mine), grad(t), f"{name}.grad")

    real_modules, our_modules = modules(real), modules(ours)
    assert sorted(our_modules) == sorted(real_modules)
    for name, module in real_modules.items():
        our_parameters = dict(our_modules[name].named_parameters())
        assert sorted(our_parameters) == sorted(dict(module.named_parameters()))
        for pname, p in module.named_parameters():
            assert_same(our_parameters[pname], p, f"{name}.{pname}")
            assert_same(our_parameters[pname].grad, p.grad, f"{name}.{pname}.grad")


def assert_shown(shown: dict[str, Any] | None, expected: torch.Tensor | None, what: str) -> None:
    """A tensor as /trace shows it: listed, every bit the same; past MAX_LISTED_ELEMENTS
    (the two-layer net's 64x1000 batch) only summarised: shape, dtype, min and max."""
    if shown is None or expected is None or shown["data"] is not None:
        assert_same(None if shown is None else as_tensor(shown), expected, what)
        return
    assert shown["shape"] == list(expected.shape), what
    assert shown["dtype"] == str(expected.dtype).removeprefix("torch."), what
    for stat, value in (("min", expected.min()), ("max", expected.max())):
        # the summary holds float32 statistics in their shortest decimal form
        assert torch.tensor(float(shown["summary"][stat]), dtype=expected.dtype) == value, \
            f"{what}: {stat}"


def assert_variables_shown(variables: dict[str, Any], real: dict[str, Any]) -> None:
    """/trace's `variables` are the oracle's tensors and module parameters: every tensor
    bound to a name is listed, each with its value, .grad and requires_grad."""
    assert set(tensors(real)) <= set(variables)
    for key, shown in variables.items():
        root, _, path = key.partition(".")  # a module parameter: model.0.weight
        expected = dict(real[root].named_parameters())[path] if path else real[root]
        assert_shown(shown["value"], expected, key)
        assert_shown(shown["grad"], grad(expected), f"{key}.grad")
        assert shown["requires_grad"] == expected.requires_grad, key
