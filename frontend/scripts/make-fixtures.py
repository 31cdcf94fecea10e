"""Write the unit tests' TraceOut fixtures of ops with several outputs and of
torch.autograd.grad, from the real backend: each program below through
`chainrule.runner.trace_to_json`, the same bytes POST /api/v1/trace answers.

Run from the repository root after a change to the API contract, and commit the JSON:

    .venv/bin/python frontend/scripts/make-fixtures.py

Only these fixtures are made here; the older ones in frontend/tests/fixtures/ predate the
script (seed_trace.json is hand-written) and stay as they are, so the tests also cover
traces without `outputs`, `returned` and `call`.
"""

from __future__ import annotations

import json
from pathlib import Path

from chainrule.runner import trace_to_json

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"

PROGRAMS = {
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
    # A bool tensor: its data are JSON booleans.
    "bool_mask_trace.json": """\
import torch
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
mask = x > 0
y = (x * mask).sum()
y.backward()
""",
}


def main() -> None:
    for name, source in PROGRAMS.items():
        trace = json.loads(trace_to_json(source))
        text = json.dumps(trace, indent=1, ensure_ascii=False) + "\n"
        (FIXTURES / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}: {len(trace['nodes'])} nodes")


if __name__ == "__main__":
    main()
