"""Programs that must stay refused once the language has functions, classes and the rest.

Data only: id -> (source, the error code chainrule must give). Every source is valid
Python (a refusal is never a syntax error) written the way a student might write it in
a tutorial-style program, but reaching for something outside the language: dunder
attributes through functions, classes and closures, Python's own builtins, imports other
than torch's, format-string attribute look-ups, class features that run code behind the
interpreter's back, decorators, and bombs of time or memory. test_refused_escapes.py runs
each through `chainrule.runner.trace_to_json` (never through CPython: some rows would
touch the file system or never end) and checks the code.

`HINTS` names rows whose message must also suggest what to write instead.
Rows coded `torch_error` are the only ones CPython may run: torch itself refuses them.
"""

from __future__ import annotations

REFUSED_ESCAPES: dict[str, tuple[str, str]] = {}
HINTS: dict[str, str] = {}

# --- dunder attributes through functions, classes and closures ----------------------------

REFUSED_ESCAPES["self_dunder_class"] = ("""\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        print(self.__class__.__name__)
        return self.fc(x)


Net()(torch.ones(2))
""", "not_allowed")

REFUSED_ESCAPES["function_globals"] = ("""\
def f():
    return 1


g = f.__globals__
""", "not_allowed")

REFUSED_ESCAPES["function_code"] = ("""\
def loss_fn(pred, y):
    return (pred - y) ** 2


print(loss_fn.__code__.co_consts)
""", "not_allowed")

REFUSED_ESCAPES["function_defaults"] = ("""\
def step(lr=0.1):
    return lr


print(step.__defaults__)
""", "not_allowed")

REFUSED_ESCAPES["closure_cells"] = ("""\
def make_power(n):
    def power(x):
        return x ** n
    return power


square = make_power(2)
print(square.__closure__[0].cell_contents)
""", "not_allowed")

REFUSED_ESCAPES["type_of_self_subclasses"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def walk(self):
        return type(self).__subclasses__()


print(Net().walk())
""", "not_allowed")

REFUSED_ESCAPES["super_init_subclass"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        super().__init_subclass__()


net = Net()
""", "not_allowed")

REFUSED_ESCAPES["class_dict"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def forward(self, x):
        return x


print(Net.__dict__)
""", "not_allowed")

REFUSED_ESCAPES["class_mro"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    pass


print(Net.__mro__)
""", "not_allowed")

REFUSED_ESCAPES["tensor_class_bases_in_function"] = ("""\
import torch


def base_of(x):
    return x.__class__.__bases__[0]


print(base_of(torch.ones(1)))
""", "not_allowed")

REFUSED_ESCAPES["bound_method_func_globals"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def forward(self, x):
        return x


model = Net()
print(model.forward.__func__.__globals__)
""", "not_allowed")

REFUSED_ESCAPES["autograd_function_globals"] = ("""\
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


print(MyReLU.forward.__globals__)
""", "not_allowed")

REFUSED_ESCAPES["ctx_private_attribute"] = ("""\
import torch


class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        print(ctx._forward_cls)
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2


y = Double.apply(torch.ones(2, requires_grad=True))
""", "not_allowed")

REFUSED_ESCAPES["closure_reaches_module_internals"] = ("""\
import torch.nn as nn


def make_inspector(model):
    def inspect():
        return model._modules
    return inspect


inspect = make_inspector(nn.Sequential(nn.Linear(2, 2)))
print(inspect())
""", "not_allowed")

REFUSED_ESCAPES["closure_reaches_module_dict"] = ("""\
import torch.nn as nn


def make_setter(model):
    def set_weight(w):
        model.__dict__["_parameters"]["weight"] = w
    return set_weight


set_weight = make_setter(nn.Linear(2, 2))
""", "not_allowed")

REFUSED_ESCAPES["self_dict_write"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.__dict__["hidden"] = 1


net = Net()
""", "not_allowed")

REFUSED_ESCAPES["generator_frame"] = ("""\
def batches():
    yield 1


gen = batches()
print(gen.gi_frame.f_globals)
""", "not_allowed")

REFUSED_ESCAPES["generator_code"] = ("""\
def batches():
    yield 1


print(batches().gi_code)
""", "not_allowed")

REFUSED_ESCAPES["lambda_default_builtins"] = ("""\
grab = lambda b=__builtins__: b
print(grab())
""", "not_allowed")

REFUSED_ESCAPES["fstring_self_dict"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def describe(self):
        return f"{self.__dict__}"


print(Net().describe())
""", "not_allowed")

# --- recursion, endless loops and growth: limits ------------------------------------------

REFUSED_ESCAPES["unbounded_recursion"] = ("""\
def f(n):
    return f(n + 1)


f(0)
""", "limit_exceeded")

REFUSED_ESCAPES["deep_recursion"] = ("""\
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


print(depth(100000))
""", "limit_exceeded")

REFUSED_ESCAPES["mutual_recursion"] = ("""\
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


print(is_even(100001))
""", "limit_exceeded")

REFUSED_ESCAPES["forward_calls_itself"] = ("""\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self(self.fc(x))


out = Net()(torch.ones(2))
""", "limit_exceeded")

REFUSED_ESCAPES["recursive_repr"] = ("""\
class Node:
    def __repr__(self):
        return "Node(" + str(self) + ")"


print(Node())
""", "limit_exceeded")

REFUSED_ESCAPES["while_true_pass"] = ("""\
while True:
    pass
""", "limit_exceeded")

REFUSED_ESCAPES["while_loss_never_converges"] = ("""\
import torch

w = torch.tensor(1.0, requires_grad=True)
loss = w * 0 + 1
while loss.item() > 0:
    loss = (w * 0 + 1) * 1
""", "limit_exceeded")

REFUSED_ESCAPES["endless_generator_into_list"] = ("""\
def naturals():
    n = 0
    while True:
        yield n
        n += 1


print(list(naturals()))
""", "limit_exceeded")

REFUSED_ESCAPES["endless_generator_into_sum"] = ("""\
def ones():
    while True:
        yield 1


print(sum(ones()))
""", "limit_exceeded")

REFUSED_ESCAPES["string_doubling"] = ("""\
s = "ab"
for i in range(40):
    s = s + s
""", "limit_exceeded")

REFUSED_ESCAPES["list_doubling"] = ("""\
xs = [0]
for i in range(40):
    xs.extend(xs)
""", "limit_exceeded")

REFUSED_ESCAPES["list_append_forever"] = ("""\
xs = []
while True:
    xs.append("loss")
""", "limit_exceeded")

REFUSED_ESCAPES["join_of_a_huge_generator"] = ("""\
text = "".join("ab" for _ in range(10 ** 7))
""", "limit_exceeded")

REFUSED_ESCAPES["huge_dict_comprehension"] = ("""\
table = {i: i * i for i in range(10 ** 7)}
""", "limit_exceeded")

REFUSED_ESCAPES["percent_format_width"] = ("""\
print("%099999999d" % 1)
""", "limit_exceeded")

REFUSED_ESCAPES["str_format_width"] = ("""\
print("{:>99999999}".format(1))
""", "limit_exceeded")

# --- custom autograd functions that torch itself refuses ----------------------------------

REFUSED_ESCAPES["save_for_backward_non_tensor"] = ("""\
import torch


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x, 3)
        return x * 3

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 3


y = Scale.apply(torch.ones(2, requires_grad=True))
""", "torch_error")

REFUSED_ESCAPES["backward_wrong_number_of_gradients"] = ("""\
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output, grad_output


x = torch.ones(2, requires_grad=True)
Square.apply(x).sum().backward()
""", "torch_error")

REFUSED_ESCAPES["backward_wrong_shape"] = ("""\
import torch


class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return torch.ones(3)


x = torch.ones(2, requires_grad=True)
Twice.apply(x).sum().backward()
""", "torch_error")

REFUSED_ESCAPES["register_buffer_non_tensor"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", 2.0)


net = Net()
""", "torch_error")

# --- class features that run code behind the interpreter's back ---------------------------

REFUSED_ESCAPES["class_getattr"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __getattr__(self, name):
        return 1
""", "not_allowed")

REFUSED_ESCAPES["class_getattribute"] = ("""\
class Config:
    def __getattribute__(self, name):
        return 1
""", "not_allowed")

REFUSED_ESCAPES["class_del"] = ("""\
class Logger:
    def __del__(self):
        print("bye")


log = Logger()
""", "not_allowed")

REFUSED_ESCAPES["class_init_subclass"] = ("""\
import torch.nn as nn


class Base(nn.Module):
    def __init_subclass__(cls):
        pass
""", "not_allowed")

REFUSED_ESCAPES["class_class_getitem"] = ("""\
class Box:
    def __class_getitem__(cls, item):
        return cls
""", "not_allowed")

REFUSED_ESCAPES["class_metaclass"] = ("""\
class Registry(metaclass=type):
    pass
""", "not_allowed")

REFUSED_ESCAPES["module_setattr"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __setattr__(self, name, value):
        pass
""", "not_allowed")

REFUSED_ESCAPES["plain_class_eq"] = ("""\
class Point(object):
    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return True
""", "not_allowed")

REFUSED_ESCAPES["plain_class_add"] = ("""\
class Value:
    def __init__(self, data):
        self.data = data

    def __add__(self, other):
        return Value(self.data + other.data)


print((Value(1.0) + Value(2.0)).data)
""", "not_allowed")

REFUSED_ESCAPES["plain_class_format"] = ("""\
class Loss:
    def __format__(self, spec):
        return "0.0"


print(f"{Loss():.4f}")
""", "not_allowed")

REFUSED_ESCAPES["plain_class_new"] = ("""\
class Singleton:
    def __new__(cls):
        return 1
""", "not_allowed")

REFUSED_ESCAPES["plain_class_context_manager"] = ("""\
class Timer:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return True


with Timer():
    pass
""", "not_allowed")

REFUSED_ESCAPES["inherit_tensor"] = ("""\
import torch


class MyTensor(torch.Tensor):
    pass
""", "not_allowed")

REFUSED_ESCAPES["inherit_dict"] = ("""\
class Config(dict):
    pass
""", "not_allowed")

REFUSED_ESCAPES["inherit_type"] = ("""\
class Meta(type):
    pass
""", "not_allowed")

# --- decorators other than @staticmethod --------------------------------------------------

REFUSED_ESCAPES["decorator_property"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    @property
    def size(self):
        return 3
""", "not_allowed")

REFUSED_ESCAPES["decorator_functools_wraps"] = ("""\
import functools


def logged(f):
    @functools.wraps(f)
    def inner(*args):
        return f(*args)
    return inner
""", "not_allowed")

REFUSED_ESCAPES["decorator_user_function"] = ("""\
def logged(f):
    return f


@logged
def loss_fn(pred, y):
    return (pred - y) ** 2
""", "not_allowed")

REFUSED_ESCAPES["decorator_classmethod"] = ("""\
class Config:
    @classmethod
    def default(cls):
        return cls()
""", "not_allowed")

# --- the world outside: files, processes, introspection, imports --------------------------

REFUSED_ESCAPES["os_system"] = ("""\
import os

os.system("ls")
""", "not_allowed")

REFUSED_ESCAPES["os_listdir"] = ("""\
import os

print(os.listdir("."))
""", "not_allowed")

REFUSED_ESCAPES["os_environ"] = ("""\
import os

print(os.environ)
""", "not_allowed")

REFUSED_ESCAPES["os_path_in_function"] = ("""\
import os


def data_dir():
    return os.path.join("data", "names.txt")


print(data_dir())
""", "not_allowed")

REFUSED_ESCAPES["open_in_function"] = ("""\
def load_words():
    return open("names.txt").read().splitlines()


words = load_words()
""", "not_allowed")

REFUSED_ESCAPES["import_numpy"] = ("""\
import numpy as np

x = np.linspace(0, 1, 10)
""", "not_allowed")
HINTS["import_numpy"] = "torch"

REFUSED_ESCAPES["tensor_numpy"] = ("""\
import torch

x = torch.ones(3)
print(x.numpy())
""", "not_allowed")

REFUSED_ESCAPES["eval_in_function"] = ("""\
def compute(expr):
    return eval(expr)


print(compute("1 + 1"))
""", "not_allowed")

REFUSED_ESCAPES["exec_in_method"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def run(self, code):
        exec(code)


Net().run("x = 1")
""", "not_allowed")

REFUSED_ESCAPES["compile_builtin"] = ("""\
code = compile("1", "f", "eval")
""", "not_allowed")

REFUSED_ESCAPES["getattr_layer"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 2)


model = Net()
layer = getattr(model, "fc1")
""", "not_allowed")

REFUSED_ESCAPES["setattr_layer"] = ("""\
import torch.nn as nn

model = nn.Sequential(nn.Linear(2, 2))
setattr(model, "fc2", nn.Linear(2, 1))
""", "not_allowed")

REFUSED_ESCAPES["vars_self"] = ("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def show(self):
        return vars(self)


print(Net().show())
""", "not_allowed")

REFUSED_ESCAPES["globals_call"] = ("""\
def names():
    return globals()


print(names())
""", "not_allowed")

REFUSED_ESCAPES["locals_call"] = ("""\
def names(a=1):
    return locals()


print(names())
""", "not_allowed")

REFUSED_ESCAPES["type_with_three_arguments"] = ("""\
Net = type("Net", (), {})
""", "not_allowed")

REFUSED_ESCAPES["dunder_import"] = ("""\
os = __import__("os")
""", "not_allowed")

REFUSED_ESCAPES["import_threading"] = ("""\
import threading

threading.Thread(target=print).start()
""", "not_allowed")

REFUSED_ESCAPES["import_subprocess"] = ("""\
import subprocess

subprocess.run(["ls"])
""", "not_allowed")

REFUSED_ESCAPES["import_sys"] = ("""\
import sys

sys.setrecursionlimit(10 ** 6)
""", "not_allowed")

REFUSED_ESCAPES["import_importlib"] = ("""\
import importlib

os = importlib.import_module("os")
""", "not_allowed")

REFUSED_ESCAPES["breakpoint_builtin"] = ("""\
def train():
    breakpoint()


train()
""", "not_allowed")

REFUSED_ESCAPES["input_builtin"] = ("""\
lr = float(input("learning rate: "))
""", "not_allowed")

REFUSED_ESCAPES["dataloader_workers"] = ("""\
import torch
from torch.utils.data import DataLoader, TensorDataset

ds = TensorDataset(torch.ones(4, 1))
loader = DataLoader(ds, batch_size=2, num_workers=2)
""", "not_allowed")

REFUSED_ESCAPES["plt_savefig"] = ("""\
import matplotlib.pyplot as plt

plt.plot([1.0, 0.5, 0.25])
plt.savefig("out.png")
""", "not_allowed")

# --- format strings that would look up attributes or items by name ------------------------

REFUSED_ESCAPES["format_positional_attribute"] = ("""\
import torch

x = torch.ones(1)
print("{0.__class__}".format(x))
""", "not_allowed")

REFUSED_ESCAPES["format_named_attribute"] = ("""\
print("{x.__class__}".format(x=1))
""", "not_allowed")

REFUSED_ESCAPES["format_index"] = ("""\
print("{0[0]}".format([1]))
""", "not_allowed")

REFUSED_ESCAPES["format_allowed_attribute_by_name"] = ("""\
import torch.nn as nn

layer = nn.Linear(2, 1)
print("{0.weight}".format(layer))
""", "not_allowed")

REFUSED_ESCAPES["format_map_attribute"] = ("""\
print("{a.__class__}".format_map({"a": 1}))
""", "not_allowed")

REFUSED_ESCAPES["percent_format_with_object_mapping"] = ("""\
class Table:
    def __getitem__(self, key):
        return key


print("%(a)s" % Table())
""", "type_error")

# --- syntax that stays outside: generators in lambdas, and plain mistakes -----------------

REFUSED_ESCAPES["lambda_yield"] = ("""\
f = lambda: (yield)
print(list(f()))
""", "not_allowed")

REFUSED_ESCAPES["unknown_name_in_function"] = ("""\
def loss_fn(pred):
    return (pred - target) ** 2


print(loss_fn(1.0))
""", "unknown_name")

REFUSED_ESCAPES["call_with_too_many_arguments"] = ("""\
def loss_fn(pred, y):
    return (pred - y) ** 2


print(loss_fn(1.0, 2.0, 3.0))
""", "type_error")

REFUSED_ESCAPES["call_instance_without_call"] = ("""\
class Layer:
    def __init__(self):
        self.scale = 2.0


layer = Layer()
print(layer(1.0))
""", "type_error")
