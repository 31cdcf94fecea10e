"""The oracle corpus: teaching programs run by the interpreter and by real Python + torch.

Data only: program id -> source. Every program is valid Python that real torch runs;
test_oracle.py runs each both ways and compares names, gradients and printed output.
Programs whose output shows memory addresses (grad_fn objects) are listed in
`SHOWS_ADDRESSES`: both outputs have `0x...` normalised before comparing.
"""

from __future__ import annotations

from chainrule.content.examples import SEED_SOURCE

CORPUS: dict[str, str] = {}

# --- statements ---------------------------------------------------------------------------

CORPUS["seed_program"] = SEED_SOURCE  # the page's seed program (content/examples.py)

CORPUS["imports_every_alias"] = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import nn as layers

x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
a = nn.ReLU()(x)
b = F.relu(x)
c = layers.Sigmoid()(x)
total = a.sum() + b.sum() + c.sum()
total.backward()
print(a, b, c, sep="\\n")
print(x.grad)
"""

CORPUS["from_torch_import_nn"] = """\
import torch
from torch import nn

layer = nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.fill_(0.5)
    layer.bias.zero_()
out = layer(torch.tensor([1.0, 2.0, 3.0]))
out.sum().backward()
print(out)
print(layer.weight.grad)
print(layer.bias.grad)
"""

CORPUS["assign_tuple_and_augmented"] = """\
import torch

# two names at once, then augmented assignment
a, b = 2.0, 3.0
a += 1
b *= 2
n = 7
n //= 2
n **= 2
n -= 1
n %= 5
x = torch.tensor([a, b], requires_grad=True)
first, second = x
y = first * second
y.backward()
print(a, b, n)
print(first, second)
print(y, x.grad)
"""

CORPUS["augmented_tensor_update_in_no_grad"] = """\
import torch

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
lr = 0.1
for step in range(3):
    loss = (w ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    print(step, loss.item())
print(w)
print(w.grad)
"""

CORPUS["augmented_assignment_targets"] = """\
import torch
import torch.nn as nn

torch.manual_seed(6)
x = torch.zeros(3, requires_grad=True)
y = x * 1
y[1] += 5
y[0:2] *= 2
layer = nn.Linear(2, 1)
with torch.no_grad():
    layer.weight -= 1
    layer.bias += layer.bias
out = y.sum() + layer(torch.ones(2)).sum()
out.backward()
print(y, x.grad)
w = torch.ones(2, requires_grad=True)
(w * 2).sum().backward()
w.grad += 1
w.grad *= torch.tensor([1.0, 3.0])
print(w.grad, layer.weight, layer.bias)
"""

CORPUS["expression_statements"] = """\
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x ** 3
y.backward()
x.grad
print(x.grad)
x.grad.zero_()
print(x.grad)
"""

CORPUS["loop_accumulates_in_tensor"] = """\
import torch

x = torch.tensor(1.0, requires_grad=True)
total = torch.tensor(0.0)
for i in range(5):
    total = total + x * i
total.backward()
print(total)
print(x.grad)
"""

CORPUS["comments_and_blank_lines"] = """\
# a program that is mostly comments

import torch  # the only import


# a leaf
w = torch.tensor(2.0, requires_grad=True)   # trailing comment

# square it
y = w * w

y.backward()  # dy/dw = 2w
print(w.grad)
"""

# --- literals and operators ---------------------------------------------------------------

CORPUS["literals"] = """\
import torch

i = 3
f = 2.5
t = True
nothing = None
print(i, f, t, nothing)
print(i + f, i * t, -i, -f)
print(7 // 2, 7 % 3, 2 ** 10, 7 / 2)
print(1e-3, 1.0, 0.1 + 0.2, 10 / 3)
print(3 > 2, 2 == 2.0, nothing is None, i != 3)
x = torch.tensor([i, f])
print(x, -x, x * t)
"""

CORPUS["strings_in_keywords_and_print"] = """\
import torch
import torch.nn.functional as F

p = torch.tensor([0.2, 0.4, 0.9], requires_grad=True)
y = torch.tensor([1.0, 2.0, 3.0])
total = F.mse_loss(p, y, reduction='sum')
mean = F.mse_loss(p, y, reduction="mean")
total.backward()
print("sum of squares:", total)
print('mean:', mean, sep=' = ', end='!\\n')
print(p.grad)
"""

CORPUS["nested_lists_and_tuples"] = """\
import torch

m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
t = torch.tensor(((1, 2, 3), (4, 5, 6)))
mixed = torch.tensor([[1, 2.5], (3, 4)])
cube = torch.tensor([[[1.0], [2.0]], [[3.0], [4.0]]])
print(m)
print(t, t.dtype)
print(mixed)
print(cube.shape)
"""

CORPUS["binary_operators_on_tensors"] = """\
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
s = a + b
d = a - b
p = a * b
q = a / b
f = b // a
r = b % a
e = a ** 2
m = a @ b
n = -a
loss = (s + d + p + q + e + n).sum() + m
loss.backward()
print(s, d, p, q, f, r, e, m, n, sep="\\n")
print(a.grad)
print(b.grad)
"""

CORPUS["scalar_on_the_left"] = """\
import torch

x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
y = 2 - x
z = 1 / x
u = 3 * x
v = 2 ** x
out = (y + z + u + v).sum()
out.backward()
print(y, z, u, v, sep="\\n")
print(x.grad)
"""

CORPUS["matrix_multiply_operator"] = """\
import torch

A = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
B = torch.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
v = torch.tensor([1.0, -1.0])
C = A @ B
u = A @ v
loss = C.sum() + u.sum()
loss.backward()
print(C)
print(u)
print(A.grad)
print(B.grad)
"""

CORPUS["comparison_masks"] = """\
import torch

x = torch.tensor([-2.0, -0.5, 0.0, 1.5, 3.0], requires_grad=True)
mask = x > 0
low = x <= -1
kept = x * mask
clipped = torch.where(x > 0, x, torch.zeros_like(x))
kept.sum().backward()
print(mask, low)
print(kept)
print(clipped)
print(x.grad)
print(mask.float().sum().item())
"""

CORPUS["indexing_and_slicing"] = """\
import torch

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
row = x[0]
col = x[:, 1]
corner = x[1, 2]
tail = x[:, 1:]
rev = x[0, ::2]
last = x[-1]
total = row.sum() + col.sum() * 2 + corner * 10 + tail.sum() + rev.sum() + last.sum()
total.backward()
print(row, col, corner, tail, rev, last, sep="\\n")
print(x.grad)
"""

CORPUS["sequential_indexing"] = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
first = model[0]
print(first)
print(model[1])
print(model[0].weight)
print(model[2].bias)
print(len(model))
x = torch.tensor([[1.0, -1.0]])
hidden = model[1](model[0](x))
out = model[2](hidden)
out.sum().backward()
print(out)
print(model[0].weight.grad)
print(model[2].bias.grad)
"""

CORPUS["keyword_arguments"] = """\
import torch

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
s = torch.sum(x, dim=0)
m = x.mean(dim=1, keepdim=True)
c = torch.clamp(x, min=1.5, max=3.5)
sm = torch.softmax(x, dim=1)
loss = s.sum() + m.sum() + c.sum() + sm[0, 0]
loss.backward()
print(s, m, c, sm, sep="\\n")
print(x.grad)
"""

# --- creating tensors ---------------------------------------------------------------------

CORPUS["creation_functions"] = """\
import torch

print(torch.zeros(2, 3))
print(torch.ones(3))
print(torch.full((2, 2), 7.0))
print(torch.arange(5))
print(torch.arange(1, 2, 0.25))
print(torch.linspace(0, 1, steps=5))
print(torch.eye(3))
a = torch.tensor([[1.0, 2.0]])
print(torch.zeros_like(a), torch.ones_like(a))
print(torch.zeros((2, 2), dtype=torch.int64))
"""

CORPUS["tensor_dtypes_and_requires_grad"] = """\
import torch

a = torch.tensor([1, 2, 3])
b = torch.tensor([1, 2, 3], dtype=torch.float32)
c = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
d = torch.tensor(True)
e = torch.tensor([0.5, 1.5], requires_grad=False)
print(a.dtype, b.dtype, c.dtype, d.dtype)
print(a, b, c, d, e)
print(c.requires_grad, e.requires_grad)
(c * c).sum().backward()
print(c.grad)
"""

CORPUS["random_with_seed"] = """\
import torch

torch.manual_seed(42)
a = torch.rand(3)
b = torch.randn(2, 2)
torch.manual_seed(42)
again = torch.rand(3)
print(a)
print(b)
print(torch.equal(a, again))
w = torch.randn(3, requires_grad=True)
(w * a).sum().backward()
print(w.grad)
"""

# --- functions: torch.f(x) and x.f() -------------------------------------------------------

CORPUS["elementwise_functions"] = """\
import torch

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
parts = [
    torch.add(x, 1), torch.sub(x, 2), torch.mul(x, 3), torch.div(x, 4), torch.pow(x, 2),
    torch.exp(x), torch.log(x), torch.sqrt(x), torch.abs(x - 1), torch.sin(x),
    torch.cos(x), torch.tanh(x), torch.sigmoid(x), torch.sign(x - 1),
]
total = parts[0].sum()
for p in parts:
    total = total + p.sum()
total.backward()
for p in parts:
    print(p)
print(x.grad)
"""

CORPUS["elementwise_methods"] = """\
import torch

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = x.add(1).sub(0.5).mul(2).div(3).pow(2)
z = x.exp() + x.log() + x.sqrt() + (x - 1).abs() + x.sin() + x.cos()
u = x.tanh() + x.sigmoid() + x.relu() + (x - 1).sign() + x.clamp(0.7, 1.5)
total = (y + z + u).sum()
total.backward()
print(y, z, u, sep="\\n")
print(x.grad)
"""

CORPUS["activations_as_functions"] = """\
import torch
import torch.nn.functional as F

x = torch.tensor([[-1.0, 0.0, 2.0], [0.5, -0.5, 1.0]], requires_grad=True)
r = torch.relu(x)
s = torch.softmax(x, dim=1)
ls = torch.log_softmax(x, dim=1)
lr = F.leaky_relu(x, 0.1)
fs = F.softmax(x, dim=0)
loss = r.sum() + s[:, 0].sum() + ls.sum() + lr.sum() + fs[0].sum()
loss.backward()
print(r, s, ls, lr, fs, sep="\\n")
print(x.grad)
"""

CORPUS["reductions"] = """\
import torch

x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]], requires_grad=True)
print(torch.sum(x), x.sum(dim=1), torch.mean(x), x.mean(0))
print(torch.max(x), x.min())
best = torch.max(x, dim=0)
print(best.values, best.indices)
print(torch.max(x, dim=1).values)
print(x.min(dim=1).indices)
values, indices = x.max(dim=1)
print(values, indices)
loss = best.values.sum() + x.min() + x.mean()
loss.backward()
print(x.grad)
"""

CORPUS["linear_algebra"] = """\
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, -1.0, 0.5], requires_grad=True)
M = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]], requires_grad=True)
d = torch.dot(a, b)
o = torch.outer(a, b)
mv = torch.matmul(M, a)
mm = torch.mm(M, o)
loss = d + o.sum() + mv.sum() + mm.sum() + a.dot(b) + M.matmul(b).sum()
loss.backward()
print(d, o, mv, mm, sep="\\n")
print(a.grad, b.grad, M.grad, sep="\\n")
"""

CORPUS["shape_functions"] = """\
import torch

x = torch.arange(6.0, requires_grad=True)
m = x.reshape(2, 3)
v = x.view(3, 2)
t = m.t()
tt = torch.transpose(m, 0, 1)
big_t = m.T
r = torch.reshape(x, (3, 2))
c = torch.cat([m, m * 2], dim=0)
s = torch.stack([x, x], dim=1)
f = m.flatten()
u = x.unsqueeze(0)
print(m, v, t, tt, big_t, r, c, s, f, u, sep="\\n")
print(m.shape, c.shape, s.size(), u.dim(), x.numel())
loss = (t * tt).sum() + big_t.sum() + c.sum() + s.sum() + (v * r).sum() + f[0] + u.sum()
loss.backward()
print(x.grad)
"""

CORPUS["shape_of_many_dims"] = """\
import torch

x = torch.ones(2, 3, 4)
print(x.shape, x.ndim, x.shape[1])
print(x.sum(dim=2).shape, x.transpose(0, 2).shape)
y = torch.zeros(3, 1)
print((x + y).shape)
print(torch.squeeze(torch.zeros(1, 3, 1)).shape)
"""

# --- autograd -----------------------------------------------------------------------------

CORPUS["backward_with_gradient_argument"] = """\
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
y.backward(gradient=torch.tensor([1.0, 0.1, 0.01]))
print(x.grad)
z = x * 2
z.backward(torch.ones(3))
print(x.grad)
"""

CORPUS["backward_retain_graph_twice"] = """\
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
y.backward(retain_graph=True)
print(x.grad)
y.backward()
print(x.grad)
"""

CORPUS["gradients_accumulate"] = """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
for i in range(3):
    loss = (w * (i + 1)).sum()
    loss.backward()
    print(w.grad)
w.grad = None
print(w.grad)
(w * w).sum().backward()
print(w.grad)
"""

CORPUS["grad_zero_and_none"] = """\
import torch

a = torch.tensor([3.0], requires_grad=True)
(a * 4).sum().backward()
print(a.grad)
a.grad.zero_()
print(a.grad)
a.grad = None
print(a.grad is None)
(a * 5).sum().backward()
print(a.grad)
"""

CORPUS["requires_grad_and_is_leaf"] = """\
import torch

x = torch.tensor([1.0, 2.0])
print(x.requires_grad, x.is_leaf)
x.requires_grad_()
print(x.requires_grad, x.is_leaf)
y = x * 2
print(y.requires_grad, y.is_leaf)
z = torch.tensor([3.0])
z.requires_grad = True
w = torch.tensor(4.0).requires_grad_(True)
print(z.requires_grad, w.requires_grad)
(y.sum() + z.sum() * w).backward()
print(x.grad, z.grad, w.grad)
"""

CORPUS["grad_fn_printed"] = """\
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
z = y.sum()
print(x.grad_fn)
print(y.grad_fn)
print(z.grad_fn)
print(z)
print(y)
print(z.grad_fn.name())
"""

CORPUS["retain_grad_on_intermediate"] = """\
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
h.retain_grad()
out = (h ** 2).sum()
out.retain_grad()
out.backward()
print(h.grad)
print(out.grad)
print(x.grad)
"""

CORPUS["detach_and_item"] = """\
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
d = y.detach()
print(d.requires_grad, d.is_leaf)
z = (y * d).sum()
z.backward()
print(x.grad)
print(z.item(), float(z), y[1].item())
print(round(z.item(), 2))
"""

CORPUS["autograd_grad"] = """\
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x ** 2 + 2 * x
(dy,) = torch.autograd.grad(y, x)
print(dy)
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
out = (a * b).sum()
ga, gb = torch.autograd.grad(out, [a, b])
print(ga, gb)
print(a.grad, b.grad)
"""

CORPUS["autograd_grad_create_graph"] = """\
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
g = torch.autograd.grad(y, x, create_graph=True)[0]
print(g)
g2 = torch.autograd.grad(g, x)[0]
print(g2)
z = x ** 4
first = torch.autograd.grad(z, x, create_graph=True)[0]
first.backward()
print(first, x.grad)
"""

CORPUS["no_grad_block"] = """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = w * 2
    print(y.requires_grad)
z = w * 2
print(z.requires_grad)
print(y, z)
"""

# --- modules ------------------------------------------------------------------------------

CORPUS["linear_layer"] = """\
import torch
import torch.nn as nn

torch.manual_seed(1)
layer = nn.Linear(3, 2)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
y = layer(x)
loss = y.pow(2).mean()
loss.backward()
print(layer)
print(y)
print(layer.weight.grad)
print(layer.bias.grad)
print(layer.in_features, layer.out_features)
"""

CORPUS["sequential_mlp"] = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(2, 4),
    nn.Tanh(),
    nn.Linear(4, 1),
    nn.Sigmoid(),
)
x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[1.0], [1.0], [0.0]])
pred = model(x)
loss = nn.BCELoss()(pred, y)
loss.backward()
print(model)
print(pred)
print(loss)
"""

CORPUS["activation_modules"] = """\
import torch
import torch.nn as nn

x = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 2.0]], requires_grad=True)
outs = [nn.ReLU()(x), nn.Sigmoid()(x), nn.Tanh()(x), nn.Softmax(dim=1)(x),
        nn.LeakyReLU(0.2)(x), nn.LeakyReLU(negative_slope=0.05)(x), nn.ELU()(x),
        nn.GELU()(x), nn.LogSoftmax(dim=1)(x), nn.Softplus()(x)]
total = outs[0].sum()
for o in outs:
    total = total + o.sum()
total.backward()
for o in outs:
    print(o)
print(x.grad)
print(nn.ReLU(), nn.Softmax(dim=1), nn.LeakyReLU(0.2))
"""

CORPUS["flatten_module"] = """\
import torch
import torch.nn as nn

torch.manual_seed(3)
model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
x = torch.arange(8.0).reshape(2, 2, 2)
out = model(x)
out.sum().backward()
print(nn.Flatten()(x))
print(out)
print(model[1].weight.grad)
"""

CORPUS["regression_losses"] = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

pred = torch.tensor([0.5, 2.0, -1.0, 3.0], requires_grad=True)
target = torch.tensor([1.0, 1.0, 0.0, 0.0])
losses = [
    nn.MSELoss()(pred, target), F.mse_loss(pred, target),
    nn.L1Loss()(pred, target), F.l1_loss(pred, target),
    nn.SmoothL1Loss()(pred, target), F.smooth_l1_loss(pred, target, beta=0.5),
    nn.HuberLoss(delta=1.5)(pred, target), F.huber_loss(pred, target),
    nn.MSELoss(reduction='sum')(pred, target),
]
total = losses[0]
for l in losses:
    print(l)
    total = total + l
total.backward()
print(pred.grad)
"""

CORPUS["classification_losses"] = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
labels = torch.tensor([0, 2])
ce = nn.CrossEntropyLoss()(logits, labels)
ce_f = F.cross_entropy(logits, labels)
nll = nn.NLLLoss()(torch.log_softmax(logits, dim=1), labels)
nll_f = F.nll_loss(F.log_softmax(logits, dim=1), labels)
z = torch.tensor([0.8, -1.2, 0.3], requires_grad=True)
t = torch.tensor([1.0, 0.0, 1.0])
bce = nn.BCELoss()(torch.sigmoid(z), t)
bce_f = F.binary_cross_entropy(torch.sigmoid(z), t)
bcel = nn.BCEWithLogitsLoss()(z, t)
bcel_f = F.binary_cross_entropy_with_logits(z, t)
total = ce + ce_f + nll + nll_f + bce + bce_f + bcel + bcel_f
total.backward()
print(ce, ce_f, nll, nll_f, sep="\\n")
print(bce, bce_f, bcel, bcel_f, sep="\\n")
print(logits.grad)
print(z.grad)
"""

CORPUS["parameters_and_named_parameters"] = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
count = 0
for p in model.parameters():
    count = count + p.numel()
    print(p.shape, p.requires_grad)
print(count)
for name, p in model.named_parameters():
    print(name, p.shape)
params = list(model.parameters())
print(len(params))
loss = model(torch.tensor([1.0, 2.0])).sum()
loss.backward()
for name, p in model.named_parameters():
    print(name, p.grad)
"""

CORPUS["sgd_training_loop"] = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
x = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[2.0], [4.0], [6.0]])
for epoch in range(5):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
print(model[0].weight, model[0].bias)
"""

CORPUS["adam_training_loop"] = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
labels = torch.tensor([1, 1, 0, 0])
for step in range(4):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 5))
print(model[2].bias)
"""

CORPUS["manual_gradient_descent"] = """\
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 8)
y = 3 * x + 0.5
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for i in range(20):
    pred = w * x + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.2 * w.grad
        b -= 0.2 * b.grad
    w.grad.zero_()
    b.grad.zero_()
print(w, b)
print(loss)
"""

CORPUS["module_zero_grad_and_parameter_update"] = """\
import torch
import torch.nn as nn

torch.manual_seed(4)
layer = nn.Linear(2, 1)
x = torch.tensor([[1.0, 2.0]])
layer(x).sum().backward()
print(layer.weight.grad)
with torch.no_grad():
    for p in layer.parameters():
        p -= 0.5 * p.grad
layer.zero_grad()
print(layer.weight.grad)
print(layer.weight)
"""

# --- printing, builtins and control flow ------------------------------------------------

CORPUS["print_formats"] = """\
import torch

x = torch.tensor([1.23456, 2.5, -3.0])
print(x)
print(x.tolist())
print(x.sum().item())
v = x.mean().item()
print(f"mean = {v:.3f}")
print(f"{x.max().item():8.2f}|")
print(f"{7:03d} {0.5:.1%} {1234.5:e}")
print(f"x = {x}")
print(f"{x.shape}")
print(1, "two", 3.0, None, True, sep=", ")
print("=" * 20, "loss: " + str(v), 2 * "ab", "neg" if v < 0 else "pos")
print()
print("end", end="")
"""

CORPUS["print_structures"] = """\
import torch

t = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
print([1, 2.5, True, None], (1, 2), (3,), [], [[1, 2], (3, [4.5])])
print(t.shape, t.dtype, t.size(0))
print(t * 2)
print(t.sum())
print(torch.tensor([1, 2]), torch.tensor([True, False]))
print(torch.tensor(1e-8), torch.tensor([1e6, 1.0]))
print(torch.tensor([0.1, 0.2], dtype=torch.float64))
"""

CORPUS["builtins"] = """\
import torch

x = torch.tensor([3.0, -1.0, 2.0])
print(len(x), abs(-2), min(3, 1, 2), max(1.5, 0.5), round(2.567, 2))
print(int(2.9), float(3), bool(0), str(5), sum([1, 2, 3]))
print(list(range(4)), tuple([1, 2]))
for i, v in enumerate([10, 20]):
    print(i, v)
for a, b in zip([1, 2], [3, 4]):
    print(a + b)
print(float(x[0]), int(x[2]))
"""

CORPUS["if_and_conditional_expressions"] = """\
import torch

x = torch.tensor(-2.0, requires_grad=True)
if x.item() < 0:
    y = -x * 3
else:
    y = x * 3
y.backward()
print("negative" if x.item() < 0 else "positive", y, x.grad)
print(x.item() > 0 and 1 or 2, not x.item(), x.item() < 0 < 1)
"""

CORPUS["data_and_copy"] = """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
w.data = torch.tensor([5.0, 6.0])
(w * w).sum().backward()
print(w, w.grad)
c = w.clone()
print(c)
"""

CORPUS["more_tensor_functions"] = """\
import torch

x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
parts = [
    torch.square(x), torch.neg(x), torch.exp(x).log(), torch.maximum(x, torch.zeros(2, 2)),
    x.amax(dim=0), torch.logsumexp(x, dim=1), x.std(), x.var(dim=0), x.norm(),
    torch.cumsum(x, dim=1), x.prod(), torch.tril(x), x.flip(0), x.permute(1, 0),
]
total = parts[0].sum()
for p in parts:
    total = total + p.sum()
total.backward()
for p in parts:
    print(p)
print(x.grad)
"""

CORPUS["print_iterators"] = """\
import torch
import torch.nn as nn

model = nn.Linear(1, 1)
y = model(torch.ones(1))
print(model.parameters())
print(model.named_parameters())
print(enumerate([1, 2]), zip([1], [2]))
print(nn.Linear(1, 1).bias.grad_fn, (torch.ones(1, requires_grad=True) * 2).grad_fn)
"""

CORPUS["print_callables"] = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.ones(2, requires_grad=True)
model = nn.Linear(2, 1)
print(torch.add, torch.tensor, torch.autograd.grad)
print(nn.Linear, F.relu, torch.optim.SGD, torch.no_grad)
print(x.sum, x.backward, model.parameters, model.zero_grad)
print(print, len, torch.float32, torch.pi)
y = model(x)
"""

CORPUS["imports_of_members_and_control_flow"] = """\
'''A docstring: a string alone on a line is allowed.'''
import torch
from torch.optim import SGD
from torch.nn import functional as F
from torch import nn

torch.manual_seed(5)
model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
head = model[:2]
optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(4, 3)
for step in range(3):
    optimizer.zero_grad(set_to_none=False)
    loss = model(x).pow(2).mean()
    loss.backward()
    optimizer.step()
    if step == 0:
        print("first", round(loss.item(), 6))
    elif step == 1:
        print("second", round(loss.item(), 6))
    else:
        print("last", round(loss.item(), 6))
print(head)
print(head(x)[..., 0])
print(F.relu(x[:, 0]))
for i, p in enumerate(model.parameters()):
    print(i, p.shape)
print(sum([1, 2]), sum([model[0].bias, model[0].bias]), max([3, 1]), min(x[0]))
"""

# --- what autograd delivered, when the program changes it afterwards --------------------

CORPUS["grad_changed_in_place_after_backward"] = """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * w).sum()
loss.backward()
print(w.grad)
w.grad.mul_(10)
w.grad.clamp_(max=25.0)
print(w.grad)
"""

CORPUS["manual_sgd_loop_zeroes_grad"] = """\
import torch

w = torch.tensor([0.5, -1.0], requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
y = torch.tensor([1.0, 2.0, 3.0])
for step in range(4):
    pred = x @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
        b -= 0.01 * b.grad
    w.grad.zero_()
    b.grad.zero_()
    print(step, loss.item())
print(w, b)
"""

CORPUS["data_updates_in_a_loop"] = """\
import torch

w = torch.tensor(1.0, requires_grad=True)
x = torch.tensor(2.0)
for step in range(3):
    loss = (w * x - 1) ** 2
    loss.backward()
    w.data -= 0.1 * w.grad.data
    w.grad.data.zero_()
print(w, w.grad)
"""

CORPUS["optimizer_zero_grad_keeps_tensors"] = """\
import torch
import torch.nn as nn

torch.manual_seed(3)
model = nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
y = torch.tensor([[1.0], [0.0]])
for step in range(3):
    optimizer.zero_grad(set_to_none=False)
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
print(model.weight, model.bias)
print(model.weight.grad, model.bias.grad)
"""

CORPUS["constant_changed_after_use"] = """\
import torch

w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor([1.0, 3.0])
loss = (w * x).sum()
loss.backward()
x += 10
x.data *= 2
print(x, w.grad)
"""

CORPUS["unseeded_random_draws"] = """\
import torch

w = torch.randn(3, requires_grad=True)
noise = torch.rand(3)
loss = (w * noise).sum()
loss.backward()
print(w, noise, w.grad)
"""

# --- ops with several outputs ---------------------------------------------------------------

CORPUS["max_builtin_over_rows"] = """\
import torch

m = torch.tensor([2.0, 5.0, -1.0], requires_grad=True)
top = max(m)
low = min(m)
loss = top - low
loss.backward()
print(top, low, m.grad)
"""

CORPUS["split_and_use_one_part"] = """\
import torch

c = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
p, q = torch.split(c * 1, [1, 2])
loss = (q * 2).sum() + (q * q).sum()
loss.backward()
print(p, q, c.grad)
"""

CORPUS["unbind_chunk_and_rows"] = """\
import torch

x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
first, second, third = x.unbind(0)
left, right = torch.chunk(x, 2, dim=1)
total = first.sum() * 2 + third.sum() + right.sum()
for row in x:
    total = total + row[0]
total.backward()
print(first, third, right, x.grad)
"""

CORPUS["max_with_dim_topk_and_sort"] = """\
import torch

x = torch.tensor([[1.0, 3.0, 2.0], [4.0, 0.5, 6.0]], requires_grad=True)
values, indices = torch.max(x, 1)
best = x.topk(2, dim=1)
ordered, order = torch.sort(x[0], descending=True)
loss = values.sum() + best.values[:, 1].sum() * 2 + (ordered * torch.tensor([1.0, 2.0, 3.0])).sum()
loss.backward()
print(values, indices, best.indices, order)
print(x.grad)
"""

# --- torch.autograd.grad -------------------------------------------------------------------

CORPUS["autograd_grad_returns_leaves_gradient"] = """\
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * -3 + w * w).sum()
g = torch.autograd.grad(loss, w)[0]
print(g, w.grad)
"""

CORPUS["autograd_grad_of_two_inputs_one_inside"] = """\
import torch

x = torch.tensor([0.5, 1.5], requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
h = x * b
loss = (h.sin() * h).sum()
gh, gb = torch.autograd.grad(loss, [h, b])
print(gh, gb, x.grad, b.grad)
"""

# --- method forms the language promises ---------------------------------------------------

CORPUS["method_forms_of_torch_functions"] = """\
import torch

A = torch.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
x = torch.tensor([0.5, 0.25], requires_grad=True)
a = torch.tensor([[[1.0, 2.0]]])
parts = [
    A.det(), x.asin(), x.atan2(x + 1), x.cumprod(0), x.median(), a.bmm(a.transpose(1, 2)),
    x.inner(x), A.inverse(), A.kron(A), x.roll(1), x.fmod(0.3), x.remainder(0.3),
    (x * 7).trunc(), (x * 7).frac(), x.sinh(), x.cosh(), x.acos(), x.atan(), A.addmm(A, A),
    x.expm1(), x.exp2(), x.hypot(x), A.logical_not(), x.isfinite(), x.count_nonzero(),
]
total = A.sum() * 0
for part in parts:
    if part.is_floating_point():
        total = total + part.sum()
total.backward()
for part in parts:
    print(part)
print(A.grad, x.grad)
"""

CORPUS["fstring_with_string_fields"] = """\
import torch

acc = torch.tensor(0.75)
print(f"{'ok' if acc > 0.5 else 'bad'}: {acc.item():.2f}")
print(f"{'-' * 3}{'x'!r}")
"""

# Programs whose printed output shows memory addresses (grad_fn objects, generators).
SHOWS_ADDRESSES = frozenset({"grad_fn_printed", "print_iterators", "print_callables"})
