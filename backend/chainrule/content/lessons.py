"""The guided lessons, one per topic of the chapter (GET /api/v1/lessons).

A lesson's numeric answer is never written here: it names the traced quantity
(`Answer.name`, `Answer.field`, `Answer.phase`) so the number a student is checked
against is the one torch computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from chainrule.content.examples import SEED_SOURCE

# These dataclasses are also the API's lesson shapes (api/schemas.py uses them as they are):
# pydantic reads their types, descriptions and this config; one definition, not two.
_CONTRACT: Any = {"extra": "forbid"}


@dataclass(frozen=True)
class Pause:
    """A step a lesson stops at: the forward or backward step of a named node (or op)."""

    __pydantic_config__: ClassVar[Any] = _CONTRACT
    phase: Literal["forward", "backward"]
    node: Annotated[str, Field(description="A variable or parameter name, or a grad_fn name "
                                           "such as TBackward0.")]


@dataclass(frozen=True)
class Question:
    """A lesson's question. Numeric answers are never stored: `name`, `field` and `phase`
    point at the traced number torch computed."""

    __pydantic_config__: ClassVar[Any] = _CONTRACT
    prompt: str
    kind: Literal["number", "choice"]
    name: Annotated[str | None, Field(
        description="The node whose traced number is the answer.")] = None
    field: Literal["grad", "value"] = "grad"
    phase: Annotated[int | None, Field(
        description="For accumulation: the leaf's .grad after this backward phase.")] = None
    tolerance: Annotated[float, Field(
        description="Relative tolerance for numeric answers.")] = 0.01
    options: tuple[str, ...] = ()
    answer: Annotated[str | None, Field(
        description="The right option, for choice questions.")] = None


@dataclass(frozen=True)
class Variant:
    """A second program to try beside the lesson's: what changes, or the error torch gives."""

    __pydantic_config__: ClassVar[Any] = _CONTRACT
    title: str
    source: str


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: a program, a short explanation, the steps to pause at, a question."""

    __pydantic_config__: ClassVar[Any] = _CONTRACT
    id: str
    number: int
    title: str
    explanation: str
    source: str
    pauses: tuple[Pause, ...]
    question: Question
    variants: tuple[Variant, ...] = dataclass_field(default_factory=tuple)


# Lesson 8's program: a line fitted to five points, one an outlier, under a loss.
_LOSS_LOOP = """import torch
import torch.nn as nn
x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
y = torch.tensor([5.0, -1.0, 1.0, 3.0, 5.0])  # y = 2x + 1, but the first is an outlier
w = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.2)
loss_fn = {loss}
for step in range(40):
    opt.zero_grad()
    pred = w * x + b
    loss = loss_fn(pred, y)
    loss.backward()
    opt.step()
print(f"w = {{w.item():.2f}}, b = {{b.item():.2f}}")
"""

# Lesson 11's program: ten layers of one activation, trained for 30 steps.
_DEEP_NET = """import torch
import torch.nn as nn
torch.manual_seed(0)
layers = []
for i in range(10):
    layers.append(nn.Linear(12, 12))
    layers.append(nn.{activation}())
model = nn.Sequential(*layers, nn.Linear(12, 1))
X = torch.randn(32, 12)
Y = X[:, :1] * 2 - X[:, 1:2]
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(30):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
print(loss.item())
"""

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "requires-grad", 1, "Tensors that require grad",
        "A tensor created with requires_grad=True is a leaf: autograd records every operation "
        "on it, and backward() fills its .grad. requires_grad_() switches it on in place. "
        "Only floating point and complex tensors can require gradients.",
        """import torch
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0])
print(b.requires_grad)
b.requires_grad_()
print(b.requires_grad)
c = (a * b).sum()
c.backward()
print(a.grad, b.grad)
""",
        (Pause("forward", "c"), Pause("backward", "a")),
        Question("What is a.grad[0]? (dc/da = b)", "number", name="a"),
        (Variant("An integer tensor cannot require grad",
                 "import torch\ni = torch.tensor([1, 2], requires_grad=True)\n"),),
    ),
    Lesson(
        "backward-and-grad", 2, "backward() and .grad on the linear-regression loss",
        "loss.backward() runs the chain rule from the loss back to every leaf and stores "
        "dL/dw in w.grad. Check it by hand: L = (y - (wx + b))², so dL/dw = 2x((wx + b) - y).",
        SEED_SOURCE,
        (Pause("forward", "loss"), Pause("backward", "w")),
        Question("Compute dL/dw = 2x((wx + b) - y) with w = 1, b = 0.5, x = 1.4, y = 2.1.",
                 "number", name="w"),
    ),
    # x = 0.8, not 0.5: with 2x = 1, dy/dx would equal dy/du1, shown at the lesson's own pause.
    Lesson(
        "chain-rule", 3, "The chain rule for y = f(g(h(x)))",
        "Each op only knows its own local derivative. Going backward, autograd multiplies the "
        "gradient arriving from above by the local derivative, one op at a time: "
        "dy/dx = f'(u2) · g'(u1) · h'(u0).",
        """import torch
x = torch.tensor(0.8, requires_grad=True)
u0 = x
u1 = u0 ** 2          # h
u2 = torch.sin(u1)    # g
u3 = torch.exp(u2)    # f
u3.backward()
print(x.grad)
""",
        (Pause("backward", "u2"), Pause("backward", "u1"), Pause("backward", "x")),
        Question("Multiply the three local derivatives: what is dy/dx?", "number", name="x"),
    ),
    Lesson(
        "accumulation", 4, "Gradients accumulate",
        "backward() adds into .grad rather than replacing it, so calling it twice doubles the "
        "gradient. That is why training loops call zero_grad() (or set .grad to zero) before "
        "each backward().",
        """import torch
w = torch.tensor(2.0, requires_grad=True)
loss = w * w
loss.backward(retain_graph=True)
print(w.grad)
loss.backward()
print(w.grad)
w.grad.zero_()
print(w.grad)
""",
        (Pause("backward", "w"),),
        Question("What is w.grad after the second backward()?", "number", name="w", phase=1),
    ),
    # loss = 3z², not z²: with z², the local derivative 2z would be the answer itself.
    Lesson(
        "leaves", 5, "Leaves and non-leaves",
        "Only leaves keep .grad after backward(): z = w * x is an intermediate result, so "
        "z.grad is None unless you call z.retain_grad() before backward(). The gradient still "
        "flows through z; it is just not stored.",
        """import torch
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(2.0)
z = w * x
z.retain_grad()
loss = 3 * z ** 2
loss.backward()
print(w.is_leaf, z.is_leaf)
print(z.grad, w.grad)
""",
        (Pause("backward", "z"), Pause("backward", "w")),
        Question("What is z.grad (dL/dz = 6z)?", "number", name="z"),
    ),
    Lesson(
        "detach-no-grad", 6, "detach() and torch.no_grad(): where the graph is cut",
        "detach() returns the same values without history, so no gradient flows back through "
        "it; inside torch.no_grad() nothing is recorded at all. Here only the path through y "
        "reaches w.",
        """import torch
w = torch.tensor(2.0, requires_grad=True)
y = w * 3
frozen = (w * 5).detach()
with torch.no_grad():
    scale = w * 10
loss = y * frozen + scale
loss.backward()
print(w.grad)
""",
        (Pause("forward", "loss"), Pause("backward", "w")),
        Question("What is w.grad? (only y = 3w is differentiated; frozen = 10)", "number",
                 name="w"),
    ),
    Lesson(
        "sequential", 7, "nn.Sequential: layers, and a dead ReLU",
        "A Linear layer is a matrix product plus a bias (AddmmBackward0, with a transpose "
        "TBackward0 of the weight). Collapse the layers to see the network, expand them to see "
        "the ops. A ReLU whose input is negative passes no gradient back: it is dead for that "
        "input.",
        """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU())
x = torch.randn(8, 4)
target = torch.zeros(8, 32)
loss = nn.MSELoss()(model(x), target)
loss.backward()
print(loss)
""",
        (Pause("forward", "AddmmBackward0"), Pause("backward", "model.0.weight")),
        Question("Which op inside a Linear layer transposes the weight?", "choice",
                 options=("TBackward0", "AddmmBackward0", "ReluBackward0"),
                 answer="TBackward0"),
    ),
    # The outlier is first: a question reads a tensor's first element. Under MSE the fitted
    # line is w = 0.4, b = 2.6 (the other four points lie on y = 2x + 1); L1 gets near it.
    Lesson(
        "losses", 8, "Choosing a loss",
        "The loss decides how hard each error pulls. MSE's gradient, 2(pred − y)/n, grows "
        "with the error, so one outlier (the first point, which should be −3) drags the line "
        "towards it; L1's is ±1/n, only the error's sign, so the outlier pulls no harder than "
        "any other point; Huber is MSE near the line and L1 far from it; BCE and "
        "cross-entropy work on probabilities. Answer, then open the Training tab: the loss "
        "and w's and b's gradients over all 40 steps. MSE's gradients fade as the pulls "
        "balance; L1's keep their size (a sign does not shrink) until it hops about its "
        "minimum. Try the variants: the same loop with L1 and with Huber, and the line each "
        "one prints.",
        _LOSS_LOOP.format(loss="nn.MSELoss()"),
        (Pause("forward", "pred"), Pause("backward", "pred")),
        Question("The graph shows the last step. What is dL/dpred[0], the outlier's "
                 "gradient? (MSE: 2(pred − y)/5)", "number", name="pred"),
        (Variant("L1: the outlier pulls no harder than any point",
                 _LOSS_LOOP.format(loss="nn.L1Loss()")),
         Variant("Huber: MSE near the line, L1 far from it",
                 _LOSS_LOOP.format(loss="nn.HuberLoss()"))),
    ),
    Lesson(
        "adversarial", 9, "Adversarial examples",
        "The gradient of the loss with respect to the input says how to change the input to "
        "increase the loss. One FGSM step moves every input value by epsilon in the direction "
        "of the gradient's sign, and can change the prediction.",
        """import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 2))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 1.0]]))
    model[0].bias.zero_()
x = torch.tensor([[0.3, 0.1]], requires_grad=True)
label = torch.tensor([0])
logits = model(x)
loss = F.cross_entropy(logits, label)
loss.backward()
x_adv = x + 0.2 * x.grad.sign()
print('before:', logits.argmax(dim=1))
print('after: ', model(x_adv).argmax(dim=1))
""",
        (Pause("backward", "x"),),
        Question("What is the sign of dL/dx[0]? (type -1 or 1)", "number", name="x",
                 tolerance=0.0),
    ),
    Lesson(
        "gradient-descent", 10, "Gradient descent",
        "One step of gradient descent moves each parameter against its gradient: "
        "w -= lr * w.grad, inside torch.no_grad() so the update is not recorded. Repeat, "
        "zeroing the gradients each time, and the loss falls: the Training tab charts it "
        "over every call of backward(), with w's gradient, and shows any step's graph.",
        """import torch
x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([2.0, 4.0, 6.0])
w = torch.tensor(0.5, requires_grad=True)
lr = 0.05
for step in range(5):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    print(step, loss.item())
""",
        (Pause("backward", "w"),),
        Question("The graph shows the last step. What is dL/dw there?", "number", name="w"),
    ),
    # The ReLU network's first layer gets a gradient about 10^8 times the sigmoid's: the
    # choice is read off the compare view (the selected node's |B| / |A|).
    Lesson(
        "vanishing-gradients", 11, "Vanishing gradients",
        "Going backward, each sigmoid multiplies the gradient by its local derivative "
        "σ(x)(1 − σ(x)), at most 0.25; through ten of them (and ten weight matrices) the "
        "first layer's gradient ends up millions of times smaller than the last layer's, and "
        "the loss stalls. (Adam, the optimizer here, scales each step by the gradient's "
        "recent size, so the first layer's weights still move; with plain SGD, whose step "
        "is the learning rate times the gradient, they would barely move.) A ReLU's local "
        "derivative is 1 wherever it is active. The Training tab's diagnosis says so. Press "
        "Compare under the variant: the same network with ReLU runs beside this one (run B), "
        "both loss curves on one chart, B's graph under A's with each node "
        "where A's is; click model.0.weight to see its gradient in both runs.",
        _DEEP_NET.format(activation="Sigmoid"),
        (Pause("backward", "model.20.weight"), Pause("backward", "model.0.weight")),
        Question("Compare with ReLU, then select model.0.weight: how many times larger is "
                 "its gradient's norm in the ReLU run (B) than in the sigmoid run (A)?",
                 "choice", options=("About the same", "About 10 times",
                                    "More than a million times"),
                 answer="More than a million times"),
        (Variant("The same network with ReLU", _DEEP_NET.format(activation="ReLU")),),
    ),
)
