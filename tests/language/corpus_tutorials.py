"""Tutorial-style programs: the target of the language's growth.

Data only: program id -> source. Each program is written in the style of popular PyTorch
tutorials and textbooks (linear regression, a sine fit, XOR, makemore-style bigrams, a
tiny CNN, a char-RNN step, a custom ReLU, a DataLoader loop ...) and uses functions,
classes, custom autograd functions and the wider torch surface the language is growing
to. Every program is valid Python that CPython + torch runs deterministically in well
under a second; test_tutorials.py runs each in plain CPython and through chainrule and
compares the printed output, every tensor bound to a name, .grad and module parameters.
The comment at the top of each program names the items it covers.

`TUTORIALS_PLOTTING` holds the few programs that draw with matplotlib: the test gives
plain CPython a stand-in `matplotlib.pyplot` whose functions do nothing and print nothing,
as chainrule's own stand-in does, so the outputs are compared as they are.
`CLOCK_NAMES` lists, per program, the names that hold clock readings (`time.time()`,
`time.perf_counter()`): their values differ from run to run, so they are left out of the
comparison (no clock reading ever reaches the printed output).
"""

from __future__ import annotations

TUTORIALS: dict[str, str] = {}
TUTORIALS_PLOTTING: dict[str, str] = {}
CLOCK_NAMES: dict[str, frozenset[str]] = {}

# --- functions ----------------------------------------------------------------------------

TUTORIALS["functions_defaults_keywords_returns"] = """\
# covers: def with defaults, keyword arguments (in any order), return, early return,
# returning tuples and unpacking them, if/elif/else inside functions, a list comprehension
import torch


def linear(x, w, b=0.0):
    return x * w + b


def clipped(value, low=-1.0, high=1.0):
    if value < low:
        return low
    elif value > high:
        return high
    return value


def stats(t):
    if t.numel() == 0:
        return None, None
    return t.mean(), t.std()


w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor([1.0, 2.0, 3.0])
y1 = linear(x, w)
y2 = linear(x, w, b=1.0)
y3 = linear(b=-1.0, w=w, x=x)
loss = (y1 + y2 + y3).sum()
loss.backward()
print(y1, y2, y3, sep="\\n")
print("dloss/dw:", w.grad)
print([clipped(v) for v in [-3.0, 0.25, 7.0]])
print(clipped(5.0, high=10.0), clipped(high=0.5, value=0.75))
mean, std = stats(x)
print(round(mean.item(), 4), round(std.item(), 4))
empty_mean, empty_std = stats(torch.tensor([]))
print(empty_mean, empty_std)
"""

TUTORIALS["functions_args_kwargs"] = """\
# covers: *args and **kwargs in def, *args in calls (f(*pair), torch.randn(*shape),
# torch.mul(*pair)), **options passed on, kwargs.items(), dict .get(k, default),
# nn.Sequential(*layers), ", ".join
import torch
import torch.nn as nn


def total(*args):
    result = 0
    for a in args:
        result = result + a
    return result


def make_mlp(*sizes, **options):
    bias = options.get("bias", True)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
    return nn.Sequential(*layers)


def describe(name, **kwargs):
    parts = [f"{k}={v}" for k, v in sorted(kwargs.items())]
    return name + "(" + ", ".join(parts) + ")"


torch.manual_seed(1)
print(total(1, 2, 3), total(), total(*[4, 5]))
pair = (torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True))
s = total(*pair)
p = torch.mul(*pair)
(s * p).backward()
print(s, p, pair[0].grad, pair[1].grad)
shape = (2, 3)
noise = torch.randn(*shape)
print(noise.shape)
print(noise)
model = make_mlp(3, 4, 2, bias=False)
print(model)
out = model(noise)
out.sum().backward()
print(out)
print(model[0].weight.grad)
print(describe("Linear", in_features=3, out_features=4, bias=False))
options = {"lr": 0.1, "momentum": 0.9}
print(describe("SGD", **options))
"""

TUTORIALS["closures_capture_values"] = """\
# covers: closures (a function returning a function that captures a variable), nested
# functions, a closure appending to a captured list, lambda assigned to a name, functions
# that build graphs
import torch


def make_power(n):
    def power(x):
        return x ** n
    return power


def make_affine(w, b):
    def affine(x):
        return w * x + b
    return affine


def make_logger():
    seen = []

    def log(label):
        seen.append(label)
        return len(seen)
    return log


square = make_power(2)
cube = make_power(3)
x = torch.tensor([1.0, 2.0, -1.5], requires_grad=True)
y = square(x) + cube(x)
y.sum().backward()
print(y)
print(x.grad)

w = torch.tensor(0.5, requires_grad=True)
b = torch.tensor(-1.0, requires_grad=True)
f = make_affine(w, b)
loss = (f(torch.tensor([1.0, 2.0])) ** 2).mean()
loss.backward()
print(round(loss.item(), 4), w.grad, b.grad)

log = make_logger()
log("forward")
log("backward")
print(log("step"))
half = lambda v: v / 2
print(half(torch.tensor([4.0, 6.0])), half(3))
"""

TUTORIALS["closure_captures_module"] = """\
# covers: closures capturing a module and an optimizer, a function returning a training
# step function, a loss function object captured by a closure, torch.no_grad inside a
# nested function, early return from inside `with`
import torch
import torch.nn as nn

torch.manual_seed(3)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))


def make_predictor(net, threshold=0.5):
    def predict(x):
        with torch.no_grad():
            return (torch.sigmoid(net(x)) > threshold).float()
    return predict


def make_trainer(net, lr):
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [0.0], [0.0], [1.0]])
predict = make_predictor(model)
step = make_trainer(model, lr=0.5)
for epoch in range(300):
    loss = step(X, Y)
    if epoch % 100 == 0:
        print(epoch, round(loss, 4))
print(round(loss, 4))
print(predict(X).flatten())
print(model[0].bias.grad)
"""

TUTORIALS["recursion_factorial_horner"] = """\
# covers: recursion (factorial, a recursive sum over nested lists, Horner's rule built
# recursively into a graph), early return, isinstance against list, list slicing,
# import math (math.e, math.isclose)
import math

import torch


def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def nested_sum(items):
    total = 0
    for item in items:
        if isinstance(item, list):
            total = total + nested_sum(item)
        else:
            total = total + item
    return total


def horner(coeffs, x):
    # a0 + x * (a1 + x * (a2 + ...))
    if len(coeffs) == 1:
        return coeffs[0]
    return coeffs[0] + x * horner(coeffs[1:], x)


def taylor_exp(x, terms=8):
    return horner([1.0 / factorial(k) for k in range(terms)], x)


print(factorial(5), factorial(10))
print(nested_sum([1, [2, 3], [[4], 5], []]))
x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
approx = taylor_exp(x)
approx.sum().backward()
print(approx)
print(x.grad)
print(math.isclose(approx[2].item(), math.e, rel_tol=1e-4))
"""

TUTORIALS["lambdas_sorted_map_filter"] = """\
# covers: lambda with sorted(key=...), reverse=True, max(key=...), map, filter, a dict
# comprehension over named_parameters, map over a tensor's rows, sum of a list of tensors
import torch
import torch.nn as nn

torch.manual_seed(7)
model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
sizes = {name: p.numel() for name, p in model.named_parameters()}
by_size = sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)
print(by_size)
print(max(sizes, key=lambda k: sizes[k]))
scores = [0.3, -1.2, 2.5, 0.0, -0.4]
print(list(map(lambda s: round(s * 2, 2), scores)))
print(list(filter(lambda s: s > 0, scores)))
print(sorted(scores, key=lambda s: abs(s)))
words = ["tensor", "grad", "autograd", "leaf"]
print(sorted(words, key=len), sorted(words, key=lambda w: w[-1]))
x = torch.randn(5, 4)
out = model(x)
row_losses = list(map(lambda row: (row ** 2).sum(), out))
total = sum(row_losses)
total.backward()
print([round(r.item(), 4) for r in row_losses])
print(model[2].bias.grad)
"""

TUTORIALS["loss_fn_training_loop"] = """\
# covers: def loss_fn(pred, y) used in a training loop, a model written as a function of
# global tensors, an update function with a default learning rate, returning a tuple,
# for t in range(1000) with manual updates
import torch

torch.manual_seed(0)
X = torch.linspace(-1, 1, 20).unsqueeze(1)
Y = 3 * X - 0.5 + 0.1 * torch.randn(20, 1)
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def model(x):
    return x * w + b


def loss_fn(pred, y):
    return ((pred - y) ** 2).mean()


def sgd_step(params, lr=0.1):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


def evaluate(x, y):
    with torch.no_grad():
        pred = model(x)
        return loss_fn(pred, y).item(), pred


for t in range(1000):
    loss = loss_fn(model(X), Y)
    loss.backward()
    sgd_step([w, b])
    if t % 250 == 0:
        print(f"step {t}: loss {loss.item():.4f}")
final_loss, pred = evaluate(X, Y)
print(round(final_loss, 4), round(w.item(), 4), round(b.item(), 4))
print(pred.shape)
"""

TUTORIALS["defaults_evaluated_once"] = """\
# covers: default arguments evaluated once (a default read from a name that changes later,
# a mutable default list that remembers), nested functions, keyword arguments
import torch

scale = 2.0


def scaled(x, factor=scale):
    return x * factor


def remember(value, seen=[]):
    seen.append(value)
    return len(seen)


def outer(x):
    def inner(y):
        return y * y + x
    return inner(x) + inner(2 * x)


scale = 10.0
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = scaled(x)
print(y)
print(scaled(x, factor=scale))
print(remember("a"), remember("b"), remember("c"))
print(remember("d", seen=[]), remember("e"))
z = outer(x)
z.sum().backward()
print(z)
print(x.grad)
"""

TUTORIALS["map_filter_user_functions"] = """\
# covers: map and filter with user functions, map over two lists, f(*pair), zip(*pairs),
# torch.randn(*shape), torch.ones(*shape), global in a function, sum over map(lambda)
import torch

calls = 0


def square(v):
    global calls
    calls += 1
    return v * v


def is_positive(v):
    return v > 0


def area(w, h):
    return w * h


print(list(map(square, [1, 2, 3])), calls)
print(list(filter(is_positive, [-2, 5, 0, 3])))
pairs = [(2, 3), (4, 5)]
print([area(*p) for p in pairs], list(map(area, [1, 2], [3, 4])))
print(list(zip(*pairs)))
torch.manual_seed(18)
shape = [2, 3]
a = torch.randn(*shape, requires_grad=True)
b = torch.ones(*shape) * 2
squares = list(map(square, [a, b]))
total = sum(map(lambda t: t.sum(), squares))
total.backward()
print(total, calls)
print(a.grad)
print(len(list(filter(lambda row: row.sum().item() > 0, a.detach()))))
"""

TUTORIALS["d2l_linear_regression_scratch"] = """\
# covers: the textbook "linear regression from scratch": def synthetic_data, a data_iter
# generator with random.shuffle (Python's random, unseeded: relies on random.seed(0)),
# yield, def linreg / squared_loss / sgd(params, lr, batch_size), for epoch loops,
# f-strings, torch.normal(float, float, shape), list(range(...)), min()
import random

import torch


def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 100)
print("features:", features[0], "label:", labels[0])
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr, num_epochs, batch_size = 0.03, 3, 10
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = squared_loss(linreg(X, w, b), y)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
print(f"error in w: {true_w - w.reshape(true_w.shape)}")
print(f"error in b: {true_b - b}")
"""

TUTORIALS["d2l_softmax_scratch"] = """\
# covers: softmax regression from scratch: def softmax(X) with keepdim=True, def net(X)
# reading global W and b, def cross_entropy with fancy indexing, def accuracy with
# if/else on shapes, a class Accumulator (plain class with __init__, add(*args), reset,
# __getitem__), zip, float(), range(len(y_hat))
import torch


class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


torch.manual_seed(33)
num_inputs, num_outputs = 16, 3
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)
X = torch.randn(30, 4, 4)
y = (X.mean(dim=(1, 2)) > 0).long() + (X[:, 0, 0] > 1).long()
metric = Accumulator(3)
for epoch in range(5):
    metric.reset()
    for start in range(0, 30, 10):
        Xb, yb = X[start:start + 10], y[start:start + 10]
        y_hat = net(Xb)
        l = cross_entropy(y_hat, yb)
        l.mean().backward()
        with torch.no_grad():
            W -= 0.5 * W.grad
            b -= 0.5 * b.grad
            W.grad.zero_()
            b.grad.zero_()
        metric.add(float(l.sum()), accuracy(y_hat, yb), yb.numel())
    print(f"epoch {epoch + 1}: loss {metric[0] / metric[2]:.4f}, acc {metric[1] / metric[2]:.3f}")
print(softmax(torch.tensor([[1.0, 2.0, 3.0]])))
print(b)
"""

# --- classes of modules -------------------------------------------------------------------

TUTORIALS["module_class_basic"] = """\
# covers: class Net(nn.Module) with __init__, super().__init__(), self.fc1 = nn.Linear,
# forward, model(x), print(model), sum(p.numel() for p in model.parameters()), an
# optimizer over model.parameters(), F.cross_entropy, model.fc2.bias.grad
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.fc2(x)


torch.manual_seed(0)
model = Net()
print(model)
print(sum(p.numel() for p in model.parameters()))
x = torch.randn(5, 4)
target = torch.tensor([0, 2, 1, 1, 0])
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(50):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1}: {loss.item():.4f}")
print(model.fc2.bias.grad)
print(model(x).argmax(dim=1))
"""

TUTORIALS["module_super_explicit_predict"] = """\
# covers: super(Classifier, self).__init__(), constructor arguments, numbers, strings and
# lists as module attributes, other methods (predict, confidence) calling self.forward and
# self(x), if/elif/else inside a method, setting a number attribute later, model.eval()
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self, n_in, n_hidden, labels):
        super(Classifier, self).__init__()
        self.labels = labels
        self.n_hidden = n_hidden
        self.temperature = 1.0
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, len(labels))

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x))) / self.temperature

    def predict(self, x):
        with torch.no_grad():
            index = self.forward(x).argmax(dim=-1)
        return [self.labels[i] for i in index.tolist()]

    def confidence(self, x):
        p = torch.softmax(self(x), dim=-1).max(dim=-1).values.min().item()
        if p > 0.9:
            return "sure"
        elif p > 0.5:
            return "fairly sure"
        else:
            return "unsure"


torch.manual_seed(5)
clf = Classifier(2, 6, ["cat", "dog", "bird"])
print(clf)
print(clf.labels, clf.n_hidden, clf.temperature)
x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
y = torch.tensor([0, 1, 2])
opt = torch.optim.Adam(clf.parameters(), lr=0.05)
print(clf.confidence(x))
for step in range(200):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(clf(x), y)
    loss.backward()
    opt.step()
print(round(loss.item(), 4))
clf.eval()
print(clf.predict(x), clf.confidence(x))
clf.temperature = 5.0
print(clf.confidence(x))
"""

TUTORIALS["module_parameter_and_buffer"] = """\
# covers: nn.Parameter attributes (self.w = nn.Parameter(torch.randn(3))), buffers
# (self.register_buffer("scale", torch.tensor(2.0))) updated in forward, named_parameters,
# named_buffers, print(model) of a module without submodules, a training loop
import torch
import torch.nn as nn


class Affine(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n))
        self.b = nn.Parameter(torch.zeros(n))
        self.register_buffer("scale", torch.tensor(2.0))
        self.register_buffer("calls", torch.zeros(1))

    def forward(self, x):
        self.calls += 1
        return self.scale * (x * self.w + self.b)


torch.manual_seed(2)
layer = Affine(3)
print(layer)
for name, p in layer.named_parameters():
    print(name, p.shape, p.requires_grad)
print([name for name, _ in layer.named_buffers()])
x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -0.5, 1.0]])
target = torch.ones(2, 3)
optimizer = torch.optim.SGD(layer.parameters(), lr=0.05)
for i in range(20):
    optimizer.zero_grad()
    loss = ((layer(x) - target) ** 2).mean()
    loss.backward()
    optimizer.step()
print(round(loss.item(), 4))
print(layer.w, layer.b, sep="\\n")
print(layer.calls, layer.scale)
print(layer.w.grad)
"""

TUTORIALS["module_nested_blocks"] = """\
# covers: nested user modules (a Block used inside a Net), default constructor arguments,
# nn.Sequential(*[Block(...) for _ in range(depth)]), residual connection, nn.LayerNorm,
# nn.GELU, print(model) with user class names, named_parameters, AdamW
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Net(nn.Module):
    def __init__(self, dim=4, depth=2):
        super().__init__()
        self.embed = nn.Linear(2, dim)
        self.blocks = nn.Sequential(*[Block(dim, 2 * dim) for _ in range(depth)])
        self.head = nn.Linear(dim, 1)

    def forward(self, x):
        return self.head(self.blocks(self.embed(x)))


torch.manual_seed(11)
net = Net()
print(net)
names = [name for name, _ in net.named_parameters()]
print(len(names), names[:4])
x = torch.randn(6, 2)
y = x[:, :1] * x[:, 1:]
opt = torch.optim.AdamW(net.parameters(), lr=0.01)
for step in range(100):
    opt.zero_grad()
    loss = nn.functional.mse_loss(net(x), y)
    loss.backward()
    opt.step()
print(f"{loss.item():.4f}")
print(net.blocks[0].ff[0].bias.grad)
"""

TUTORIALS["module_list_and_dict"] = """\
# covers: nn.ModuleList and nn.ModuleDict of layers in a user module, .append on a
# ModuleList, indexing a ModuleDict with a string, a forward with a keyword argument that
# returns a dict, isinstance against nn.Linear, all(...) and sum(...) over net.modules()
import torch
import torch.nn as nn


class MultiHead(nn.Module):
    def __init__(self, sizes, heads):
        super().__init__()
        self.layers = nn.ModuleList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers.append(nn.Linear(n_in, n_out))
        self.heads = nn.ModuleDict({name: nn.Linear(sizes[-1], n) for name, n in heads.items()})
        self.act = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})

    def forward(self, x, act="relu"):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.act[act](x)
        return {name: head(x) for name, head in self.heads.items()}


torch.manual_seed(4)
net = MultiHead([3, 5, 4], {"color": 3, "size": 2})
print(net)
x = torch.randn(2, 3)
outs = net(x)
outs_tanh = net(x, act="tanh")
loss = outs["color"].sum() + outs["size"].pow(2).sum() + outs_tanh["size"].mean()
loss.backward()
for key in sorted(outs):
    print(key, outs[key].shape)
print(len(net.layers), list(net.heads.keys()))
print(net.heads["size"].bias.grad)
print(all(isinstance(m, nn.Linear) for m in net.layers))
print(sum(1 for m in net.modules() if isinstance(m, nn.Linear)))
"""

TUTORIALS["module_train_eval_dropout"] = """\
# covers: model.train()/model.eval() with nn.Dropout, self.training inside forward,
# F.dropout(training=self.training), .training of a submodule, evaluation under no_grad
import torch
import torch.nn as nn
import torch.nn.functional as F


class DropNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.drop = nn.Dropout(p=0.5)

    def forward(self, x):
        h = self.drop(torch.relu(self.fc(x)))
        return F.dropout(h, p=0.25, training=self.training)


torch.manual_seed(8)
net = DropNet()
x = torch.ones(2, 6)
print(net.training)
train_out = net(x)
train_out.sum().backward()
print(train_out)
print(net.fc.bias.grad)
net.eval()
print(net.training, net.drop.training)
with torch.no_grad():
    eval_out = net(x)
print(eval_out)
net.train()
print(net.training, (net(x) == 0).sum().item())
"""

TUTORIALS["linear_regression_class"] = """\
# covers: class LinearRegression(nn.Module) with super(LinearRegression, self).__init__(),
# nn.MSELoss, SGD, for epoch in range(1000), "Epoch [%d/%d], Loss: %.4f" % (...),
# named_parameters with param.item(), a prediction with %.3f
import torch
import torch.nn as nn


class LinearRegression(nn.Module):
    def __init__(self, in_dim, out_dim):
        super(LinearRegression, self).__init__()
        self.linear = nn.Linear(in_dim, out_dim)

    def forward(self, x):
        return self.linear(x)


x_train = torch.tensor([[1.0], [2.0], [3.0], [4.0], [5.0]])
y_train = torch.tensor([[2.9], [5.1], [7.0], [8.8], [11.2]])
torch.manual_seed(42)
model = LinearRegression(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
num_epochs = 1000
for epoch in range(num_epochs):
    outputs = model(x_train)
    loss = criterion(outputs, y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 200 == 0:
        print("Epoch [%d/%d], Loss: %.4f" % (epoch + 1, num_epochs, loss.item()))
for name, param in model.named_parameters():
    print(name, round(param.item(), 4))
predicted = model(torch.tensor([[6.0]])).item()
print("prediction for 6: %.3f" % predicted)
"""

TUTORIALS["logistic_regression_class"] = """\
# covers: a logistic regression module with torch.sigmoid, nn.BCELoss, Adam, accuracy
# from comparisons, "%(stage)s %(epoch)3d loss=%(loss).4f" % {...} formatting,
# "{name}: {val:.2f}".format(name=..., val=...)
import torch
import torch.nn as nn


class LogisticRegression(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


torch.manual_seed(10)
X = torch.randn(40, 2)
y = ((X[:, 0] + 2 * X[:, 1]) > 0).float().unsqueeze(1)
model = LogisticRegression(2)
loss_fn = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
for epoch in range(200):
    y_pred = model(X)
    loss = loss_fn(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        row = {"stage": "train", "epoch": epoch, "loss": loss.item()}
        print("%(stage)s %(epoch)3d loss=%(loss).4f" % row)
with torch.no_grad():
    accuracy = ((model(X) > 0.5).float() == y).float().mean().item()
print("{name}: {val:.2f}".format(name="accuracy", val=accuracy))
print(model.linear.weight.grad)
"""

TUTORIALS["dynamic_net_random_depth"] = """\
# covers: control flow in forward chosen by Python's random.randint WITHOUT seeding (relies
# on the documented start: random.seed(0) and torch.manual_seed(0)), one module reused
# several times (weight sharing), a number attribute set in forward, SGD with momentum,
# a list of depths counted with .count
import random

import torch
import torch.nn as nn


class DynamicNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.input_layer = nn.Linear(d_in, hidden)
        self.middle = nn.Linear(hidden, hidden)
        self.output_layer = nn.Linear(hidden, d_out)
        self.last_depth = 0

    def forward(self, x):
        h = self.input_layer(x).clamp(min=0)
        self.last_depth = random.randint(0, 3)
        for _ in range(self.last_depth):
            h = self.middle(h).clamp(min=0)
        return self.output_layer(h)


x = torch.randn(16, 8)
y = torch.randn(16, 2)
model = DynamicNet(8, 12, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
depths = []
for t in range(300):
    loss = ((model(x) - y) ** 2).mean()
    depths.append(model.last_depth)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 100 == 99:
        print(t, round(loss.item(), 4))
print([depths.count(d) for d in range(4)], depths[:10])
print(model.middle.bias.grad, model.output_layer.bias.grad)
"""

# --- custom autograd functions ------------------------------------------------------------

TUTORIALS["custom_relu_function"] = """\
# covers: class MyReLU(torch.autograd.Function) with @staticmethod forward(ctx, x) and
# backward(ctx, grad_output), ctx.save_for_backward, ctx.saved_tensors, MyReLU.apply(x),
# relu = MyReLU.apply, the grad_fn's name, comparison with torch.relu's gradient at 0
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[x < 0] = 0
        return grad_input


x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
relu = MyReLU.apply
y = relu(x)
(y * torch.arange(5.0)).sum().backward()
print(y)
print(x.grad)
print(y.grad_fn.name())
x2 = x.detach().clone().requires_grad_()
(torch.relu(x2) * torch.arange(5.0)).sum().backward()
print(x2.grad)
print(torch.equal(x.grad, x2.grad), (x.grad - x2.grad).nonzero().flatten())
"""

TUTORIALS["legendre_polynomial_fit"] = """\
# covers: a custom Function for the Legendre polynomial P3(x) = (5x^3 - 3x) / 2 (with
# ctx.save_for_backward / ctx.saved_tensors and the derivative 1.5 (5x^2 - 1)), fitting
# y = a + b P3(c + d x) to sin(x) with manual updates for t in range(1000), math.pi,
# torch.full((), ...) scalars, f-strings
import math

import torch


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x ** 2 - 1)


x = torch.linspace(-math.pi, math.pi, 400)
y = torch.sin(x)
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)
learning_rate = 2e-5
P3 = LegendreP3.apply
for t in range(1000):
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 200 == 199:
        print(t, f"{loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        for param in (a, b, c, d):
            param -= learning_rate * param.grad
            param.grad = None
print(f"y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
"""

TUTORIALS["custom_function_two_inputs"] = """\
# covers: a custom Function with two inputs returning one gradient per input,
# ctx.save_for_backward(x, y) and x, y = ctx.saved_tensors, a docstring in a class,
# torch.autograd.gradcheck on float64 inputs (prints True)
import torch


class ProductPlus(torch.autograd.Function):
    \"\"\"z = x * y + x, with dz/dx = y + 1 and dz/dy = x.\"\"\"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y + x

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * (y + 1), grad_output * x


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
z = ProductPlus.apply(x, y)
z.sum().backward()
print(z, x.grad, y.grad, sep="\\n")
torch.manual_seed(34)
a = torch.randn(4, dtype=torch.float64, requires_grad=True)
b = torch.randn(4, dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(ProductPlus.apply, (a, b)))
"""

TUTORIALS["custom_function_ctx_constant"] = """\
# covers: a custom Function storing a non-tensor constant on ctx (ctx.alpha = alpha),
# backward returning None for the non-tensor input, a wrapper function with a default,
# torch.where with scalars, torch.linspace(..., requires_grad=True), torch.allclose
import torch


class ScaledLeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, alpha * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        slope = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, ctx.alpha))
        return grad_output * slope, None


def leaky(x, alpha=0.1):
    return ScaledLeakyReLU.apply(x, alpha)


x = torch.linspace(-2, 2, 5, requires_grad=True)
y = leaky(x) + leaky(x, alpha=0.5)
y.sum().backward()
print(y)
print(x.grad)
print(torch.allclose(x.grad, torch.where(x > 0, 2.0, 0.6).detach()))
"""

TUTORIALS["custom_function_in_module"] = """\
# covers: a custom Function (a straight-through clamp) used inside a module's forward, a
# backward that passes the gradient through unchanged, nn.Parameter(torch.tensor(1.5)),
# SGD with momentum, print(model)
import torch
import torch.nn as nn


class StraightThroughClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(0, 1)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class ClampNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.gain = nn.Parameter(torch.tensor(1.5))

    def forward(self, x):
        return self.gain * StraightThroughClamp.apply(self.fc(x))


torch.manual_seed(12)
net = ClampNet()
print(net)
x = torch.randn(8, 3)
target = torch.rand(8, 2)
opt = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9)
for step in range(60):
    opt.zero_grad()
    loss = ((net(x) - target) ** 2).mean()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(step, f"{loss.item():.4f}")
print(net.gain, net.gain.grad)
print(net.fc.weight.grad)
"""

TUTORIALS["gradcheck_and_gradgradcheck"] = """\
# covers: torch.autograd.gradcheck and gradgradcheck on float64 inputs (printing True),
# eps/atol keywords, a custom Function whose backward is itself differentiable (second
# derivatives through it), .double().requires_grad_(), torch.autograd.grad(create_graph=True)
import torch


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


def smooth(x, w):
    return torch.tanh(x @ w).sum(dim=1)


torch.manual_seed(0)
x = torch.randn(3, 4).double().requires_grad_()
w = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(smooth, (x, w), eps=1e-6, atol=1e-4))
print(torch.autograd.gradgradcheck(smooth, (x, w)))
v = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(Cube.apply, (v,)))
print(torch.autograd.gradgradcheck(Cube.apply, (v,)))
y = Cube.apply(v)
(g,) = torch.autograd.grad(y.sum(), v, create_graph=True)
g.sum().backward()
print(g)
print(v.grad)
"""

# --- control flow and data ----------------------------------------------------------------

TUTORIALS["while_loss_threshold"] = """\
# covers: a while loop with a condition on a loss, bounded by a step count, `and` in the
# condition, while True with break, if/elif/else in a loop, augmented assignment
import torch

w = torch.tensor([4.0, -3.0], requires_grad=True)
target = torch.tensor([1.0, 2.0])
lr = 0.1
step = 0
loss = ((w - target) ** 2).sum()
while loss.item() > 1e-4 and step < 500:
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    loss = ((w - target) ** 2).sum()
    step += 1
    if step % 10 == 0:
        print(step, round(loss.item(), 6))
print("converged after", step, "steps")
print(w)
attempts = 0
while True:
    attempts += 1
    if attempts == 1:
        kind = "first"
    elif attempts < 4:
        kind = "retry"
    else:
        break
print(attempts, kind)
"""

TUTORIALS["while_3000_iterations"] = """\
# covers: a while loop running 3000 iterations (gradient descent on a quartic), x.grad =
# None every step, many backward() calls, history kept in a list, math.isclose, math.floor,
# math.cos
import math

import torch

x = torch.tensor(2.0, requires_grad=True)
lr = 0.01
i = 0
history = []
while i < 3000:
    y = x ** 4 - 3 * x ** 2 + x
    y.backward()
    with torch.no_grad():
        x -= lr * x.grad
    x.grad = None
    if i % 600 == 0:
        history.append(round(y.item(), 4))
    i += 1
print(history)
print(round(x.item(), 4), i)
slope = 4 * x.item() ** 3 - 6 * x.item() + 1
print(math.isclose(slope, 0.0, abs_tol=1e-4))
print(math.floor(x.item() * 100), math.cos(0.0))
"""

TUTORIALS["break_continue_early_stopping"] = """\
# covers: for loops with break and continue, if/elif/else, early stopping with a patience
# counter, float("inf"), a dict holding a list and a count, nested loops with break and
# continue, a list of tuples
import torch
import torch.nn as nn

torch.manual_seed(13)
model = nn.Linear(3, 1)
x = torch.randn(16, 3)
y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
opt = torch.optim.SGD(model.parameters(), lr=0.05)
best, patience, bad_epochs = float("inf"), 5, 0
history = {"loss": [], "skipped": 0}
for epoch in range(400):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    value = loss.item()
    if epoch % 3 == 0:
        history["skipped"] += 1
        continue
    history["loss"].append(value)
    if value < 1e-3:
        print("reached the target at epoch", epoch)
        break
    elif value < best - 1e-6:
        best = value
        bad_epochs = 0
    else:
        bad_epochs += 1
    if bad_epochs >= patience:
        print("no progress, stopping at epoch", epoch)
        break
print(len(history["loss"]), history["skipped"], round(best, 4))
grid = []
for i in range(4):
    for j in range(4):
        if j > i:
            break
        if (i + j) % 2 == 1:
            continue
        grid.append((i, j))
print(grid)
"""

TUTORIALS["comprehensions_everywhere"] = """\
# covers: list, dict and set comprehensions (nested, with conditions), generator
# expressions in calls: sum(p.numel() for p in model.parameters()), any, all, max, min;
# tuple(p.shape), sorted(set), a nested list comprehension turned into a tensor
import torch
import torch.nn as nn

torch.manual_seed(14)
model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
n_params = sum(p.numel() for p in model.parameters())
n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(n_params, n_trainable)
squares = [i * i for i in range(8)]
evens = [s for s in squares if s % 2 == 0]
pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
dims = {d for shape in shapes.values() for d in shape}
print(squares, evens, pairs, sep="\\n")
print(shapes)
print(sorted(dims))
x = torch.randn(3, 5)
out = model(x)
loss = sum((row ** 2).sum() for row in out)
loss.backward()
grad_norms = {name: round(p.grad.norm().item(), 4) for name, p in model.named_parameters()}
print(grad_norms)
print(any(p.grad is None for p in model.parameters()), all(g > 0 for g in grad_norms.values()))
print(max(len(name) for name in shapes), min(v for v in x.flatten().tolist()) < 0)
matrix = [[float(i == j) for j in range(3)] for i in range(3)]
print(torch.tensor(matrix))
"""

TUTORIALS["dicts_of_hyperparameters"] = """\
# covers: dict literals, d[k], d[k] = v, .items(), .keys(), .values(), .get(k, default),
# in / not in on a dict, len(d), a dict of activation modules, a dict of lists,
# "{} epochs, best {:.4f}".format(...), "{0:>10} = {1}".format(...), isinstance(v, int)
import torch
import torch.nn as nn

config = {"lr": 0.1, "epochs": 30, "hidden": 8}
config["activation"] = "tanh"
config["epochs"] = config["epochs"] + 10
print(sorted(config.keys()))
print(config.get("momentum", 0.0), config.get("lr", 1.0))
print("dropout" in config, "hidden" not in config, len(config))
activations = {"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid()}
torch.manual_seed(15)
model = nn.Sequential(nn.Linear(1, config["hidden"]), activations[config["activation"]],
                      nn.Linear(config["hidden"], 1))
opt = torch.optim.SGD(model.parameters(), lr=config["lr"])
x = torch.linspace(-1, 1, 10).unsqueeze(1)
y = x ** 2
history = {"train": [], "best": None}
for epoch in range(config["epochs"]):
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
    history["train"].append(loss.item())
    if history["best"] is None or loss.item() < history["best"]:
        history["best"] = loss.item()
print("{} epochs, best {:.4f}".format(len(history["train"]), history["best"]))
for key, value in config.items():
    print("{0:>10} = {1}".format(key, value))
print(sum(1 for v in config.values() if isinstance(v, int)))
print(model)
"""

TUTORIALS["list_methods_tour"] = """\
# covers: list methods append, extend, pop (last and by index), insert, reverse, sort
# (plain, reverse=True, key=lambda), index, count, in / not in, slicing and [::-1],
# a list of leaf tensors stacked and their gradients
import torch

losses = [0.9, 0.5, 0.7]
losses.append(0.3)
losses.extend([0.6, 0.3])
print(losses, len(losses))
last = losses.pop()
first = losses.pop(0)
losses.insert(1, 0.45)
print(last, first, losses)
print(losses.index(0.3), losses.count(0.3), 0.7 in losses, 0.1 not in losses)
losses.reverse()
print(losses)
losses.sort()
print(losses)
losses.sort(reverse=True)
print(losses[:2], losses[-1])
tensors = []
for i in range(4):
    tensors.append(torch.full((2,), float(i), requires_grad=True))
stacked = torch.stack(tensors)
(stacked ** 2).sum().backward()
print(stacked)
print([t.grad.tolist() for t in tensors])
names = ["bob", "alice", "carol"]
names.sort(key=lambda s: len(s))
print(names, names[::-1], sorted(names, reverse=True))
"""

TUTORIALS["tuple_unpacking_everywhere"] = """\
# covers: tuple unpacking in for loops over pairs, enumerate with nested unpacking
# (i, (a, b)), starred first, *rest = ... and *init, last = ..., nested unpacking, swapping,
# unpacking torch results (values, indices = torch.sort(w)), rows, cols = t.shape,
# unpacking tensor rows in a zip, print(end=" ")
import torch

pairs = [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
for a, b in pairs:
    print(a + b, end=" ")
print()
for i, (a, b) in enumerate(pairs):
    print(i, a * b)
first, *rest = [10, 20, 30, 40]
*init, last = "abcd"
head, (x1, x2), tail = 0, (1, 2), 3
print(first, rest, init, last, head, x1, x2, tail)
a, b = 1, 2
a, b = b, a
print(a, b)
w = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
values, indices = torch.sort(w)
top_val, top_idx = w.max(dim=0)
(values * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print(values, indices, top_val, top_idx)
print(w.grad)
rows, cols = torch.zeros(2, 5).shape
print(rows, cols)
xs = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
for (p, q), label in zip(xs, ["first", "second"]):
    print(label, p.item(), q.item())
"""

TUTORIALS["string_methods_and_formatting"] = """\
# covers: strings assigned to names, upper, lower, title, strip, replace, split (with and
# without a separator), join, startswith, endswith, zfill, count, find, `in` on strings,
# string concatenation, "loss %.4f" % x, "%d/%d" % (a, b), "%5.1f%%", "%s and %r",
# "%(name)s" % {...}, "{} {:.3f}".format, "{0} {1} {0}", alignment, "{name}: {val:.2f}",
# "{:,}", "{:e}", "{:+.1f}", parsing "key=value" text into a dict of floats
import torch

text = "  The Quick brown fox  "
clean = text.strip()
print(clean.upper(), clean.lower(), clean.title())
print(clean.replace("Quick", "slow"), clean.split(), clean.split("o"))
print("-".join(["a", "b", "c"]), clean.startswith("The"), clean.endswith("x"))
print(str(7).zfill(3), "fox" in clean, clean.count("o"), clean.find("brown"))
tag = "epoch"
label = tag + "_" + str(3).zfill(4)
print(label, len(label))
loss = torch.tensor(0.123456)
print("loss %.4f" % loss.item())
print("%d/%d" % (7, 10), "%5.1f%%" % 87.25, "%s and %r" % ("a", "b"))
print("%(name)s has %(n)d parameters" % {"name": "fc1", "n": 12})
print("{} {:.3f}".format("loss", loss.item()))
print("{0} {1} {0}".format("a", "b"), "{:>6}|{:<6}|{:^6}|".format("r", "l", "c"))
print("{name}: {val:.2f}".format(name="accuracy", val=0.8765))
print("{:,}".format(1234567), "{:e}".format(0.00012), "{:+.1f}".format(2.0))
params = {}
for item in "w=1.5; b=-0.5".split(";"):
    key, value = item.strip().split("=")
    params[key] = float(value)
print(params)
t = torch.tensor([params["w"], params["b"]], requires_grad=True)
(t ** 2).sum().backward()
print(t.grad)
"""

TUTORIALS["makemore_bigram_counts"] = """\
# covers: names in a list of strings, chars = sorted(set("".join(words))),
# stoi = {s: i + 1 for i, s in enumerate(chars)}, itos, ["."] + list(w) + ["."], zip(chs,
# chs[1:]), a count matrix N[ix1, ix2] += 1, P / P.sum(1, keepdims=True),
# g = torch.Generator().manual_seed(2147483647), torch.multinomial(..., num_samples=1,
# replacement=True, generator=g), while True with break, the average negative log likelihood
import torch

words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella"]
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)
print(V, "".join(chars))
N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
print(N[0])
P = (N + 1).float()
P = P / P.sum(1, keepdims=True)
g = torch.Generator().manual_seed(2147483647)
for i in range(5):
    out = []
    ix = 0
    while True:
        ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0 or len(out) > 12:
            break
    print("".join(out))
log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        log_likelihood += torch.log(P[stoi[ch1], stoi[ch2]]).item()
        n += 1
print(f"nll {-log_likelihood / n:.4f} over {n} pairs")
"""

TUTORIALS["makemore_bigram_neural"] = """\
# covers: makemore-style neural bigram: xs/ys lists turned into tensors, xs.nelement(),
# F.one_hot(xs, num_classes=V).float(), W = torch.randn((V, V), generator=g,
# requires_grad=True), counts / counts.sum(1, keepdims=True), probs[torch.arange(num), ys],
# W.grad = None, W.data += -lr * W.grad, for k in range(100)
import torch
import torch.nn.functional as F

words = ["anna", "bob", "hannah", "otto", "ada"]
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
V = len(stoi)
print("examples:", num, "vocab:", V)
g = torch.Generator().manual_seed(2147483647)
W = torch.randn((V, V), generator=g, requires_grad=True)
for k in range(100):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
    if k % 25 == 0:
        print(k, round(loss.item(), 4))
    W.grad = None
    loss.backward()
    W.data += -10 * W.grad
print(round(loss.item(), 4))
print(W.grad[0])
"""

TUTORIALS["batch_generator_yield"] = """\
# covers: a batch generator function with yield used in a for loop, an early return in a
# generator, a generator with a while loop, next(it), next(gen, default), iter(...),
# list(generator), sum(generator), torch.randperm(n, generator=g), if/else in a generator
import torch
import torch.nn as nn


def batches(X, y, batch_size, gen=None):
    n = X.shape[0]
    if n == 0:
        return
    if gen is None:
        order = torch.arange(n)
    else:
        order = torch.randperm(n, generator=gen)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def countdown(n):
    while n > 0:
        yield n
        n -= 1


torch.manual_seed(16)
X = torch.randn(10, 2)
y = X.sum(dim=1, keepdim=True)
model = nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
g = torch.Generator().manual_seed(0)
for epoch in range(3):
    total = 0.0
    for xb, yb in batches(X, y, batch_size=4, gen=g):
        opt.zero_grad()
        loss = ((model(xb) - yb) ** 2).mean()
        loss.backward()
        opt.step()
        total += loss.item() * xb.shape[0]
    print(epoch, round(total / 10, 4))
it = iter(batches(X, y, 3))
xb0, yb0 = next(it)
xb1, yb1 = next(it)
print(xb0.shape, xb1.shape, len(list(it)))
print(list(batches(X[:0], y[:0], 2)))
print(list(countdown(4)), sum(countdown(10)))
gen = countdown(2)
print(next(gen), next(gen), next(gen, "done"))
print(model.weight.grad)
"""

TUTORIALS["iter_next_sorted_isinstance"] = """\
# covers: isinstance against bool, int, float, list, torch.Tensor, nn.Linear, nn.Module and
# a tuple of types; sorted, reversed, set, next, iter (over a list and over a Sequential),
# any, all, a chain of `if ...: return` in a function
import torch
import torch.nn as nn


def kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "list"
    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, nn.Linear):
        return "linear"
    if isinstance(value, nn.Module):
        return "module"
    return "other"


torch.manual_seed(17)
things = [3, 2.5, [1, 2], torch.ones(2), nn.Linear(2, 2), nn.ReLU(), "text", True]
print([kind(t) for t in things])
print(isinstance(nn.Linear(1, 1), nn.Module), isinstance(torch.ones(1), (int, float)))
numbers = [5, 3, 9, 1, 3]
print(sorted(numbers), list(reversed(numbers)), sorted(set(numbers)), len(set(numbers)))
print(3 in set(numbers), sorted(numbers, reverse=True)[:3])
it = iter(numbers)
print(next(it), next(it), list(it))
model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
layers = iter(model)
first_layer = next(layers)
print(isinstance(first_layer, nn.Linear), kind(next(layers)))
params = list(model.parameters())
for p in reversed(params):
    print(tuple(p.shape))
x = torch.randn(4, 3)
model(x).sum().backward()
print(all(p.grad is not None for p in params), any(p.grad.abs().sum() == 0 for p in params))
print(model[2].weight.grad)
"""

TUTORIALS["micrograd_style_layers"] = """\
# covers: plain Python classes in the makemore style (class Linear: with __init__,
# __call__ and parameters() returning a list; class Tanh), a list of layers, [p for layer
# in layers for p in layer.parameters()], p.requires_grad = True, p.grad = None,
# p.data += -lr * p.grad, a conditional learning rate, layer.out statistics, generator=g
import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(2147483647)


class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in ** 0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


n_in, n_hidden, n_out = 6, 16, 4
layers = [Linear(n_in, n_hidden), Tanh(), Linear(n_hidden, n_hidden), Tanh(),
          Linear(n_hidden, n_out, bias=False)]
parameters = [p for layer in layers for p in layer.parameters()]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True
Xb = torch.randn((32, n_in), generator=g)
Yb = torch.randint(0, n_out, (32,), generator=g)
lossi = []
for i in range(200):
    x = Xb
    for layer in layers:
        x = layer(x)
    loss = F.cross_entropy(x, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 150 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
    if i % 50 == 0:
        print(f"{i:4d}/{200}: {loss.item():.4f}")
print(round(lossi[-1], 4))
for i, layer in enumerate(layers):
    if isinstance(layer, Tanh):
        t = layer.out
        saturated = (t.abs() > 0.97).float().mean().item() * 100
        print(f"layer {i}: mean {t.mean().item():+.2f}, saturated {saturated:.2f}%")
"""

TUTORIALS["word_counts_and_vocab"] = """\
# covers: text processing: lower(), replace(), split(), a dict of word counts with
# .get(w, 0) + 1, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), a vocabulary
# dict, a bag-of-words tensor, "%-8s %d" % (...), str.join over a generator, ljust
import torch
import torch.nn as nn

corpus = [
    "The cat sat on the mat.",
    "The dog sat on the log!",
    "A cat and a dog.",
]
tokens = [line.lower().replace(".", "").replace("!", "").split() for line in corpus]
counts = {}
for sentence in tokens:
    for word in sentence:
        counts[word] = counts.get(word, 0) + 1
ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
for word, c in ranked[:4]:
    print("%-8s %d" % (word, c))
vocab = {word: i for i, (word, _) in enumerate(ranked)}
print(len(vocab), " ".join(w for w, _ in ranked[:5]))
bow = torch.zeros(len(tokens), len(vocab))
for row, sentence in enumerate(tokens):
    for word in sentence:
        bow[row, vocab[word]] += 1
print(bow)
torch.manual_seed(35)
classifier = nn.Linear(len(vocab), 2)
labels = torch.tensor([0, 1, 1])
loss = nn.functional.cross_entropy(classifier(bow), labels)
loss.backward()
print(round(loss.item(), 4), classifier.bias.grad)
print("|" + "cat".ljust(6) + "|" + "dog".rjust(6) + "|")
"""

# --- long loops ---------------------------------------------------------------------------

TUTORIALS["sin_polynomial_fit_2000"] = """\
# covers: for t in range(2000) with manual updates on four scalar tensors (a cubic fitted
# to sin(x)), math.pi, torch.linspace, several backward() calls, p.grad = None under
# no_grad, printing every 400 steps, an f-string with several fields
import math

import torch

x = torch.linspace(-math.pi, math.pi, 500)
y = torch.sin(x)
torch.manual_seed(0)
a = torch.randn((), requires_grad=True)
b = torch.randn((), requires_grad=True)
c = torch.randn((), requires_grad=True)
d = torch.randn((), requires_grad=True)
learning_rate = 5e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 400 == 399:
        print(t, f"{loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
print(f"y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
"""

TUTORIALS["sin_fit_sequential_rmsprop"] = """\
# covers: x.unsqueeze(-1).pow(p) with p = torch.tensor([1, 2, 3]), nn.Sequential(nn.Linear(3,
# 1), nn.Flatten(0, 1)), nn.MSELoss(reduction="sum"), manual updates over
# model.parameters() (param -= lr * param.grad), then RMSprop for t in range(1000),
# linear_layer = model[0], .weight[:, 0].item()
import math

import torch
import torch.nn as nn

x = torch.linspace(-math.pi, math.pi, 200)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print(xx.shape)
torch.manual_seed(36)
model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
loss_fn = nn.MSELoss(reduction="sum")
learning_rate = 1e-5
for t in range(300):
    loss = loss_fn(model(xx), y)
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
print("manual:", round(loss.item(), 4))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(1000):
    loss = loss_fn(model(xx), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 250 == 249:
        print(t, round(loss.item(), 4))
linear_layer = model[0]
w = linear_layer.weight
print(f"y = {linear_layer.bias.item():.4f} + {w[:, 0].item():.4f} x + "
      f"{w[:, 1].item():.4f} x^2 + {w[:, 2].item():.4f} x^3")
"""

TUTORIALS["two_layer_net_500_iterations"] = """\
# covers: the classic two-layer network: a 64x1000 input batch, hidden 100, output 10,
# trained for 500 iterations with autograd and manual updates (w -= lr * w.grad,
# w.grad.zero_()), x.mm(w1).clamp(min=0), N, D_in, H, D_out = ... unpacking
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)
learning_rate = 1e-6
for t in range(500):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, round(loss.item(), 4))
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print(y_pred.shape, round(loss.item(), 4))
"""

TUTORIALS["two_layer_net_manual_backprop"] = """\
# covers: a two-layer network with the backward pass written by hand (grad_y_pred,
# h_relu.t().mm(...), grad_h[h < 0] = 0) next to the same gradients from autograd,
# torch.allclose, for t in range(300), .clone()
import torch

torch.manual_seed(37)
N, D_in, H, D_out = 16, 50, 20, 4
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H) * 0.1
w2 = torch.randn(H, D_out) * 0.1
learning_rate = 1e-3
for t in range(300):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
    if t % 100 == 0:
        print(t, round(loss, 4))
a1 = w1.clone().requires_grad_()
a2 = w2.clone().requires_grad_()
auto_loss = (x.mm(a1).clamp(min=0).mm(a2) - y).pow(2).sum()
auto_loss.backward()
h = x.mm(w1)
grad_y_pred = 2.0 * (h.clamp(min=0).mm(w2) - y)
grad_h = grad_y_pred.mm(w2.t())
grad_h[h < 0] = 0
print(torch.allclose(a1.grad, x.t().mm(grad_h), atol=1e-5))
print(torch.allclose(a2.grad, h.clamp(min=0).t().mm(grad_y_pred), atol=1e-5))
print(round(auto_loss.item(), 4))
"""

TUTORIALS["xor_mlp_2000"] = """\
# covers: XOR with a 2-4-1 MLP trained for t in range(2000), nn.Sequential with Tanh and
# Sigmoid, nn.BCELoss, SGD, "step %4d  loss %.4f" % (...), rounding predictions
import torch
import torch.nn as nn

torch.manual_seed(42)
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for t in range(2000):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    if t % 500 == 0:
        print("step %4d  loss %.4f" % (t, loss.item()))
with torch.no_grad():
    print(model(X).round().flatten().tolist())
print(model[0].weight.grad)
"""

TUTORIALS["nested_loops_minibatch"] = """\
# covers: nested loops (epochs x mini-batches x parameters), slicing batches by index,
# a manual SGD update loop over a list of parameters, torch.randperm for each epoch,
# an epoch loss averaged from batch losses, range(0, n, step)
import torch

torch.manual_seed(38)
n, batch_size = 40, 8
X = torch.randn(n, 3)
true_w = torch.tensor([[1.5], [-0.5], [2.0]])
Y = X @ true_w + 0.05 * torch.randn(n, 1)
W = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
params = [W, b]
for epoch in range(25):
    perm = torch.randperm(n)
    epoch_loss = 0.0
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        loss = ((X[idx] @ W + b - Y[idx]) ** 2).mean()
        loss.backward()
        for p in params:
            with torch.no_grad():
                p -= 0.1 * p.grad
            p.grad.zero_()
        epoch_loss += loss.item()
    if epoch % 5 == 4:
        print(epoch, round(epoch_loss / (n // batch_size), 5))
print(W.flatten(), b)
"""

TUTORIALS["gradient_accumulation"] = """\
# covers: several backward() calls before one optimizer step (gradient accumulation over
# micro-batches), loss / accum_steps, (i + 1) % accum_steps == 0, model.zero_grad(),
# comparing with the full-batch gradient, nn.Linear, torch.chunk, a gradient left
# accumulated by a last micro-batch that was not stepped
import torch
import torch.nn as nn

torch.manual_seed(39)
model = nn.Linear(4, 1)
X = torch.randn(12, 4)
Y = torch.randn(12, 1)
accum_steps = 3
model.zero_grad()
for i, (xb, yb) in enumerate(zip(torch.chunk(X, accum_steps), torch.chunk(Y, accum_steps))):
    loss = nn.functional.mse_loss(model(xb), yb) / accum_steps
    loss.backward()
    print(i, round(loss.item(), 4))
accumulated = model.weight.grad.clone()
model.zero_grad()
nn.functional.mse_loss(model(X), Y).backward()
print(torch.allclose(accumulated, model.weight.grad, atol=1e-6))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for i in range(31):
    xb, yb = X[(i % 6) * 2:(i % 6) * 2 + 2], Y[(i % 6) * 2:(i % 6) * 2 + 2]
    (nn.functional.mse_loss(model(xb), yb) / accum_steps).backward()
    if (i + 1) % accum_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
print(model.weight, model.bias, sep="\\n")
print(model.weight.grad)
"""

# --- imports that tutorials write ---------------------------------------------------------

TUTORIALS["math_module_tour"] = """\
# covers: import math: math.sqrt, math.exp, math.e, math.pi, math.log (one and two
# arguments), math.cos, math.isclose (abs_tol), math.floor, math.ceil, math.tanh; an init
# bound 1 / math.sqrt(fan_in); a cosine learning-rate schedule written by hand
import math

import torch

fan_in = 16
bound = 1 / math.sqrt(fan_in)
print(bound, math.floor(7.9), math.ceil(7.1), math.exp(1.0) == math.e)
print(round(math.log(100, 10), 6), round(math.log(math.e ** 2), 6))
torch.manual_seed(19)
w = (torch.rand(fan_in, 2) * 2 - 1) * bound
w.requires_grad_()
x = torch.randn(4, fan_in)
total_steps = 50
base_lr = 0.05
for step in range(total_steps):
    lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))
    loss = (x @ w).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    if step % 10 == 0:
        print(step, round(lr, 4), round(loss.item(), 4))
print(math.isclose(lr, 0.0, abs_tol=1e-2), round(math.sqrt(2.0) ** 2, 10))
print(f"{math.pi:.5f}", round(0.5 * (1 + math.tanh(math.sqrt(2 / math.pi))), 6))
"""

TUTORIALS["random_module_seeded"] = """\
# covers: import random: random.seed, random.random, random.randint, random.uniform,
# random.gauss, random.shuffle, random.choice; a train/validation split of shuffled words,
# a noisy data set built with random numbers, then fitted with torch
import random

import torch

random.seed(1234)
print(round(random.random(), 6), random.randint(1, 6), round(random.uniform(-1, 1), 6))
print(round(random.gauss(0.0, 1.0), 6))
words = ["ava", "emma", "mia", "noah", "liam", "zoe"]
random.shuffle(words)
print(words, random.choice(words))
n1 = int(0.8 * len(words))
train_words, val_words = words[:n1], words[n1:]
print(train_words, val_words)
xs_list = [random.uniform(-2, 2) for _ in range(20)]
ys_list = [3.0 * v + random.gauss(0, 0.1) for v in xs_list]
xs = torch.tensor(xs_list).unsqueeze(1)
ys = torch.tensor(ys_list).unsqueeze(1)
w = torch.zeros(1, 1, requires_grad=True)
for step in range(100):
    loss = ((xs @ w - ys) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
print(round(w.item(), 4))
"""

TUTORIALS["random_unseeded_defaults"] = """\
# covers: drawing random numbers WITHOUT seeding anything (relies on the documented start:
# every program begins from torch.manual_seed(0) and random.seed(0)): random.random,
# random.randint, random.choice, random.shuffle, torch.randn, nn.Linear's default init,
# torch.randint, torch.rand(..., requires_grad=True)
import random

import torch
import torch.nn as nn

print(round(random.random(), 6), random.randint(0, 100), random.choice("abcdef"))
print(torch.randn(3))
layer = nn.Linear(2, 1)
print(layer.weight, layer.bias)
idx = torch.randint(0, 10, (5,))
print(idx)
order = list(range(6))
random.shuffle(order)
print(order)
x = torch.rand(2, 2, requires_grad=True)
layer(x).sum().backward()
print(x.grad)
print(layer.weight.grad)
"""

TUTORIALS["time_and_os_imports"] = """\
# covers: import time and import os (os unused), time.time() and time.perf_counter() called
# and kept in names and a list but never printed, a training loop timed per epoch
import os
import time

import torch
import torch.nn as nn

start = time.time()
tic = time.perf_counter()
torch.manual_seed(20)
model = nn.Linear(4, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
x = torch.randn(10, 4)
y = torch.randint(0, 2, (10,))
epoch_times = []
for epoch in range(30):
    t0 = time.perf_counter()
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    epoch_times.append(time.perf_counter() - t0)
    if epoch % 10 == 0:
        print(f"epoch {epoch}: loss {loss.item():.4f}")
elapsed = time.time() - start
toc = time.perf_counter()
print(len(epoch_times), "epochs timed")
print(model.bias.grad)
"""
CLOCK_NAMES["time_and_os_imports"] = frozenset({"start", "tic", "t0", "elapsed", "toc"})

# --- torch surfaces -----------------------------------------------------------------------

TUTORIALS["generator_objects"] = """\
# covers: g = torch.Generator().manual_seed(42), torch.randn(3, 4, generator=g),
# torch.randint(..., generator=g), torch.multinomial(probs, num_samples=10,
# replacement=True, generator=g), torch.randperm and torch.rand with generator=g, a second
# generator with the same seed repeating the numbers, requires_grad with a generator
import torch

g = torch.Generator().manual_seed(42)
a = torch.randn(3, 4, generator=g)
ix = torch.randint(0, 10, (6,), generator=g)
probs = torch.tensor([0.1, 0.2, 0.7])
samples = torch.multinomial(probs, num_samples=10, replacement=True, generator=g)
perm = torch.randperm(5, generator=g)
u = torch.rand(2, generator=g)
print(a, ix, samples, perm, u, sep="\\n")
g2 = torch.Generator().manual_seed(42)
print(torch.equal(a, torch.randn(3, 4, generator=g2)))
print([(samples == k).sum().item() for k in range(3)])
w = torch.randn(4, 1, generator=g, requires_grad=True)
loss = (a @ w).pow(2).sum()
loss.backward()
print(w.grad)
"""

TUTORIALS["torch_normal_forms"] = """\
# covers: torch.normal(mean, std) with tensor means and stds, a tensor mean with a float
# std, float mean and std with size=..., with a generator; the reparameterisation trick
# z = mu + sigma * eps with gradients to mu and log_sigma
import torch

torch.manual_seed(21)
means = torch.arange(1.0, 5.0)
stds = torch.tensor([0.1, 0.2, 0.3, 0.4])
print(torch.normal(means, stds))
print(torch.normal(means, 1.0))
print(torch.normal(0.0, 1.0, size=(2, 3)))
print(torch.normal(2.0, 0.5, (3,), generator=torch.Generator().manual_seed(3)))
mu = torch.tensor([0.5, -0.5], requires_grad=True)
log_sigma = torch.tensor([0.0, -1.0], requires_grad=True)
eps = torch.normal(torch.zeros(2), torch.ones(2))
z = mu + log_sigma.exp() * eps
(z ** 2).sum().backward()
print(z, mu.grad, log_sigma.grad, sep="\\n")
"""

TUTORIALS["legacy_constructors_and_version"] = """\
# covers: the legacy constructors torch.Tensor([1, 2]), torch.FloatTensor([...]),
# torch.LongTensor([...]), torch.Tensor(2, 3).zero_(), their dtypes,
# isinstance(torch.__version__, str) (the version itself is never printed),
# .requires_grad_() on a legacy tensor, F.one_hot on LongTensor labels
import torch
import torch.nn.functional as F

a = torch.Tensor([1, 2])
b = torch.FloatTensor([[0.5, 1.5], [2.5, 3.5]])
labels = torch.LongTensor([0, 1, 1])
print(a, a.dtype)
print(b, b.dtype)
print(labels, labels.dtype)
print(isinstance(torch.__version__, str))
w = torch.Tensor([0.1, -0.2]).requires_grad_()
loss = (b @ w).sum()
loss.backward()
print(w.grad)
empty = torch.Tensor(2, 3).zero_()
print(empty)
print(F.one_hot(labels, num_classes=2))
"""

TUTORIALS["keepdims_normalize"] = """\
# covers: keepdims=True (x.sum(1, keepdims=True), x.max(1, keepdims=True)) and
# keepdim=True, a softmax written by hand checked against torch.softmax, normalising rows
# of a count matrix, batch statistics with mean(0, keepdims=True) and var(unbiased=False)
import torch

counts = torch.tensor([[3.0, 1.0, 0.0], [2.0, 2.0, 4.0]])
P = counts / counts.sum(1, keepdims=True)
print(P, P.sum(1))
logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
exps = (logits - logits.max(1, keepdims=True).values).exp()
probs = exps / exps.sum(dim=1, keepdims=True)
print(probs)
print(torch.allclose(probs, torch.softmax(logits, dim=1)))
loss = -probs[[0, 1], [1, 2]].log().mean()
loss.backward()
print(round(loss.item(), 4), logits.grad, sep="\\n")
h = torch.randn(4, 3)
mean = h.mean(0, keepdims=True)
var = h.var(0, keepdim=True, unbiased=False)
hn = (h - mean) / torch.sqrt(var + 1e-5)
print(mean.shape, var.shape, hn.mean(0).abs().max().item() < 1e-5)
"""

TUTORIALS["dataloader_tensordataset"] = """\
# covers: from torch.utils.data import DataLoader, TensorDataset; a TensorDataset over
# in-memory tensors, DataLoader(batch_size=8, shuffle=False), len(dataset), len(loader),
# dataset[0] unpacked, for xb, yb in loader inside an epoch loop, the last smaller batch
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(22)
X = torch.randn(20, 3)
y = X @ torch.tensor([[2.0], [-1.0], [0.5]]) + 1.0
dataset = TensorDataset(X, y)
loader = DataLoader(dataset, batch_size=8, shuffle=False)
print(len(dataset), len(loader))
x0, y0 = dataset[0]
print(x0, y0)
model = nn.Linear(3, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(40):
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    if epoch % 10 == 0:
        print(epoch, round(running / len(dataset), 4))
print(xb.shape, yb.shape)
print(model.weight, model.bias, sep="\\n")
"""

TUTORIALS["dataloader_shuffle"] = """\
# covers: import torch.utils.data as data; DataLoader(shuffle=True) with a torch.Generator,
# and torch.utils.data.DataLoader(shuffle=True, drop_last=True) on the default (unseeded)
# random state; next(iter(loader)); batch contents as lists; a few training steps
import torch
import torch.utils.data as data

xs = torch.arange(10.0).unsqueeze(1)
ys = xs * 2 + 1
ds = data.TensorDataset(xs, ys)
g = torch.Generator().manual_seed(7)
loader = data.DataLoader(ds, batch_size=4, shuffle=True, generator=g)
for epoch in range(2):
    print(epoch, [xb.flatten().tolist() for xb, _ in loader])
default_loader = torch.utils.data.DataLoader(ds, batch_size=3, shuffle=True, drop_last=True)
for xb, yb in default_loader:
    print(xb.flatten().tolist(), yb.flatten().tolist())
first_x, first_y = next(iter(loader))
print(first_x.shape, first_y.shape)
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.01)
for epoch in range(20):
    for xb, yb in loader:
        opt.zero_grad()
        loss = ((xb * w + b - yb) ** 2).mean()
        loss.backward()
        opt.step()
print(round(w.item(), 4), round(b.item(), 4), w.grad)
"""

TUTORIALS["custom_dataset_class"] = """\
# covers: a plain Python class used as a map-style dataset (__init__, __len__, __getitem__,
# __repr__) with DataLoader, print(obj) using __repr__, len(obj), obj[i] unpacking,
# "%d" % len(self) inside a method
import torch
import torch.nn as nn
from torch.utils.data import DataLoader


class SquaresDataset:
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32).unsqueeze(1) / n
        self.y = self.x ** 2

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, i):
        return self.x[i], self.y[i]

    def __repr__(self):
        return "SquaresDataset(n=%d)" % len(self)


ds = SquaresDataset(12)
print(ds, len(ds))
x3, y3 = ds[3]
print(x3, y3)
loader = DataLoader(ds, batch_size=5)
print([len(xb) for xb, _ in loader])
torch.manual_seed(40)
model = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(60):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
print(f"{loss.item():.5f}")
print(model[2].bias.grad)
"""

TUTORIALS["autograd_functional_tour"] = """\
# covers: torch.autograd.functional.jacobian, vjp, jvp and hessian on small user functions
# (def and lambda), a jacobian of a two-input function (a tuple of results), unpacking
# (output, vjp) pairs
import torch
from torch.autograd.functional import hessian, jacobian, jvp, vjp


def f(x):
    return torch.stack([x[0] * x[1], x[0].sin() + x[1] ** 2])


def energy(x):
    return (x ** 3).sum() + x[0] * x[1]


x = torch.tensor([1.0, 2.0])
J = jacobian(f, x)
print(J)
out, vjp_value = vjp(f, x, torch.tensor([1.0, 0.5]))
print(out, vjp_value)
out2, jvp_value = jvp(f, x, torch.tensor([0.0, 1.0]))
print(out2, jvp_value)
H = hessian(energy, x)
print(H)
Ja, Jb = torch.autograd.functional.jacobian(lambda a, b: a * b, (x, torch.tensor([3.0, 4.0])))
print(Ja, Jb, sep="\\n")
"""

# --- modules and devices ------------------------------------------------------------------

TUTORIALS["device_agnostic_training"] = """\
# covers: device = torch.device("cuda" if torch.cuda.is_available() else "cpu"),
# .to(device) on tensors and a model, x.device and a parameter's device,
# Tensor.to(torch.float64), .double() on a module, .float(), .long(), .to(device, dtype)
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, device.type)
torch.manual_seed(23)
x = torch.randn(8, 3).to(device)
y = (x.sum(dim=1) > 0).long().to(device)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).to(device)
print(x.device, next(model.parameters()).device)
opt = torch.optim.SGD(model.parameters(), lr=0.3)
for step in range(50):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
print(round(loss.item(), 4))
x64 = x.to(torch.float64)
model64 = nn.Linear(3, 1).double()
out64 = model64(x64)
out64.sum().backward()
print(x64.dtype, out64.dtype, model64.weight.grad.dtype)
back = out64.float()
print(back.dtype, y.float().mean().item(), torch.tensor([1.7, -2.3]).long())
print(x.to(device, torch.float16).dtype)
"""

TUTORIALS["tiny_cnn_image"] = """\
# covers: a tiny CNN on a random 1x1x8x8 image: nn.Conv2d (padding, kernel_size keywords),
# nn.BatchNorm2d, nn.MaxPool2d, nn.Flatten, nn.Linear in a user module, print(model), the
# shape after each layer, F.cross_entropy, conv weight gradients, BatchNorm running stats
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyCNN(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8 * 2 * 2, n_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = F.relu(self.conv2(x))
        return self.fc(self.flatten(x))


torch.manual_seed(24)
image = torch.randn(1, 1, 8, 8)
model = TinyCNN()
print(model)
h = image
for layer in [model.conv1, model.bn1, model.pool, model.conv2, model.flatten]:
    h = layer(h)
    print(tuple(h.shape))
logits = model(image)
loss = F.cross_entropy(logits, torch.tensor([1]))
loss.backward()
print(logits, round(loss.item(), 4))
print(model.conv1.weight.grad.shape, model.conv1.bias.grad)
print(model.bn1.running_mean)
"""

TUTORIALS["conv1d_signal"] = """\
# covers: nn.Conv1d (in_channels/out_channels/kernel_size/stride/padding keywords),
# nn.MaxPool1d, weights set under no_grad with fill_, a 1-D signal classifier in an
# nn.Sequential with Flatten, Adam, accuracy
import torch
import torch.nn as nn

torch.manual_seed(25)
signal = torch.sin(torch.linspace(0, 6.28, 16)).reshape(1, 1, 16)
conv = nn.Conv1d(in_channels=1, out_channels=2, kernel_size=3, stride=1, padding=1)
pool = nn.MaxPool1d(kernel_size=2)
smooth = nn.Conv1d(1, 1, kernel_size=3, bias=False)
with torch.no_grad():
    smooth.weight.fill_(1 / 3)
h = pool(torch.relu(conv(signal)))
s = smooth(signal)
print(h.shape, s.shape)
print(s)
loss = h.sum() + s.pow(2).sum()
loss.backward()
print(conv.weight.grad, conv.bias.grad, sep="\\n")
print(smooth.weight.grad)
X = torch.randn(24, 1, 16)
Y = (X[:, 0, :8].mean(dim=1) > X[:, 0, 8:].mean(dim=1)).long()
net = nn.Sequential(nn.Conv1d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool1d(4), nn.Flatten(),
                    nn.Linear(16, 2))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(100):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(net(X), Y)
    loss.backward()
    opt.step()
accuracy = (net(X).argmax(dim=1) == Y).float().mean().item()
print(round(loss.item(), 4), round(accuracy, 3))
"""

TUTORIALS["pooling_and_batchnorm2d"] = """\
# covers: nn.AvgPool2d, nn.AdaptiveAvgPool2d((1, 1)), nn.BatchNorm2d(momentum=0.5) running
# statistics in train and eval mode, num_batches_tracked, bn.eval() changing outputs,
# gradients through all three
import torch
import torch.nn as nn

torch.manual_seed(26)
x = torch.randn(2, 3, 6, 6, requires_grad=True)
avg = nn.AvgPool2d(kernel_size=2, stride=2)
gap = nn.AdaptiveAvgPool2d((1, 1))
bn = nn.BatchNorm2d(3, momentum=0.5)
a = avg(x)
g = gap(x)
b = bn(x)
print(a.shape, g.shape, b.shape)
print(bn.running_mean, bn.running_var, bn.num_batches_tracked, sep="\\n")
(a.sum() + g.pow(2).sum() + b[:, 0].pow(2).sum()).backward()
print(x.grad[0, 0])
print(bn.weight.grad, bn.bias.grad)
bn.eval()
with torch.no_grad():
    b_eval = bn(x)
print(torch.allclose(b_eval, b.detach()), b_eval[0, 0, 0])
print(gap(x).flatten(1))
"""

TUTORIALS["embedding_context_mlp"] = """\
# covers: a makemore-style MLP language model: build_dataset(words) with a block_size
# context window (context = context[1:] + [ix]), "".join(itos[i] for i in context),
# nn.Embedding, emb.view(-1, block_size * dim), minibatches with torch.randint(generator=g),
# a learning-rate step with if/else, sampling with torch.multinomial(generator=g)
import torch
import torch.nn as nn
import torch.nn.functional as F

words = ["emma", "olivia", "ava", "isabella", "sophia"]
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
block_size = 3


def build_dataset(ws):
    X, Y = [], []
    for w in ws:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


class CharMLP(nn.Module):
    def __init__(self, vocab, dim, hidden):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.hidden = nn.Linear(block_size * dim, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, idx):
        e = self.emb(idx)
        h = torch.tanh(self.hidden(e.view(-1, e.shape[1] * e.shape[2])))
        return self.out(h)


Xtr, Ytr = build_dataset(words)
print(Xtr.shape, Ytr.shape)
for context, target in zip(Xtr[:4].tolist(), Ytr[:4].tolist()):
    print("".join(itos[i] for i in context), "-->", itos[target])
torch.manual_seed(41)
model = CharMLP(len(stoi), 2, 32)
g = torch.Generator().manual_seed(2147483647)
for i in range(300):
    ix = torch.randint(0, Xtr.shape[0], (8,), generator=g)
    loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
    model.zero_grad()
    loss.backward()
    lr = 0.1 if i < 200 else 0.01
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
print(round(F.cross_entropy(model(Xtr), Ytr).item(), 4))
for _ in range(3):
    context = [0] * block_size
    out = []
    while len(out) < 10:
        probs = F.softmax(model(torch.tensor([context])), dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        if ix == 0:
            break
        out.append(itos[ix])
    print("".join(out))
print(model.emb.weight.grad[0])
"""

TUTORIALS["rnn_lstm_gru_modules"] = """\
# covers: nn.RNN, nn.LSTM (num_layers=2) and nn.GRU with batch_first=True, output and
# hidden shapes, out, (h, c) = lstm(x) nested unpacking, out[:, -1], backward through time,
# weight_hh_l0 / bias_ih_l1 gradients, passing an explicit h0
import torch
import torch.nn as nn

torch.manual_seed(27)
x = torch.randn(2, 5, 3)
rnn = nn.RNN(input_size=3, hidden_size=4, batch_first=True)
lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
gru = nn.GRU(3, 4, batch_first=True)
out_r, h_r = rnn(x)
out_l, (h_l, c_l) = lstm(x)
out_g, h_g = gru(x)
print(out_r.shape, h_r.shape)
print(out_l.shape, h_l.shape, c_l.shape)
print(out_g.shape, h_g.shape)
print(lstm)
loss = out_r[:, -1].sum() + out_l[:, -1].pow(2).sum() + h_g.mean()
loss.backward()
print(rnn.weight_hh_l0.grad)
print(lstm.bias_ih_l1.grad)
print(gru.weight_ih_l0.grad.shape)
h0 = torch.zeros(1, 2, 4)
out_r2, _ = rnn(x, h0)
print(torch.allclose(out_r2, out_r))
"""

TUTORIALS["rnn_cells_char_step"] = """\
# covers: nn.RNNCell, nn.LSTMCell and nn.GRUCell stepped over the characters of "hello",
# one-hot inputs, a hidden state carried across steps, a loss summed over time steps,
# nn.utils.clip_grad_norm_ with max_norm, greedy generation, Adam over two modules'
# parameters (list(...) + list(...))
import torch
import torch.nn as nn
import torch.nn.functional as F

text = "hello"
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
V = len(chars)
torch.manual_seed(28)
cell = nn.RNNCell(V, 8)
head = nn.Linear(8, V)
inputs = F.one_hot(torch.tensor([stoi[c] for c in text[:-1]]), V).float()
targets = torch.tensor([stoi[c] for c in text[1:]])
opt = torch.optim.Adam(list(cell.parameters()) + list(head.parameters()), lr=0.05)
for it in range(150):
    h = torch.zeros(1, 8)
    loss = 0
    for t in range(len(text) - 1):
        h = cell(inputs[t:t + 1], h)
        loss = loss + F.cross_entropy(head(h), targets[t:t + 1])
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(cell.parameters(), max_norm=1.0)
    opt.step()
    if it % 50 == 0:
        print(it, round(loss.item() / 4, 4), round(norm.item(), 4))
h = torch.zeros(1, 8)
c = "h"
generated = c
for _ in range(4):
    h = cell(F.one_hot(torch.tensor([stoi[c]]), V).float(), h)
    c = chars[head(h).argmax().item()]
    generated += c
print(generated)
lstm_cell = nn.LSTMCell(V, 5)
gru_cell = nn.GRUCell(V, 5)
hx, cx = torch.zeros(1, 5), torch.zeros(1, 5)
gh = torch.zeros(1, 5)
for t in range(len(text) - 1):
    hx, cx = lstm_cell(inputs[t:t + 1], (hx, cx))
    gh = gru_cell(inputs[t:t + 1], gh)
(hx.sum() + cx.sum() + gh.sum()).backward()
print(hx.shape, cx.shape, gh.shape)
print(gru_cell.bias_hh.grad)
print(lstm_cell.weight_ih.grad.shape)
"""

TUTORIALS["char_rnn_gru_model"] = """\
# covers: a character-level model as a user module (nn.Embedding -> nn.GRU -> nn.Linear),
# forward returning (logits, hidden), logits.view(-1, V), training on "hello world" for 200
# steps, sampling by feeding the hidden state back in under torch.no_grad()
import torch
import torch.nn as nn
import torch.nn.functional as F

text = "hello world"
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
V = len(chars)
data = torch.tensor([stoi[ch] for ch in text])


class CharRNN(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.gru = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx, hidden=None):
        out, hidden = self.gru(self.embed(idx), hidden)
        return self.head(out), hidden


torch.manual_seed(42)
model = CharRNN(V, 6, 16)
print(model)
inputs = data[:-1].unsqueeze(0)
targets = data[1:].unsqueeze(0)
optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
for step in range(200):
    logits, _ = model(inputs)
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step:3d} loss {loss.item():.4f}")
with torch.no_grad():
    idx = torch.tensor([[stoi["h"]]])
    hidden = None
    result = ["h"]
    for _ in range(10):
        logits, hidden = model(idx, hidden)
        next_ix = logits[0, -1].argmax().item()
        result.append(itos[next_ix])
        idx = torch.tensor([[next_ix]])
print("".join(result))
print(model.head.bias.grad)
"""

TUTORIALS["activation_modules"] = """\
# covers: nn.GELU (and approximate="tanh"), nn.LeakyReLU, nn.ELU, nn.Identity,
# nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.LayerNorm as modules; a dict of activation
# modules looped over with .items(), f"{name:>10}", printing modules
import torch
import torch.nn as nn

x = torch.linspace(-2, 2, 6, requires_grad=True)
acts = {
    "gelu": nn.GELU(),
    "gelu_tanh": nn.GELU(approximate="tanh"),
    "leaky": nn.LeakyReLU(0.1),
    "elu": nn.ELU(alpha=1.0),
    "identity": nn.Identity(),
}
total = 0
for name, act in acts.items():
    y = act(x)
    total = total + y.sum()
    print(f"{name:>10}", [round(v, 3) for v in y.tolist()])
total.backward()
print(x.grad)
logits = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
print(nn.Softmax(dim=1)(logits))
print(nn.LogSoftmax(dim=-1)(logits))
ln = nn.LayerNorm(3)
z = ln(logits + torch.tensor([0.0, 0.1, 0.3]))
(z * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print(z, ln.weight.grad, ln.bias.grad, sep="\\n")
print(acts["leaky"], acts["elu"], nn.Softmax(dim=1), ln)
"""

TUTORIALS["sequential_from_layer_list"] = """\
# covers: nn.Sequential(*layers) with the layer list built in a function, a class passed as
# an argument (activation=nn.Tanh) and called, conditional layers (dropout only if > 0),
# len(model), model[-1], model[:2] slicing, model.eval() for evaluation
import torch
import torch.nn as nn


def mlp(sizes, activation=nn.ReLU, dropout=0.0):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


torch.manual_seed(29)
model = mlp([4, 8, 8, 2], activation=nn.Tanh, dropout=0.1)
print(model)
print(len(model), model[-1])
print(model[:2])
x = torch.randn(10, 4)
y = (x[:, 0] > x[:, 1]).long()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(100):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
model.eval()
with torch.no_grad():
    acc = (model(x).argmax(1) == y).float().mean().item()
print(round(loss.item(), 4), acc)
print(mlp([2, 3]))
"""

TUTORIALS["init_functions"] = """\
# covers: nn.init.xavier_normal_, zeros_, kaiming_uniform_(a=math.sqrt(5)), constant_,
# normal_(mean, std), ones_, uniform_(a, b) on torch.empty, an init function applied to
# every Linear with model.apply(init_weights), isinstance(m, nn.Linear)
import math

import torch
import torch.nn as nn

torch.manual_seed(30)
model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 1))


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
        nn.init.zeros_(m.bias)


model.apply(init_weights)
print(model[0].bias, round(model[0].weight.std().item(), 4))
nn.init.kaiming_uniform_(model[2].weight, a=math.sqrt(5))
nn.init.constant_(model[2].bias, 0.1)
nn.init.normal_(model[4].weight, mean=0.0, std=0.02)
nn.init.ones_(model[4].bias)
w = torch.empty(3, 5)
nn.init.uniform_(w, a=-0.5, b=0.5)
print(model[2].bias, model[4].bias, sep="\\n")
print(w)
print(round(model[4].weight.abs().max().item(), 4))
x = torch.randn(5, 4)
out = model(x)
out.mean().backward()
print(out.flatten())
print(model[4].weight.grad)
"""

TUTORIALS["clip_grad_norm_training"] = """\
# covers: nn.utils.clip_grad_norm_ (its returned total norm, the norm after clipping),
# torch.nn.utils.clip_grad_norm_ spelled in full, a deep tanh net with a large learning
# rate kept stable by clipping, a list of norms, max()
import torch
import torch.nn as nn

torch.manual_seed(43)
model = nn.Sequential(*[nn.Sequential(nn.Linear(6, 6), nn.Tanh()) for _ in range(4)],
                      nn.Linear(6, 1))
x = torch.randn(16, 6)
y = torch.randn(16, 1) * 5
opt = torch.optim.SGD(model.parameters(), lr=0.5)
norms = []
for step in range(40):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    norms.append(round(total.item(), 4))
    opt.step()
print(norms[:5], round(max(norms), 4))
after = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
print(round(after.item(), 4) <= 0.5 + 1e-6, round(loss.item(), 4))
loss = nn.functional.mse_loss(model(x), y)
opt.zero_grad()
loss.backward()
print(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, norm_type=2.0))
print(model[-1].bias.grad)
"""

TUTORIALS["functional_forms"] = """\
# covers: F.conv2d (a Sobel kernel, padding=1), F.max_pool2d, F.avg_pool2d, F.embedding,
# F.batch_norm (training=True, running stats updated in place), F.dropout (training True
# and False), F.gelu, F.softmax, F.log_softmax, gradients to the kernel and the table
import torch
import torch.nn.functional as F

torch.manual_seed(31)
img = torch.randn(1, 1, 6, 6, requires_grad=True)
sobel = [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]
kernel = torch.tensor([[sobel]], requires_grad=True)
edges = F.conv2d(img, kernel, padding=1)
pooled = F.max_pool2d(edges, kernel_size=2)
averaged = F.avg_pool2d(edges, 3)
print(edges.shape, pooled.shape, averaged.shape)
table = torch.randn(5, 3, requires_grad=True)
vectors = F.embedding(torch.tensor([[0, 2], [4, 2]]), table)
print(vectors.shape)
running_mean = torch.zeros(3)
running_var = torch.ones(3)
normed = F.batch_norm(vectors.reshape(-1, 3), running_mean, running_var, training=True,
                      momentum=0.1)
print(running_mean, running_var, sep="\\n")
dropped = F.dropout(normed, p=0.5, training=True)
kept = F.dropout(normed, p=0.5, training=False)
print(torch.equal(kept, normed), (dropped == 0).sum().item())
act = F.gelu(normed)
probs = F.softmax(act, dim=-1)
logp = F.log_softmax(act, dim=-1)
loss = pooled.sum() + averaged.pow(2).sum() - (probs * logp).sum() + dropped.sum()
loss.backward()
print(round(loss.item(), 4))
print(kernel.grad)
print(table.grad)
"""

TUTORIALS["optimizers_compared"] = """\
# covers: SGD (plain, momentum + weight_decay, nesterov), Adam (betas), AdamW
# (weight_decay), RMSprop (alpha), Adagrad over the same problem; a dict of lambdas that
# make optimizers, a train function returning (loss, model), "%-12s %.4f" % (...),
# sorted(results, key=results.get)
import torch
import torch.nn as nn


def make_model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))


def train(make_optimizer, steps=150):
    model = make_model(0)
    optimizer = make_optimizer(model.parameters())
    x = torch.linspace(-1, 1, 12).reshape(6, 2)
    y = x[:, :1] - 2 * x[:, 1:]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item(), model


optimizers = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4),
    "nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999)),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.01),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
}
results = {}
for name, make in optimizers.items():
    final_loss, model = train(make)
    results[name] = final_loss
    print("%-12s %.4f" % (name, final_loss))
ranking = sorted(results, key=results.get)
print(ranking[0], ranking[-1])
print(model[2].weight.grad)
"""

TUTORIALS["lr_schedulers"] = """\
# covers: from torch.optim.lr_scheduler import StepLR; torch.optim.lr_scheduler.ExponentialLR;
# scheduler.step() after optimizer.step(), [round(lr, 4) for lr in scheduler.get_last_lr()],
# optimizer.param_groups[0]["lr"]
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(32)
model = nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = StepLR(opt, step_size=5, gamma=0.5)
x = torch.randn(8, 2)
y = x.sum(dim=1, keepdim=True)
for epoch in range(15):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    scheduler.step()
    if epoch % 5 == 4:
        print(epoch, [round(lr, 4) for lr in scheduler.get_last_lr()], round(loss.item(), 4))
opt2 = torch.optim.Adam(model.parameters(), lr=0.05)
decay = torch.optim.lr_scheduler.ExponentialLR(opt2, gamma=0.9)
lrs = []
for epoch in range(10):
    opt2.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    opt2.step()
    decay.step()
    lrs.append(round(decay.get_last_lr()[0], 4))
print(lrs)
print(round(opt2.param_groups[0]["lr"], 6))
print(model.weight.grad)
"""

TUTORIALS["cnn_classifier_train_test_loops"] = """\
# covers: the quickstart shape: def train_loop(dataloader, model, loss_fn, optimizer) and
# def test_loop(...) with model.train()/model.eval(), size = len(dataloader.dataset),
# enumerate(dataloader), correct += (pred.argmax(1) == y).type(torch.float).sum().item(),
# a small CNN (Conv2d, ReLU, MaxPool2d, Flatten, Linear) on random 1x8x8 "images",
# DataLoader(shuffle=True, generator=g), f"Accuracy: {(100 * correct):>0.1f}%"
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(44)
images = torch.randn(48, 1, 8, 8)
labels = (images.mean(dim=(1, 2, 3)) > 0).long()  # bright or dark
train_data = TensorDataset(images[:32], labels[:32])
test_data = TensorDataset(images[32:], labels[32:])
g = torch.Generator().manual_seed(1)
train_dataloader = DataLoader(train_data, batch_size=8, shuffle=True, generator=g)
test_dataloader = DataLoader(test_data, batch_size=8)


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 4, 2))

    def forward(self, x):
        return self.classifier(self.features(x))


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 2 == 0:
            current = (batch + 1) * len(X)
            print(f"loss: {loss.item():>7f}  [{current:>3d}/{size:>3d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f}")


model = ConvNet()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
epochs = 3
for t in range(epochs):
    print(f"Epoch {t + 1}")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
print("Done!")
"""

TUTORIALS["attention_head_module"] = """\
# covers: a self-attention Head module with register_buffer("tril", torch.tril(...)),
# B, T, C = x.shape, q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5,
# masked_fill(... == 0, float("-inf")), F.softmax, nn.Linear(bias=False), a
# MultiHeadAttention holding an nn.ModuleList of heads, torch.cat([h(x) for h in ...])
import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.shape
        k = self.key(x)
        q = self.query(x)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = F.softmax(wei, dim=-1)
        return wei @ self.value(x)


class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, n_embd, block_size):
        super().__init__()
        head_size = n_embd // num_heads
        self.heads = nn.ModuleList(
            [Head(n_embd, head_size, block_size) for _ in range(num_heads)])
        self.proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        return self.proj(torch.cat([h(x) for h in self.heads], dim=-1))


torch.manual_seed(1337)
B, T, C = 2, 4, 8
x = torch.randn(B, T, C)
mha = MultiHeadAttention(2, C, block_size=8)
out = mha(x)
print(out.shape)
print(mha)
out.pow(2).mean().backward()
print(mha.heads[0].query.weight.grad.shape)
print(mha.proj.bias.grad)
print(mha.heads[1].tril[:3, :3])
"""

TUTORIALS["batchnorm_by_hand"] = """\
# covers: makemore-style batch norm written by hand: bngain/bnbias leaf tensors,
# hpreact.mean(0, keepdim=True), hpreact.std(0, keepdim=True), running statistics updated
# under torch.no_grad() with 0.999 * a + 0.001 * b, minibatches from torch.randint(generator=g),
# a learning-rate decay with if/else, an eval pass with the running statistics
import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(2147483647)
n_in, n_hidden, n_out = 10, 32, 5
W1 = torch.randn((n_in, n_hidden), generator=g) * (5 / 3) / n_in ** 0.5
W2 = torch.randn((n_hidden, n_out), generator=g) * 0.01
b2 = torch.zeros(n_out)
bngain = torch.ones((1, n_hidden))
bnbias = torch.zeros((1, n_hidden))
bnmean_running = torch.zeros((1, n_hidden))
bnstd_running = torch.ones((1, n_hidden))
parameters = [W1, W2, b2, bngain, bnbias]
for p in parameters:
    p.requires_grad = True
X = torch.randn((200, n_in), generator=g)
Y = (X[:, :n_out] * 3).argmax(dim=1)
for i in range(400):
    ix = torch.randint(0, X.shape[0], (32,), generator=g)
    Xb, Yb = X[ix], Y[ix]
    hpreact = Xb @ W1
    bnmeani = hpreact.mean(0, keepdim=True)
    bnstdi = hpreact.std(0, keepdim=True)
    hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
    with torch.no_grad():
        bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
        bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
    logits = torch.tanh(hpreact) @ W2 + b2
    loss = F.cross_entropy(logits, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 300 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    if i % 100 == 0:
        print(f"{i:4d}: {loss.item():.4f}")
with torch.no_grad():
    h = torch.tanh(bngain * (X @ W1 - bnmean_running) / bnstd_running + bnbias)
    eval_loss = F.cross_entropy(h @ W2 + b2, Y)
print(round(eval_loss.item(), 4))
print(bnmean_running[0, :4])
print(bngain.grad[0, :4])
"""

TUTORIALS["freeze_and_fine_tune"] = """\
# covers: freezing layers with requires_grad_(False) and p.requires_grad = False, an
# optimizer over filter(lambda p: p.requires_grad, model.parameters()), counting
# trainable parameters with a generator expression, grads staying None for frozen layers
import torch
import torch.nn as nn

torch.manual_seed(45)
backbone = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
head = nn.Linear(8, 2)
model = nn.Sequential(backbone, head)
backbone.requires_grad_(False)
for p in head.parameters():
    p.requires_grad = True
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
print(trainable, frozen)
optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
x = torch.randn(12, 4)
y = torch.randint(0, 2, (12,))
before = backbone[0].weight.clone()
for step in range(50):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
print(round(loss.item(), 4))
print(torch.equal(before, backbone[0].weight), backbone[0].weight.grad is None)
print(head.bias.grad)
"""

TUTORIALS["autoencoder_tiny"] = """\
# covers: an encoder/decoder pair of user modules inside an AutoEncoder module, a forward
# returning a tuple (reconstruction, code), nn.Sigmoid output, nn.MSELoss, Adam, a method
# encode() used under torch.no_grad(), the code's shape
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, d_in, d_code):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 6), nn.ReLU(), nn.Linear(6, d_code))

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, d_code, d_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_code, 6), nn.ReLU(), nn.Linear(6, d_out),
                                 nn.Sigmoid())

    def forward(self, z):
        return self.net(z)


class AutoEncoder(nn.Module):
    def __init__(self, d_in=8, d_code=2):
        super().__init__()
        self.encoder = Encoder(d_in, d_code)
        self.decoder = Decoder(d_code, d_in)

    def forward(self, x):
        code = self.encoder(x)
        return self.decoder(code), code

    def encode(self, x):
        with torch.no_grad():
            return self.encoder(x)


torch.manual_seed(46)
data = torch.rand(20, 8).round()
ae = AutoEncoder()
print(ae)
opt = torch.optim.Adam(ae.parameters(), lr=0.02)
criterion = nn.MSELoss()
for epoch in range(150):
    recon, code = ae(data)
    loss = criterion(recon, data)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 50 == 0:
        print(epoch, round(loss.item(), 4))
print(ae.encode(data[:3]).shape, code.shape)
print(ae.decoder.net[2].bias.grad)
"""

# --- plotting (run with a stand-in matplotlib) --------------------------------------------

TUTORIALS_PLOTTING["plot_loss_curve"] = """\
# covers: import matplotlib.pyplot as plt, plt.plot(losses), plt.xlabel, plt.ylabel,
# plt.title, plt.show() after a training loop that collects losses in a list
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

torch.manual_seed(47)
model = nn.Linear(1, 1)
x = torch.linspace(0, 1, 10).unsqueeze(1)
y = 2 * x + 1
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
losses = []
for epoch in range(100):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("loss")
plt.title("training loss")
plt.show()
print(len(losses), round(losses[-1], 4))
print(model.weight, model.bias)
"""

TUTORIALS_PLOTTING["plot_fit_scatter_legend"] = """\
# covers: plt.figure(figsize=...), plt.scatter of tensors as lists, plt.plot of a tensor
# and a detached prediction with label=..., plt.legend(), plt.grid(True), plt.show()
import math

import matplotlib.pyplot as plt
import torch

torch.manual_seed(48)
x = torch.linspace(-math.pi, math.pi, 50)
y = torch.sin(x) + 0.1 * torch.randn(50)
coeffs = torch.zeros(4, requires_grad=True)
powers = torch.stack([x ** k for k in range(4)], dim=1)
optimizer = torch.optim.Adam([coeffs], lr=0.05)
for step in range(300):
    y_pred = powers @ coeffs
    loss = ((y_pred - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
plt.figure(figsize=(6, 4))
plt.scatter(x.tolist(), y.tolist(), label="data")
plt.plot(x, y_pred.detach(), label="cubic fit")
plt.legend()
plt.grid(True)
plt.show()
print(round(loss.item(), 4))
print(coeffs)
"""

TUTORIALS_PLOTTING["plot_hist_subplots"] = """\
# covers: plt.subplot(1, 2, k), plt.hist(values, bins=...), plt.title per panel,
# plt.plot of a list, plt.show(); histograms of activations before and after training
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

torch.manual_seed(49)
layer = nn.Linear(10, 20)
x = torch.randn(64, 10)
before = torch.tanh(layer(x)).detach().flatten().tolist()
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
stds = []
for step in range(50):
    h = torch.tanh(layer(x))
    loss = (h.mean(0) ** 2).sum() + ((h.std(0) - 0.5) ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    stds.append(h.std().item())
after = torch.tanh(layer(x)).detach().flatten().tolist()
plt.subplot(1, 2, 1)
plt.hist(before, bins=30)
plt.title("before")
plt.subplot(1, 2, 2)
plt.hist(after, bins=30)
plt.title("after")
plt.show()
plt.plot(stds)
plt.show()
print(len(before), round(stds[0], 4), round(stds[-1], 4))
print(layer.bias.grad[:5])
"""
