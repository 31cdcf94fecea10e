"""Imported once by the fork server: torch and the tracer warmed up, then frozen.

Every worker is forked from that process, so none pays `import torch` or the first
trace's set-up again. Nor the first use of what programs commonly reach for: torch.randn
(about 0.5 s the first time), nn layers and losses, and an optimizer's first step (over
1 s: it imports torch._dynamo). Without this, every worker started after a timeout or a
recycle made its first such program wait that long.
"""

from __future__ import annotations

import torch

from chainrule.pipeline import trace_to_json, warm_up

_FIRST_USE_PROGRAMS = tuple(
    f"""import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.{optimizer}(model.parameters(), lr=0.1)
loss = nn.MSELoss()(model(torch.randn(16, 4)), torch.randn(16, 1))
loss.backward()
opt.step()
"""
    for optimizer in ("SGD", "Adam")
)

torch.set_num_threads(1)
for _program in _FIRST_USE_PROGRAMS:
    trace_to_json(_program)
warm_up()  # last: it ends with gc.freeze(), which should cover the objects made above
