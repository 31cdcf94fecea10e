"""The examples menu: programs the page and REST clients share (GET /api/v1/examples)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Example:
    """A program from the examples menu (also the API's shape: api/schemas.py uses it)."""

    __pydantic_config__: ClassVar[Any] = {"extra": "forbid"}
    id: str
    title: str
    topic: str
    source: str


SEED_SOURCE = """import torch
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([1.4])
y = torch.tensor([2.1])
z = torch.add(torch.mul(w, x), b)  # forward pass
loss = (y-z).pow(2).sum()
loss.backward()
print('dL/dw : ', w.grad)
print('dL/db : ', b.grad)
"""

EXAMPLES: tuple[Example, ...] = (
    Example("linear-regression", "Linear regression loss: dL/dw and dL/db", "textbook",
            SEED_SOURCE),
    Example("requires-grad", "Tensors that require grad", "textbook", """import torch
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
q = 3 * a ** 3 - b ** 2
q.sum().backward()
print(a.grad)  # 9 a^2
print(b.grad)  # -2 b
"""),
    Example("chain-rule", "The chain rule: y = f(g(h(x)))", "chain rule", """import torch
x = torch.tensor(0.5, requires_grad=True)
u1 = x ** 2           # h(x)
u2 = torch.sin(u1)    # g(h(x))
y = torch.exp(u2)     # f(g(h(x)))
y.backward()
print('dy/dx =', x.grad)
"""),
    Example("used-twice", "A variable used twice: gradients add up", "chain rule", """import torch
x = torch.tensor(3.0, requires_grad=True)
y = x * x + 2 * x   # x feeds three products
y.backward()
print(x.grad)  # 2x + 2 = 8
"""),
    Example("broadcast-bias", "Broadcasting a bias over a batch", "tensors", """import torch
X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
W = torch.tensor([[0.1, -0.2], [0.3, 0.4]], requires_grad=True)
b = torch.tensor([0.5, -0.5], requires_grad=True)
out = X @ W + b       # b is added to every row
loss = out.sum()
loss.backward()
print(b.grad)  # one per row, summed: [3., 3.]
"""),
    Example("sequential-mlp", "An nn.Sequential MLP with a loss", "modules", """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU())
x = torch.randn(8, 4)
target = torch.randn(8, 32)
loss = nn.MSELoss()(model(x), target)
loss.backward()
print(loss)
"""),
    Example("three-losses", "The same outputs under MSE, L1 and cross-entropy", "losses",
            """import torch
import torch.nn.functional as F
logits = torch.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
target = torch.tensor([[1.0, 0.0, 0.0]])
mse = F.mse_loss(logits, target)
l1 = F.l1_loss(logits, target)
ce = F.cross_entropy(logits, torch.tensor([0]))
total = mse + l1 + ce
total.backward()
print(mse, l1, ce, sep='\\n')
print(logits.grad)
"""),
    Example("adversarial-step", "Gradient with respect to the input, and one adversarial step",
            "adversarial", """import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3))
x = torch.tensor([[0.5, -1.0]], requires_grad=True)
label = torch.tensor([1])
loss = F.cross_entropy(model(x), label)
loss.backward()
x_adv = x + 0.1 * x.grad.sign()   # one FGSM step
print(model(x).argmax(dim=1), model(x_adv).argmax(dim=1))
"""),
)
