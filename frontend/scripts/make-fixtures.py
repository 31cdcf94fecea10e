"""Write every fixture of the frontend's unit tests (frontend/tests/fixtures/) from the live
backend, or say which are stale.

Each `*_trace.json` is a program below through `chainrule.pipeline.trace_to_json`: the bytes
POST /api/v2/trace answers for it, the page's form, each tensor once in a table
(tests/test_frontend_fixtures.py holds the route to that; the tests read it through
core/wire.js as the page does); `examples.json` is what GET /api/v2/examples answers. Each
is written as canonical JSON (parsed, then indented one space), so a diff shows what
changed.

Run from the repository root after a change to the API contract or the programs, and commit
the JSON. A fixture is up to date when it holds what the script would write, its numbers
allowed the float rounding another CPU's kernels give (same()):

    .venv/bin/python frontend/scripts/make-fixtures.py           # write the stale ones
    .venv/bin/python frontend/scripts/make-fixtures.py --check   # list the stale ones, exit 1
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.content.examples import EXAMPLES, SEED_SOURCE
from chainrule.pipeline import trace_to_json
from chainrule.settings import ServerSettings

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
COMMAND = ".venv/bin/python frontend/scripts/make-fixtures.py"
EXAMPLES_URL = "/api/v2/examples"
API = 2  # the API version the page calls
EXAMPLES_FIXTURE = "examples.json"



def example_source(example_id: str) -> str:
    """The source of one of the page's examples (content/examples.py), not a copy of it."""
    return next(e.source for e in EXAMPLES if e.id == example_id)


_COMPARED = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.{activation}(), nn.Linear(3, 1))
X = torch.randn(4, 2)
Y = X.sum(dim=1, keepdim=True)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""

PROGRAMS: dict[str, str] = {
    # The page's seed program, from the one place it is written.
    "seed_trace.json": SEED_SOURCE,
    # A variable read by two products and a sum: its gradient is a sum of three parts.
    "used_twice_trace.json": example_source("used-twice"),
    # Two backward() calls through one graph: w.grad accumulates 4, then 8.
    "accumulate_trace.json": """\
import torch
w = torch.tensor(2.0, requires_grad=True)
y = w * w
y.backward(retain_graph=True)
y.backward()
print(w.grad)
""",
    # A bias broadcast over the rows of a batch: its gradient sums over them.
    "broadcast_trace.json": example_source("broadcast-bias"),
    # Modules (nested), large tensors summarised, parameters named model.0.weight.
    "mlp_trace.json": example_source("sequential-mlp"),
    # The min/max builtins iterate a tensor: an unbind whose output 0 is unused.
    "max_builtin_trace.json": """\
import torch
m = torch.tensor([2.0, 5.0, -1.0], requires_grad=True)
top = max(m)
top.backward()
""",
    "max_min_rows_trace.json": """\
import torch

m = torch.tensor([2.0, 5.0, -1.0], requires_grad=True)
top = max(m)
low = min(m)
loss = top - low
loss.backward()
print(top, low, m.grad)
""",
    # Two outputs, each read by two ops: running sums must stay per output.
    "unbind_pair_trace.json": """\
import torch
v = torch.tensor([1.0, 2.0], requires_grad=True)
a, b = v.unbind()
loss = a * 3 + a * b + b * 5
loss.backward()
""",
    "split_trace.json": """\
import torch

c = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
p, q = torch.split(c * 1, [1, 2])
loss = (q * 2).sum() + (q * q).sum()
loss.backward()
print(p, q, c.grad)
""",
    # torch.max with dim: values and indices, the indices not differentiable.
    "max_dim_trace.json": """\
import torch

x = torch.tensor([[1.0, 3.0, 2.0], [4.0, 0.5, 6.0]], requires_grad=True)
values, indices = torch.max(x, 1)
loss = values.sum()
loss.backward()
print(values, indices, x.grad)
""",
    "autograd_grad_trace.json": """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * -3 + w * w).sum()
g = torch.autograd.grad(loss, w)[0]
print(g, w.grad)
""",
    # A non-leaf input of autograd.grad: its gradient is returned and still sent on to b.
    "autograd_grad_inside_trace.json": """\
import torch

x = torch.tensor([0.5, 1.5], requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
h = x * b
loss = (h.sin() * h).sum()
gh, gb = torch.autograd.grad(loss, [h, b])
print(gh, gb, x.grad, b.grad)
""",
    # With the gradient check (CHECKED): x[1] is 0, so W's second column gets 0 both ways.
    "relu_check_trace.json": """\
import torch
W = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
x = torch.tensor([1.0, 0.0])
loss = torch.relu(W @ x).sum()
loss.backward()
""",
    # A bool tensor: its data are JSON booleans.
    "bool_mask_trace.json": """\
import torch
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
mask = x > 0
y = (x * mask).sum()
y.backward()
""",
    # Two runs to compare (core/compare.js): the same small network trained three steps,
    # with a sigmoid, and with a ReLU in its place.
    "compare_sigmoid_trace.json": _COMPARED.format(activation="Sigmoid"),
    "compare_relu_trace.json": _COMPARED.format(activation="ReLU"),
}


# The fixtures whose request asks for the gradient check too.
CHECKED = {"relu_check_trace.json"}
# Also written in API v1's form (tensors inline), for the test that reading v2's form
# (core/wire.js) gives v1's trace exactly: saved tensors, several outputs, a partial
# summary, two backward calls.
V1_COPIES = {"mlp_trace.json": "mlp_trace.v1.json", "max_dim_trace.json": "max_dim_trace.v1.json",
             "accumulate_trace.json": "accumulate_trace.v1.json"}


def canonical(payload: Any) -> str:
    """The text a fixture is written as: the same JSON always gives the same bytes."""
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def examples_body() -> bytes:
    """GET /api/v2/examples as the app answers it (no worker pool: the route needs none)."""
    response = TestClient(create_app(ServerSettings(workers=1))).get(EXAMPLES_URL)
    response.raise_for_status()
    return response.content


def fixtures() -> dict[str, str]:
    """Every fixture's file name and the text the backend now makes of it."""
    made = {name: canonical(json.loads(trace_to_json(source, check=name in CHECKED, api=API)))
            for name, source in PROGRAMS.items()}
    for name, copy in V1_COPIES.items():
        made[copy] = canonical(json.loads(trace_to_json(PROGRAMS[name], api=1)))
    made[EXAMPLES_FIXTURE] = canonical(json.loads(examples_body()))
    return made


# torch picks its kernels by the CPU (AVX2, AVX-512, the BLAS's own paths): a matrix
# product or a sum adds in another order on another machine, and a float32 result may differ
# in its last digits. A fixture made on one machine is up to date on another when every
# number is that close to the one made there; anything else must be equal.
FLOAT_REL = 1e-4  # float32 carries about 7 digits: 1e-4 is float noise, never a change
FLOAT_ABS = 1e-6  # near 0 (a sum that cancels: 0.0 here, a few float32 epsilons there)


def same(kept: Any, now: Any) -> bool:
    """Are `kept` and `now` (parsed JSON) the same answer, up to float rounding?"""
    if isinstance(kept, float) and isinstance(now, float):
        return math.isclose(kept, now, rel_tol=FLOAT_REL, abs_tol=FLOAT_ABS)
    if isinstance(kept, dict) and isinstance(now, dict):
        return list(kept) == list(now) and all(same(kept[k], now[k]) for k in kept)
    if isinstance(kept, list) and isinstance(now, list):
        return len(kept) == len(now) and all(map(same, kept, now))
    return type(kept) is type(now) and kept == now


def up_to_date(path: Path, text: str) -> bool:
    """Does the fixture at `path` hold `text`, up to float rounding (see same())?"""
    if not path.is_file():
        return False
    kept = path.read_text(encoding="utf-8")
    if kept == text:
        return True
    try:
        parsed = json.loads(kept)
    except ValueError:  # a merge conflict, say: stale, and written again
        return False
    return kept == canonical(parsed) and same(parsed, json.loads(text))


def stale(folder: Path = FIXTURES, made: dict[str, str] | None = None) -> list[str]:
    """The fixtures that differ from what the backend now answers (`made`: fixtures()'s
    answer, when the caller has it), or are missing from `folder`; empty when all are up
    to date."""
    return sorted(name for name, text in (made or fixtures()).items()
                  if not up_to_date(folder / name, text))


def unmade(folder: Path = FIXTURES) -> list[str]:
    """The JSON files in `folder` no program here makes (hand-written, or left behind)."""
    made = set(PROGRAMS) | set(V1_COPIES.values()) | {EXAMPLES_FIXTURE}
    return sorted(path.name for path in folder.glob("*.json") if path.name not in made)


def write(folder: Path = FIXTURES) -> None:
    """Write every stale fixture (one up to date stays as it is: no diff of float noise)."""
    for name, text in fixtures().items():
        if up_to_date(folder / name, text):
            continue
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the stale fixtures and exit 1 if any")
    args = parser.parse_args(argv)
    if not args.check:
        write()
        return 0
    names, strays = stale(), unmade()
    if names:
        print(f"stale fixtures: {', '.join(names)}; run `{COMMAND}`", file=sys.stderr)
    if strays:
        print(f"fixtures no program in {COMMAND.split()[1]} makes: {', '.join(strays)}; "
              "add their programs there or delete them", file=sys.stderr)
    if names or strays:
        return 1
    print(f"{len(PROGRAMS) + 1} fixtures up to date")
    return 0

if __name__ == "__main__":
    sys.exit(main())
