"""Programs that must stay refused once the language has functions, classes and the rest.

Data only: id -> Escape(source, and the error chainrule must give: code, message, line,
col). Every source is valid Python (a refusal is never a syntax error) written the way a
student might write it in a tutorial-style program, but reaching for something outside the
language: dunder attributes through functions, classes and closures, Python's own builtins,
imports other than torch's, format-string attribute look-ups, class features that run code
behind the interpreter's back, decorators, and bombs of time or memory.
test_refused_escapes.py runs each through `chainrule.pipeline.trace_to_json` (never through
CPython: some rows would touch the file system or never end) and checks the whole error.

Rows coded `torch_error` are the only ones CPython may run: torch itself refuses them.
"""

from __future__ import annotations

from typing import NamedTuple


class Escape(NamedTuple):
    """A refused program and the error it gets; `line` is 1-based, `col` 0-based."""

    source: str
    code: str
    message: str
    line: int | None
    col: int | None


REFUSED_ESCAPES: dict[str, Escape] = {}

# --- dunder attributes through functions, classes and closures ----------------------------

REFUSED_ESCAPES["self_dunder_class"] = Escape("""\
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
""", "not_allowed", "attribute '__name__' is not allowed", 11, 14)

REFUSED_ESCAPES["function_globals"] = Escape("""\
def f():
    return 1


g = f.__globals__
""", "not_allowed", "attribute '__globals__' is not allowed", 5, 4)

REFUSED_ESCAPES["function_code"] = Escape("""\
def loss_fn(pred, y):
    return (pred - y) ** 2


print(loss_fn.__code__.co_consts)
""", "not_allowed", "attribute 'co_consts' is not allowed", 5, 6)

REFUSED_ESCAPES["function_defaults"] = Escape("""\
def step(lr=0.1):
    return lr


print(step.__defaults__)
""", "not_allowed", "attribute '__defaults__' is not allowed", 5, 6)

REFUSED_ESCAPES["closure_cells"] = Escape("""\
def make_power(n):
    def power(x):
        return x ** n
    return power


square = make_power(2)
print(square.__closure__[0].cell_contents)
""", "not_allowed", "attribute 'cell_contents' is not allowed", 8, 6)

REFUSED_ESCAPES["type_of_self_subclasses"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def walk(self):
        return type(self).__subclasses__()


print(Net().walk())
""", "not_allowed", "attribute '__subclasses__' is not allowed", 6, 15)

REFUSED_ESCAPES["super_init_subclass"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        super().__init_subclass__()


net = Net()
""", "not_allowed", "attribute '__init_subclass__' is not allowed", 7, 8)

REFUSED_ESCAPES["class_dict"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def forward(self, x):
        return x


print(Net.__dict__)
""", "not_allowed", "attribute '__dict__' is not allowed", 9, 6)

REFUSED_ESCAPES["class_mro"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    pass


print(Net.__mro__)
""", "not_allowed", "attribute '__mro__' is not allowed", 8, 6)

REFUSED_ESCAPES["tensor_class_bases_in_function"] = Escape("""\
import torch


def base_of(x):
    return x.__class__.__bases__[0]


print(base_of(torch.ones(1)))
""", "not_allowed", "attribute '__bases__' is not allowed", 5, 11)

REFUSED_ESCAPES["bound_method_func_globals"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def forward(self, x):
        return x


model = Net()
print(model.forward.__func__.__globals__)
""", "not_allowed", "attribute '__globals__' is not allowed", 10, 6)

REFUSED_ESCAPES["autograd_function_globals"] = Escape("""\
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


print(MyReLU.forward.__globals__)
""", "not_allowed", "attribute '__globals__' is not allowed", 14, 6)

REFUSED_ESCAPES["ctx_private_attribute"] = Escape("""\
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
""", "not_allowed", "attribute '_forward_cls' is not allowed", 7, 14)

REFUSED_ESCAPES["closure_reaches_module_internals"] = Escape("""\
import torch.nn as nn


def make_inspector(model):
    def inspect():
        return model._modules
    return inspect


inspect = make_inspector(nn.Sequential(nn.Linear(2, 2)))
print(inspect())
""", "not_allowed", "attribute '_modules' is not allowed", 6, 15)

REFUSED_ESCAPES["closure_reaches_module_dict"] = Escape("""\
import torch.nn as nn


def make_setter(model):
    def set_weight(w):
        model.__dict__["_parameters"]["weight"] = w
    return set_weight


set_weight = make_setter(nn.Linear(2, 2))
""", "not_allowed", "attribute '__dict__' is not allowed", 6, 8)

REFUSED_ESCAPES["self_dict_write"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.__dict__["hidden"] = 1


net = Net()
""", "not_allowed", "attribute '__dict__' is not allowed", 7, 8)

REFUSED_ESCAPES["generator_frame"] = Escape("""\
def batches():
    yield 1


gen = batches()
print(gen.gi_frame.f_globals)
""", "not_allowed", "attribute 'f_globals' is not allowed", 6, 6)

REFUSED_ESCAPES["generator_code"] = Escape("""\
def batches():
    yield 1


print(batches().gi_code)
""", "not_allowed", "attribute 'gi_code' is not allowed", 5, 6)

REFUSED_ESCAPES["lambda_default_builtins"] = Escape("""\
grab = lambda b=__builtins__: b
print(grab())
""", "not_allowed", "name '__builtins__' is not allowed", 1, 16)

REFUSED_ESCAPES["fstring_self_dict"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def describe(self):
        return f"{self.__dict__}"


print(Net().describe())
""", "not_allowed", "attribute '__dict__' is not allowed", 6, 18)

# --- recursion, endless loops and growth: limits ------------------------------------------

REFUSED_ESCAPES["unbounded_recursion"] = Escape("""\
def f(n):
    return f(n + 1)


f(0)
""", "limit_exceeded",
    "functions called each other more than 200 deep (a recursion without an end?)", 2, 11)

REFUSED_ESCAPES["deep_recursion"] = Escape("""\
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


print(depth(100000))
""", "limit_exceeded",
    "functions called each other more than 200 deep (a recursion without an end?)", 4, 15)

REFUSED_ESCAPES["mutual_recursion"] = Escape("""\
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


print(is_even(100001))
""", "limit_exceeded",
    "functions called each other more than 200 deep (a recursion without an end?)", 6, 32)

REFUSED_ESCAPES["forward_calls_itself"] = Escape("""\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self(self.fc(x))


out = Net()(torch.ones(2))
""", "limit_exceeded",
    "functions called each other more than 200 deep (a recursion without an end?)", 11, 15)

REFUSED_ESCAPES["recursive_repr"] = Escape("""\
class Node:
    def __repr__(self):
        return "Node(" + str(self) + ")"


print(Node())
""", "limit_exceeded",
    "functions called each other more than 200 deep (a recursion without an end?)", 3, 25)

REFUSED_ESCAPES["while_true_pass"] = Escape("""\
while True:
    pass
""", "limit_exceeded", "the program ran more than 5000000 steps", 2, 4)

REFUSED_ESCAPES["while_loss_never_converges"] = Escape("""\
import torch

w = torch.tensor(1.0, requires_grad=True)
loss = w * 0 + 1
while loss.item() > 0:
    loss = (w * 0 + 1) * 1
""", "limit_exceeded", "the program ran more than 5000000 steps", 5, 20)

REFUSED_ESCAPES["endless_generator_into_list"] = Escape("""\
def naturals():
    n = 0
    while True:
        yield n
        n += 1


print(list(naturals()))
""", "limit_exceeded", "a generator is limited to 100000 items", 4, 8)

REFUSED_ESCAPES["endless_generator_into_sum"] = Escape("""\
def ones():
    while True:
        yield 1


print(sum(ones()))
""", "limit_exceeded", "a generator is limited to 100000 items", 3, 8)

REFUSED_ESCAPES["string_doubling"] = Escape("""\
s = "ab"
for i in range(40):
    s = s + s
""", "limit_exceeded", "strings are limited to 100000 characters", 3, 8)

REFUSED_ESCAPES["list_doubling"] = Escape("""\
xs = [0]
for i in range(40):
    xs.extend(xs)
""", "limit_exceeded", "lists are limited to 100000 items", 3, 4)

REFUSED_ESCAPES["list_append_forever"] = Escape("""\
xs = []
while True:
    xs.append("loss")
""", "limit_exceeded", "lists are limited to 100000 items", 3, 4)

REFUSED_ESCAPES["join_of_a_huge_generator"] = Escape("""\
text = "".join("ab" for _ in range(10 ** 7))
""", "limit_exceeded", "the program ran more than 5000000 steps", 1, 15)

REFUSED_ESCAPES["huge_dict_comprehension"] = Escape("""\
table = {i: i * i for i in range(10 ** 7)}
""", "limit_exceeded", "lists are limited to 100000 items", 1, 8)

REFUSED_ESCAPES["percent_format_width"] = Escape("""\
print("%099999999d" % 1)
""", "limit_exceeded", "format widths are limited to 200", 1, 6)

REFUSED_ESCAPES["str_format_width"] = Escape("""\
print("{:>99999999}".format(1))
""", "limit_exceeded", "format widths are limited to 200", 1, 6)

# --- custom autograd functions that torch itself refuses ----------------------------------

REFUSED_ESCAPES["save_for_backward_non_tensor"] = Escape("""\
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
""", "torch_error",
    "save_for_backward can only save variables, but argument 1 is of type int", 15, 4)

REFUSED_ESCAPES["backward_wrong_number_of_gradients"] = Escape("""\
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
""", "torch_error",
    "function SquareBackward returned an incorrect number of gradients (expected 1, got 2)", 17, 0)

REFUSED_ESCAPES["backward_wrong_shape"] = Escape("""\
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
""", "torch_error",
    "Function TwiceBackward returned an invalid gradient at index 0 - got [3] but expected "
    "shape compatible with [2]", 15, 0)

REFUSED_ESCAPES["register_buffer_non_tensor"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", 2.0)


net = Net()
""", "torch_error",
    "cannot assign 'float' object to buffer 'scale' (torch Tensor or None required)", 7, 8)

# --- class features that run code behind the interpreter's back ---------------------------

REFUSED_ESCAPES["class_getattr"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __getattr__(self, name):
        return 1
""", "not_allowed", "a method named '__getattr__' is not allowed", 5, 4)

REFUSED_ESCAPES["class_getattribute"] = Escape("""\
class Config:
    def __getattribute__(self, name):
        return 1
""", "not_allowed", "a method named '__getattribute__' is not allowed", 2, 4)

REFUSED_ESCAPES["class_del"] = Escape("""\
class Logger:
    def __del__(self):
        print("bye")


log = Logger()
""", "not_allowed", "a method named '__del__' is not allowed", 2, 4)

REFUSED_ESCAPES["class_init_subclass"] = Escape("""\
import torch.nn as nn


class Base(nn.Module):
    def __init_subclass__(cls):
        pass
""", "not_allowed", "a method named '__init_subclass__' is not allowed", 5, 4)

REFUSED_ESCAPES["class_class_getitem"] = Escape("""\
class Box:
    def __class_getitem__(cls, item):
        return cls
""", "not_allowed", "a method named '__class_getitem__' is not allowed", 2, 4)

REFUSED_ESCAPES["class_metaclass"] = Escape("""\
class Registry(metaclass=type):
    pass
""", "not_allowed", "class keywords (metaclass=...) are not allowed", 1, 0)

REFUSED_ESCAPES["module_setattr"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __setattr__(self, name, value):
        pass
""", "not_allowed", "a method named '__setattr__' is not allowed", 5, 4)

REFUSED_ESCAPES["plain_class_eq"] = Escape("""\
class Point(object):
    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return True
""", "not_allowed", "name 'object' is not available", 1, 12)

REFUSED_ESCAPES["plain_class_add"] = Escape("""\
class Value:
    def __init__(self, data):
        self.data = data

    def __add__(self, other):
        return Value(self.data + other.data)


print((Value(1.0) + Value(2.0)).data)
""", "not_allowed", "a method named '__add__' is not allowed", 5, 4)

REFUSED_ESCAPES["plain_class_format"] = Escape("""\
class Loss:
    def __format__(self, spec):
        return "0.0"


print(f"{Loss():.4f}")
""", "not_allowed", "a method named '__format__' is not allowed", 2, 4)

REFUSED_ESCAPES["plain_class_new"] = Escape("""\
class Singleton:
    def __new__(cls):
        return 1
""", "not_allowed", "a method named '__new__' is not allowed", 2, 4)

REFUSED_ESCAPES["plain_class_context_manager"] = Escape("""\
class Timer:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return True


with Timer():
    pass
""", "not_allowed", "a method named '__enter__' is not allowed", 2, 4)

REFUSED_ESCAPES["inherit_tensor"] = Escape("""\
import torch


class MyTensor(torch.Tensor):
    pass
""", "not_allowed",
    "a class may derive from nn.Module, torch.autograd.Function, torch.utils.data.Dataset "
    "or a class of the program's own", 4, 15)

REFUSED_ESCAPES["inherit_dict"] = Escape("""\
class Config(dict):
    pass
""", "not_allowed",
    "a class may derive from nn.Module, torch.autograd.Function, torch.utils.data.Dataset "
    "or a class of the program's own", 1, 13)

REFUSED_ESCAPES["inherit_type"] = Escape("""\
class Meta(type):
    pass
""", "not_allowed", "name 'type' is not available", 1, 11)

# --- decorators other than @staticmethod --------------------------------------------------

REFUSED_ESCAPES["decorator_property"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    @property
    def size(self):
        return 3
""", "not_allowed",
    "the decorator @property is not allowed (only @staticmethod and @torch.no_grad())", 5, 5)

REFUSED_ESCAPES["decorator_functools_wraps"] = Escape("""\
import functools


def logged(f):
    @functools.wraps(f)
    def inner(*args):
        return f(*args)
    return inner
""", "not_allowed", "import of 'functools' is not allowed", 1, 0)

REFUSED_ESCAPES["decorator_user_function"] = Escape("""\
def logged(f):
    return f


@logged
def loss_fn(pred, y):
    return (pred - y) ** 2
""", "not_allowed",
    "the decorator @logged is not allowed (only @staticmethod and @torch.no_grad())", 5, 1)

REFUSED_ESCAPES["decorator_classmethod"] = Escape("""\
class Config:
    @classmethod
    def default(cls):
        return cls()
""", "not_allowed",
    "the decorator @classmethod is not allowed (only @staticmethod and @torch.no_grad())", 2, 5)

# --- the world outside: files, processes, introspection, imports --------------------------

REFUSED_ESCAPES["os_system"] = Escape("""\
import os

os.system("ls")
""", "not_allowed",
    "'os.system' is not available: chainrule programs have no files, environment or network", 3, 0)

REFUSED_ESCAPES["os_listdir"] = Escape("""\
import os

print(os.listdir("."))
""", "not_allowed",
    "'os.listdir' is not available: chainrule programs have no files, environment or network", 3, 6)

REFUSED_ESCAPES["os_environ"] = Escape("""\
import os

print(os.environ)
""", "not_allowed",
    "'os.environ' is not available: chainrule programs have no files, environment or network", 3, 6)

REFUSED_ESCAPES["os_path_in_function"] = Escape("""\
import os


def data_dir():
    return os.path.join("data", "names.txt")


print(data_dir())
""", "not_allowed",
    "'os.path' is not available: chainrule programs have no files, environment or network", 5, 11)

REFUSED_ESCAPES["open_in_function"] = Escape("""\
def load_words():
    return open("names.txt").read().splitlines()


words = load_words()
""", "not_allowed", "attribute 'read' is not allowed", 2, 11)

REFUSED_ESCAPES["import_numpy"] = Escape("""\
import numpy as np

x = np.linspace(0, 1, 10)
""", "not_allowed",
    "import of 'numpy' is not allowed: chainrule keeps tensors as tensors: use torch "
    "functions (torch.tensor, torch.linspace, torch.sin, ...) instead of numpy", 1, 0)

REFUSED_ESCAPES["tensor_numpy"] = Escape("""\
import torch

x = torch.ones(3)
print(x.numpy())
""", "not_allowed",
    "'.numpy()' is not available: chainrule keeps tensors as tensors: print the tensor or "
    "use .tolist()", 4, 6)

REFUSED_ESCAPES["eval_in_function"] = Escape("""\
def compute(expr):
    return eval(expr)


print(compute("1 + 1"))
""", "not_allowed", "function 'eval' is not available", 2, 11)

REFUSED_ESCAPES["exec_in_method"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def run(self, code):
        exec(code)


Net().run("x = 1")
""", "not_allowed", "function 'exec' is not available", 6, 8)

REFUSED_ESCAPES["compile_builtin"] = Escape("""\
code = compile("1", "f", "eval")
""", "not_allowed", "function 'compile' is not available", 1, 7)

REFUSED_ESCAPES["getattr_layer"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 2)


model = Net()
layer = getattr(model, "fc1")
""", "not_allowed", "function 'getattr' is not available", 11, 8)

REFUSED_ESCAPES["setattr_layer"] = Escape("""\
import torch.nn as nn

model = nn.Sequential(nn.Linear(2, 2))
setattr(model, "fc2", nn.Linear(2, 1))
""", "not_allowed", "function 'setattr' is not available", 4, 0)

REFUSED_ESCAPES["vars_self"] = Escape("""\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def show(self):
        return vars(self)


print(Net().show())
""", "not_allowed", "function 'vars' is not available", 10, 15)

REFUSED_ESCAPES["globals_call"] = Escape("""\
def names():
    return globals()


print(names())
""", "not_allowed", "function 'globals' is not available", 2, 11)

REFUSED_ESCAPES["locals_call"] = Escape("""\
def names(a=1):
    return locals()


print(names())
""", "not_allowed", "function 'locals' is not available", 2, 11)

REFUSED_ESCAPES["type_with_three_arguments"] = Escape("""\
Net = type("Net", (), {})
""", "not_allowed", "function 'type' is not available", 1, 6)

REFUSED_ESCAPES["dunder_import"] = Escape("""\
os = __import__("os")
""", "not_allowed", "name '__import__' is not allowed", 1, 5)

REFUSED_ESCAPES["import_threading"] = Escape("""\
import threading

threading.Thread(target=print).start()
""", "not_allowed",
    "import of 'threading' is not allowed: chainrule programs run on one thread", 1, 0)

REFUSED_ESCAPES["import_subprocess"] = Escape("""\
import subprocess

subprocess.run(["ls"])
""", "not_allowed",
    "import of 'subprocess' is not allowed: chainrule programs cannot start processes", 1, 0)

REFUSED_ESCAPES["import_sys"] = Escape("""\
import sys

sys.setrecursionlimit(10 ** 6)
""", "not_allowed",
    "import of 'sys' is not allowed: chainrule programs cannot reach the interpreter or the "
    "process", 1, 0)

REFUSED_ESCAPES["import_importlib"] = Escape("""\
import importlib

os = importlib.import_module("os")
""", "not_allowed",
    "import of 'importlib' is not allowed: chainrule programs import only what the language "
    "allows", 1, 0)

REFUSED_ESCAPES["breakpoint_builtin"] = Escape("""\
def train():
    breakpoint()


train()
""", "not_allowed", "function 'breakpoint' is not available", 2, 4)

REFUSED_ESCAPES["input_builtin"] = Escape("""\
lr = float(input("learning rate: "))
""", "not_allowed", "function 'input' is not available", 1, 11)

REFUSED_ESCAPES["dataloader_workers"] = Escape("""\
import torch
from torch.utils.data import DataLoader, TensorDataset

ds = TensorDataset(torch.ones(4, 1))
loader = DataLoader(ds, batch_size=2, num_workers=2)
""", "not_allowed",
    "DataLoader runs in the program's own process here: leave num_workers at 0", 5, 9)

REFUSED_ESCAPES["plt_savefig"] = Escape("""\
import matplotlib.pyplot as plt

plt.plot([1.0, 0.5, 0.25])
plt.savefig("out.png")
""", "not_allowed",
    "'matplotlib.pyplot.savefig' is not available: plots are not drawn or saved; the graph "
    "is shown instead", 4, 0)

# --- format strings that would look up attributes or items by name ------------------------

REFUSED_ESCAPES["format_positional_attribute"] = Escape("""\
import torch

x = torch.ones(1)
print("{0.__class__}".format(x))
""", "not_allowed",
    "a format field may name an argument, not reach into it ('{0.__class__}'): pass the "
    "value itself", 4, 6)

REFUSED_ESCAPES["format_named_attribute"] = Escape("""\
print("{x.__class__}".format(x=1))
""", "not_allowed",
    "a format field may name an argument, not reach into it ('{x.__class__}'): pass the "
    "value itself", 1, 6)

REFUSED_ESCAPES["format_index"] = Escape("""\
print("{0[0]}".format([1]))
""", "not_allowed",
    "a format field may name an argument, not reach into it ('{0[0]}'): pass the value "
    "itself", 1, 6)

REFUSED_ESCAPES["format_allowed_attribute_by_name"] = Escape("""\
import torch.nn as nn

layer = nn.Linear(2, 1)
print("{0.weight}".format(layer))
""", "not_allowed",
    "a format field may name an argument, not reach into it ('{0.weight}'): pass the value "
    "itself", 4, 6)

REFUSED_ESCAPES["format_map_attribute"] = Escape("""\
print("{a.__class__}".format_map({"a": 1}))
""", "not_allowed", "attribute 'format_map' is not allowed", 1, 6)

REFUSED_ESCAPES["percent_format_with_object_mapping"] = Escape("""\
class Table:
    def __getitem__(self, key):
        return key


print("%(a)s" % Table())
""", "type_error", "format requires a mapping", 6, 6)

# --- syntax that stays outside: generators in lambdas, and plain mistakes -----------------

REFUSED_ESCAPES["lambda_yield"] = Escape("""\
f = lambda: (yield)
print(list(f()))
""", "not_allowed", "'yield' inside a lambda is not allowed: write a def", 1, 13)

REFUSED_ESCAPES["unknown_name_in_function"] = Escape("""\
def loss_fn(pred):
    return (pred - target) ** 2


print(loss_fn(1.0))
""", "unknown_name", "unknown name 'target'", 2, 19)

REFUSED_ESCAPES["call_with_too_many_arguments"] = Escape("""\
def loss_fn(pred, y):
    return (pred - y) ** 2


print(loss_fn(1.0, 2.0, 3.0))
""", "type_error", "loss_fn() takes 2 positional arguments but 3 were given", 5, 6)

REFUSED_ESCAPES["call_instance_without_call"] = Escape("""\
class Layer:
    def __init__(self):
        self.scale = 2.0


layer = Layer()
print(layer(1.0))
""", "type_error", "'Layer' object is not callable", 7, 6)
