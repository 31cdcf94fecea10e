"""Deliberately refused programs: each row must fail with exactly this code, message and place.

Every row runs after a prelude that prints "ran". A construct the static check refuses
must fail before anything runs, so nothing is printed; a refusal that can only happen
while running (a limit, torch's own error) must have printed "ran" and nothing after.
The day someone adds one of these features by accident, its row fails.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pytest
import torch

from chainrule.errors import ChainruleError
from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.pipeline import trace_to_json
from chainrule.settings import MAX_STDOUT_CHARS

PRELUDE = """\
import torch
import torch.nn as nn
x = torch.ones(2, requires_grad=True)
print('ran')
"""
LINE = PRELUDE.count("\n") + 1  # the first line after the prelude
BOTH, TRACE = "both", "trace"


@dataclass(frozen=True)
class Row:
    """`body` follows the prelude (or is the whole program when `whole`); `ran` says
    the refusal happens while running, after the prelude printed "ran"."""

    body: str
    code: str
    message: str
    line: int | None
    col: int | None
    ran: bool = False
    via: str = BOTH  # TRACE: only the real tracer checks this (sizes, before allocating)
    whole: bool = False

    @property
    def source(self) -> str:
        return self.body if self.whole else PRELUDE + self.body


def _na(message: str, col: int = 0, line: int = LINE, ran: bool = False) -> Row:
    """A not_allowed row, with the body filled in by the table."""
    return Row("", "not_allowed", message, line, col, ran)


def _row(body: str, template: Row) -> Row:
    return Row(body, template.code, template.message, template.line, template.col,
               template.ran, template.via, template.whole)


HOOK = _na("'.register_hook()' is not available: hooks run arbitrary code inside autograd; "
           "chainrule records every gradient for you: read them on the graph")

REFUSED: dict[str, Row] = {
    # --- escapes through attributes and names ---------------------------------------------
    "dunder_class": _row("x.__class__", _na("attribute '__class__' is not allowed")),
    "subclasses_walk": _row("().__class__.__bases__[0].__subclasses__()",
                            _na("attribute '__subclasses__' is not allowed")),
    "dunder_import": _row("__import__('os')", _na("name '__import__' is not allowed")),
    "module_dict": _row("torch.__dict__", _na("'torch.__dict__' is not available")),
    "private_attribute": _row("x._version", _na("attribute '_version' is not allowed")),
    "torch_load": _row("torch.load('f.pt')", _na("'torch.load' is not available")),
    "torch_save": _row("torch.save(x, 'f.pt')", _na("'torch.save' is not available")),
    "torch_from_file": _row("torch.from_file('x')", _na("'torch.from_file' is not available")),
    "torch_hub": _row("torch.hub.load('a', 'b')", _na("'torch.hub' is not available")),
    "torch_utils": _row("torch.utils.cpp_extension",
                        _na("'torch.utils.cpp_extension' is not available")),
    "torch_ops": _row("torch.ops.aten.add(x, x)", _na("'torch.ops' is not available")),
    "set_num_threads": _row("torch.set_num_threads(64)",
                            _na("'torch.set_num_threads' is not available")),
    "functional_unknown": _row("y = torch.nn.functional.foo(x)",
                               _na("'torch.nn.functional.foo' is not available", col=4)),
    "tensor_hook": _row("x.register_hook(print)", HOOK),
    "grad_fn_hook": _row("(x * 2).grad_fn.register_hook(print)", HOOK),
    "module_hook": _row("nn.Linear(1, 1).register_forward_hook(print)",
                        _na("attribute 'register_forward_hook' is not allowed")),
    "format_reaches_in": Row("print('{0.__class__}'.format(x))", "not_allowed",
                             "a format field may name an argument, not reach into it "
                             "('{0.__class__}'): pass the value itself", LINE, 6, ran=True),
    "format_indexes": Row("print('{0[0]}'.format([1]))", "not_allowed",
                          "a format field may name an argument, not reach into it ('{0[0]}'): "
                          "pass the value itself", LINE, 6, ran=True),
    "unknown_attribute": _row("y = x.foo", _na("attribute 'foo' is not allowed", col=4)),
    # --- functions and names ----------------------------------------------------------------
    "open": _row("open('/etc/passwd')", _na("function 'open' is not available")),
    "eval": _row("eval('1')", _na("function 'eval' is not available")),
    "exec": _row("exec('import os')", _na("function 'exec' is not available")),
    "getattr": _row("getattr(x, 'grad')", _na("function 'getattr' is not available")),
    "globals": _row("globals()", _na("function 'globals' is not available")),
    "builtin_as_value": _row("f = open", _na("name 'open' is not available", col=4)),
    "unknown_name": Row("q + 1", "unknown_name", "unknown name 'q'", LINE, 0),
    # --- imports ----------------------------------------------------------------------------
    "os_system": _row("import os\nos.system('ls')",
                      _na("'os.system' is not available: chainrule programs have no files, "
                          "environment or network", line=LINE + 1)),
    "import_subprocess": _row("import subprocess", _na(
        "import of 'subprocess' is not allowed: chainrule programs cannot start processes")),
    "import_numpy": _row("import numpy as np", _na(
        "import of 'numpy' is not allowed: chainrule keeps tensors as tensors: use torch "
        "functions (torch.tensor, torch.linspace, torch.sin, ...) instead of numpy")),
    "from_os": _row("from os import system", _na("import of 'os.system' is not allowed")),
    "import_torch_hub": _row("import torch.hub", _na("import of 'torch.hub' is not allowed")),
    "from_torch_load": _row("from torch import load",
                            _na("import of 'torch.load' is not allowed")),
    "relative_import": _row("from . import x", _na("relative imports are not allowed")),
    "star_import": _row("from torch import *", _na(
        "'import *' is not allowed: import the names you use")),
    # --- syntax outside the language --------------------------------------------------------
    "async_def": _row("async def f():\n    pass", _na("async def is not allowed")),
    "try": _row("try:\n    pass\nexcept Exception:\n    pass", _na("try is not allowed")),
    "del": _row("del x", _na("del is not allowed")),
    "walrus": _row("(y := 1)", _na("':=' is not allowed", col=1)),
    "double_star_to_torch": Row("torch.ones(**{'size': 1, 'out': x})", "not_allowed",
                                "keyword argument 'out' is not allowed", LINE, 0, ran=True),
    "bit_and": _row("y = x & x", _na("the & operator is not allowed", col=4)),
    "yield_outside_function": _row("yield x", _na("'yield' outside function")),
    "return_outside_function": _row("return 1", _na("'return' outside function")),
    "break_outside_loop": _row("break", _na("'break' outside loop")),
    # --- the program's own functions and classes reaching out -------------------------------
    "method_dunder_class": _row("class A:\n    def f(self):\n        return self.__class__",
                                _na("attribute '__class__' is not allowed", line=LINE + 2,
                                    col=15)),
    "function_globals": _row("def f():\n    pass\ny = f.__globals__",
                             _na("attribute '__globals__' is not allowed", line=LINE + 2,
                                 col=4)),
    "class_dict": _row("class A:\n    pass\ny = A.__dict__",
                       _na("attribute '__dict__' is not allowed", line=LINE + 2, col=4)),
    "dunder_method_outside_table": _row("class A:\n    def __getattr__(self, n):\n        pass",
                                        _na("a method named '__getattr__' is not allowed",
                                            line=LINE + 1, col=4)),
    "metaclass": _row("class A(metaclass=type):\n    pass",
                      _na("class keywords (metaclass=...) are not allowed")),
    "base_not_allowed": Row("class A(dict):\n    pass", "not_allowed",
                            "a class may derive from nn.Module, torch.autograd.Function, "
                            "torch.utils.data.Dataset or a class of the program's own", LINE, 8,
                            ran=True),
    "user_decorator": _row("def d(f):\n    return f\n@d\ndef g():\n    pass",
                           _na("the decorator @d is not allowed (only @staticmethod and "
                               "@torch.no_grad())", line=LINE + 2, col=1)),
    "private_attribute_set": _row("class A:\n    def __init__(self):\n        self._x = 1",
                                  _na("attribute '_x' is not allowed", line=LINE + 2, col=8)),
    "recursion_bomb": Row("def f(n):\n    return f(n + 1)\nf(0)", "limit_exceeded",
                          "functions called each other more than 200 deep (a recursion without "
                          "an end?)", LINE + 1, 11, ran=True),
    "forward_calls_itself": Row(
        "class N(nn.Module):\n    def forward(self, v):\n        return self(v)\nN()(x)",
        "limit_exceeded", "functions called each other more than 200 deep (a recursion "
        "without an end?)", LINE + 2, 15, ran=True),
    "endless_while": Row("while True:\n    pass", "limit_exceeded",
                         "the program ran more than 5000000 steps", LINE + 1, 4, ran=True),
    "numpy_method": _row("y = x.numpy()", _na("'.numpy()' is not available: chainrule keeps "
                                              "tensors as tensors: print the tensor or use "
                                              ".tolist()", col=4)),
    "cuda_device": Row("y = torch.ones(2, device='cuda')", "not_allowed",
                       "chainrule runs on the CPU: device 'cuda' is not available here "
                       "(torch.device('cpu') and .to('cpu') are)", LINE, 4, ran=True),
    "device_by_position": Row("m = nn.Linear(2, 2, True, 'meta')", "not_allowed",
                              "chainrule runs on the CPU: device 'meta' is not available here "
                              "(torch.device('cpu') and .to('cpu') are)", LINE, 4, ran=True,
                              via=TRACE),
    "sparse_by_position": Row("e = nn.Embedding(10, 3, None, None, 2.0, False, True)",
                              "not_allowed", "sparse gradients are not available in chainrule",
                              LINE, 4, ran=True, via=TRACE),
    # The recurrent layers take *args: bound as nn.RNNBase takes them (after nn.RNN's
    # nonlinearity), the device is found by position there too.
    "device_by_position_lstm": Row("m = nn.LSTM(2, 3, 1, True, False, 0.0, False, 0, 'meta')",
                                   "not_allowed", "chainrule runs on the CPU: device 'meta' is "
                                   "not available here (torch.device('cpu') and .to('cpu') are)",
                                   LINE, 4, ran=True, via=TRACE),
    "device_by_position_rnn": Row(
        "m = nn.RNN(2, 3, 1, 'tanh', True, False, 0.0, False, 0, 'hpu')", "not_allowed",
        "chainrule runs on the CPU: device 'hpu' is not available here (torch.device('cpu') "
        "and .to('cpu') are)", LINE, 4, ran=True, via=TRACE),
    "sparse_by_position_functional": Row(
        "y = torch.nn.functional.embedding(torch.tensor([1]), x.expand(10, 2), None, None, "
        "2.0, False, True)", "not_allowed", "sparse gradients are not available in chainrule",
        LINE, 4, ran=True),
    "cuda_tensor_type": Row("y = x.type('torch.cuda.FloatTensor')", "not_allowed",
                            "chainrule runs on the CPU: tensor type 'torch.cuda.FloatTensor' is "
                            "not available here", LINE, 4, ran=True),
    "save_non_tensor": Row(
        "class S(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, v):\n"
        "        ctx.save_for_backward(3)\n        return v * 2\n    @staticmethod\n"
        "    def backward(ctx, g):\n        return g\ny = S.apply(x)",
        "torch_error", "save_for_backward can only save variables, but argument 0 is of type "
        "int", LINE + 8, 4, ran=True),
    "match": _row("match x:\n    case _:\n        pass", _na("match is not allowed")),
    "with_as": _row("with torch.no_grad() as g:\n    pass", _na("with ... as is not allowed")),
    "for_else": _row("for i in range(2):\n    pass\nelse:\n    pass",
                     _na("for ... else is not allowed")),
    "keyword_out": _row("y = torch.ones(2, out=x)",
                        _na("keyword argument 'out' is not allowed", col=18)),
    # --- strings and format-string tricks ---------------------------------------------------
    "percent_format_width": Row("print('%9999999s' % x)", "limit_exceeded",
                                "format widths are limited to 200", LINE, 6, ran=True),
    "percent_star_width": Row("print('%*s' % (5, 'a'))", "not_allowed",
                              "'*' widths are not allowed in % formatting", LINE, 6, ran=True),
    "huge_string": Row("print('ab' * 10 ** 6)", "limit_exceeded",
                       "strings are limited to 100000 characters", LINE, 6, ran=True),
    "fstring_dunder": _row("print(f'{x.__class__}')",
                           _na("attribute '__class__' is not allowed", col=9)),
    "fstring_nested_spec": _row("print(f\"{x!r:{'>'}10}\")",
                                _na("nested format specifications are not allowed", col=6)),
    "bytes": _row("print(b'x')", _na("bytes literals are not allowed", col=6)),
    "complex": _row("y = 1j", _na("complex literals are not allowed", col=4)),
    # --- full-width look-alikes: Python reads them as the ASCII names (NFKC) ----------------
    "fullwidth_eval": _row("ｅｖａｌ('1')", _na("function 'eval' is not available")),
    "fullwidth_import": _row("__ｉｍｐｏｒｔ__('os')", _na("name '__import__' is not allowed")),
    "fullwidth_class": _row("x.__ｃｌａｓｓ__", _na("attribute '__class__' is not allowed")),
    "fullwidth_open": _row("ｏｐｅｎ('f')", _na("function 'open' is not available")),
    "fullwidth_module": _row("import ｓｙｓ", _na(
        "import of 'sys' is not allowed: chainrule programs cannot reach the interpreter or the "
        "process")),
    # The column counts characters, not UTF-8 bytes.
    "column_after_accent": _row("print('é', x.__class__)",
                                _na("attribute '__class__' is not allowed", col=11)),
    # --- size of the program ----------------------------------------------------------------
    "too_long": Row("x = 1\n" * 5000, "limit_exceeded",
                    "the program is longer than 20000 characters", None, None, whole=True),
    "too_many_lines": Row("\n" * 600, "limit_exceeded", "the program is longer than 500 lines",
                          None, None, whole=True),
    "brackets_too_deep": Row("y = " + "(" * 200 + ")" * 200, "limit_exceeded",
                             "brackets are nested more than 100 deep", 1, 104, whole=True),
    "nested_too_deep": Row("y = " + "[" * 99 + "]" * 99, "limit_exceeded",
                           "the program is nested more than 60 levels deep", 1, 62, whole=True),
    "too_deep_to_parse": Row("y = " + "-" * 10000 + "1", "limit_exceeded",
                             "the program is nested too deeply to parse (the limit is 60 "
                             "levels)", None, None, whole=True),
    "too_many_nodes": Row("y = [" + "1," * 6000 + "]", "limit_exceeded",
                          "the program has more than 5000 syntax nodes", 1, 2011, whole=True),
    "nul_character": Row("y = 1\x00", "syntax_error", "the program contains a NUL character",
                         1, 0, whole=True),
    "lone_surrogate": Row("print('\ud800')", "syntax_error",
                          "the program contains a character that is not valid Unicode", 1, 7,
                          whole=True),
    "syntax_error": Row("y = (1,", "syntax_error", "invalid syntax: '(' was never closed",
                        LINE, 4),
    # --- resource bombs, refused while running ----------------------------------------------
    "step_budget": Row("for i in range(10 ** 7):\n    y = 1",
                       "limit_exceeded", "the program ran more than 5000000 steps", LINE + 1, 4,
                       ran=True),
    "huge_round": Row("y = round(5, -10 ** 15)", "limit_exceeded",
                      "round() takes at most 400 digits", LINE, 4, ran=True),
    "huge_join": Row("y = ','.join(['abc'] * 100000)", "limit_exceeded",
                     "strings are limited to 100000 characters", LINE, 4, ran=True),
    "huge_sum_of_lists": Row("y = sum([[0] * 100000] * 20, [])", "limit_exceeded",
                             "lists are limited to 100000 items", LINE, 4, ran=True),
    "huge_power": Row("y = 2 ** 10000", "limit_exceeded", "integer results are limited to 1e+15",
                      LINE, 4, ran=True),
    "huge_literal": Row("y = 10000000000000000000", "limit_exceeded",
                        "integer literals are limited to 1e+15", LINE, 4, ran=True),
    "huge_list": Row("y = [0] * 10 ** 6", "limit_exceeded", "lists are limited to 100000 items",
                     LINE, 4, ran=True),
    "huge_tensor_literal": Row("y = torch.tensor([[0.0] * 100000] * 100000)", "limit_exceeded",
                               "this would make a tensor of more than 4000000 elements", LINE, 4,
                               ran=True),
    "too_many_rows": Row("for row in torch.zeros(200000, 1):\n    pass", "limit_exceeded",
                         "iterating over a tensor is limited to 100000 rows", LINE, 11,
                         ran=True),
    "huge_tolist": Row("y = torch.zeros(1000, 1000).tolist()", "limit_exceeded",
                       "lists are limited to 100000 items", LINE, 4, ran=True),
    "huge_print": Row("print([[0] * 100000] * 100000)", "limit_exceeded",
                      "the program printed more than 100000 characters", LINE, 0, ran=True),
    "huge_format_width": Row("print(f'{1:1000}')", "limit_exceeded",
                             "format widths are limited to 200", LINE, 6, ran=True),
    "huge_ones": Row("y = torch.ones(10 ** 6, 10 ** 6)", "limit_exceeded",
                     "this would make a tensor of 1000000000000 elements (1000000x1000000); the "
                     "limit is 4000000", LINE, 4, ran=True, via=TRACE),
    "huge_broadcast": Row("y = torch.ones(10 ** 4, 1) + torch.ones(1, 10 ** 4)",
                          "limit_exceeded", "this would make a tensor of 100000000 elements "
                          "(10000x10000); the limit is 4000000", LINE, 4, ran=True, via=TRACE),
    "huge_linear": Row("layer = nn.Linear(10 ** 5, 10 ** 5)", "limit_exceeded",
                       "this would make a tensor of 10000000000 elements (100000x100000); the "
                       "limit is 4000000", LINE, 8, ran=True, via=TRACE),
    # A list of shared rows is small for Python and 10**8 numbers for torch: counted first.
    "huge_index_list": Row("y = torch.ones(10)[[[0] * 10000] * 10000]", "limit_exceeded",
                           "this would make a tensor of more than 4000000 elements", LINE, 4,
                           ran=True),
    "huge_index_list_assigned": Row("z = torch.ones(10)\nz[[[0] * 10000] * 10000] = 1.0",
                                    "limit_exceeded", "this would make a tensor of more than "
                                    "4000000 elements", LINE + 1, 0, ran=True),
    "huge_list_argument": Row("y = x.new_tensor([[0.0] * 10000] * 10000)", "limit_exceeded",
                              "this would make a tensor of more than 4000000 elements", LINE, 4,
                              ran=True),
    # Ops that grow a tensor from numbers (pads, scale factors, strides), or whose size is
    # in their data: sized before they run, never handed to the program past the limit.
    "huge_replicate_pad": Row("y = torch.nn.functional.pad(torch.ones(1, 1, 2), "
                              "[10 ** 7, 10 ** 7], 'replicate')", "limit_exceeded",
                              "this would make a tensor of 20000002 elements (1x1x20000002); "
                              "the limit is 4000000", LINE, 4, ran=True, via=TRACE),
    "huge_interpolate": Row("y = torch.nn.functional.interpolate(torch.ones(1, 1, 2), "
                            "scale_factor=10 ** 7)", "limit_exceeded",
                            "this would make a tensor of 20000000 elements (1x1x20000000); "
                            "the limit is 4000000", LINE, 4, ran=True, via=TRACE),
    "huge_transposed_stride": Row("y = torch.nn.functional.conv_transpose1d(torch.ones(1, 1, 2), "
                                  "torch.ones(1, 1, 1), stride=10 ** 7)", "limit_exceeded",
                                  "this would make a tensor of 10000001 elements (1x1x10000001); "
                                  "the limit is 4000000", LINE, 4, ran=True, via=TRACE),
    "huge_repeat_interleave": Row("y = torch.repeat_interleave(torch.tensor([20000000]))",
                                  "limit_exceeded", "this would make a tensor of 20000000 "
                                  "elements (20000000); the limit is 4000000", LINE, 4,
                                  ran=True, via=TRACE),
    # nonzero's size is in its data and the meta device cannot run it: measured as it
    # returns (4,000,000 indices of two dimensions).
    "huge_nonzero": Row("y = torch.nonzero(torch.ones(2000, 2000))", "limit_exceeded",
                        "this would make a tensor of 8000000 elements (4000000x2); the limit "
                        "is 4000000", LINE, 4, ran=True, via=TRACE),
    # A custom Function's backward is the program's code, though autograd runs it.
    "huge_in_custom_backward": Row(
        "class G(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, v):\n"
        "        return v * 1\n    @staticmethod\n    def backward(ctx, g):\n"
        "        y = torch.ones(3000, 3000)\n        return g\nG.apply(x).sum().backward()",
        "limit_exceeded", "this would make a tensor of 9000000 elements (3000x3000); the limit "
        "is 4000000", LINE + 6, 12, ran=True, via=TRACE),
    # Modules inside each other: torch writes a model's text re-indenting every level
    # below, and walks it at each place a shared module is held (2**n for n doublings).
    "deep_modules": Row("m = nn.Linear(1, 1)\nfor i in range(1000):\n    m = nn.Sequential(m)",
                        "limit_exceeded", "modules are nested more than 100 deep", LINE + 2, 8,
                        ran=True),
    "deep_module_text": Row("m = nn.Linear(1, 1)\nfor i in range(150):\n"
                            "    n = nn.Sequential()\n    n.add_module('a', m)\n    m = n\n"
                            "print(m)", "limit_exceeded", "modules are nested more than 100 deep",
                            LINE + 5, 0, ran=True),
    "module_inside_itself": Row("m = nn.Sequential(nn.Linear(1, 1))\nm.add_module('m', m)\n"
                                "s = str(m)", "limit_exceeded",
                                "modules are nested more than 100 deep", LINE + 2, 4, ran=True),
    "shared_modules_doubling": Row("m = nn.Linear(1, 1)\nfor i in range(60):\n"
                                   "    m = nn.Sequential(m, m)", "limit_exceeded",
                                   "a model may hold at most 10000 modules (a shared module "
                                   "counts at each place it is used)", LINE + 2, 8, ran=True),
    "huge_bincount": Row("y = torch.bincount(torch.tensor([20000000]))", "limit_exceeded",
                         "this would make a tensor of 20000001 elements (20000001); the limit "
                         "is 4000000", LINE, 4, ran=True, via=TRACE),
    # --- torch's own errors, with torch's message and the line ------------------------------
    "integer_requires_grad": Row("y = torch.tensor([1, 2], requires_grad=True)", "torch_error",
                                 "Only Tensors of floating point and complex dtype can require "
                                 "gradients", LINE, 4, ran=True),
    "shape_mismatch": Row("y = torch.ones(2, 3) @ torch.ones(2, 3)", "torch_error",
                          "torch.ones(2, 3) @ torch.ones(2, 3): 2×3 and 2×3 cannot be "
                          "multiplied", LINE, 4,
                          ran=True),
    "backward_twice": Row("y = (x * x).sum()\ny.backward()\ny.backward()", "torch_error",
                          "Trying to backward through the graph a second time (or directly "
                          "access saved tensors after they have already been freed). Saved "
                          "intermediate values of the graph are freed when you call .backward() "
                          "or autograd.grad(). Specify retain_graph=True if you need to backward "
                          "through the graph a second time or if you need to access saved "
                          "tensors after calling backward.", LINE + 2, 0, ran=True),
    "in_place_on_leaf": Row("x -= 1", "torch_error", "a leaf Variable that requires grad is "
                            "being used in an in-place operation.", LINE, 0, ran=True),
    "grad_not_a_tensor": Row("x.grad = 5", "torch_error", "assigned grad expected to be a "
                             "Tensor or None but got grad of type int", LINE, 0, ran=True),
    "division_by_zero": Row("y = 1 / 0", "arithmetic_error", "ZeroDivisionError: division by zero",
                            LINE, 4, ran=True),
    "ambiguous_truth": Row("if torch.ones(2):\n    pass", "torch_error",
                           "Boolean value of Tensor with more than one value is ambiguous",
                           LINE, 3, ran=True),
    # --- refused while running: the value's kind is known only then -------------------------
    "len_of_int": Row("y = len(5)", "type_error", "object of type 'int' has no len()", LINE, 4,
                      ran=True),
    "len_without_argument": Row("y = len()", "type_error",
                                "len() missing 1 required positional argument: 'value'", LINE,
                                4, ran=True),
    "print_sep_not_a_string": Row("print(1, sep=2)", "type_error",
                                  "sep must be None or a string, not int", LINE, 0, ran=True),
    "huge_int_from_string": Row("y = int('12345678901234567890')", "limit_exceeded",
                                "integer results are limited to 1e+15", LINE, 4, ran=True),
    "call_a_tensor": Row("y = x(1)", "type_error", "'Tensor' object is not callable", LINE, 4,
                         ran=True),
    "loop_over_a_number": Row("for i in 5:\n    pass", "type_error",
                              "'int' object is not iterable", LINE, 9, ran=True),
    "index_a_number": Row("y = 5[0]", "type_error", "'int' object is not subscriptable", LINE,
                          4, ran=True),
    "unpack_too_few": Row("a, b, c = x", "type_error",
                          "not enough values to unpack (expected 3, got 2)", LINE, 0, ran=True),
    "set_module_weight": Row("layer = nn.Linear(1, 1)\nlayer.weight = torch.ones(1)",
                             "type_error", "cannot assign 'torch.FloatTensor' as parameter "
                             "'weight' (torch.nn.Parameter or None expected)", LINE + 1, 0,
                             ran=True),
    "attribute_of_wrong_kind": Row("y = x.in_features", "not_allowed",
                                   "attribute 'in_features' of a tensor is not available",
                                   LINE, 4, ran=True),
    "with_a_tensor": Row("with torch.ones(1):\n    pass", "not_allowed",
                         "only 'with torch.no_grad():', 'with torch.enable_grad():' and 'with "
                         "torch.set_grad_enabled(...):' are allowed", LINE, 0, ran=True),
    "name_used_before_bound": Row("print(z)\nz = 1", "unknown_name", "unknown name 'z'",
                                  LINE, 6, ran=True),
}


def _ours(source: str) -> tuple[ChainruleError, str]:
    interpreter = Interpreter(PlainTracer())
    with pytest.raises(ChainruleError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter.run(parse_source(source))
    return caught.value, interpreter.stdout


def _traced(source: str) -> ChainruleError:
    with pytest.raises(ChainruleError) as caught:
        trace_to_json(source)
    return caught.value


def _expected(row: Row) -> dict[str, object]:
    return {"code": row.code, "message": row.message, "line": row.line, "col": row.col}


@pytest.mark.parametrize("case", [k for k, row in REFUSED.items() if row.via == BOTH])
def test_interpreter_refuses(case: str) -> None:
    row = REFUSED[case]
    error, printed = _ours(row.source)
    assert error.to_dict() == _expected(row)
    assert printed == ("ran\n" if row.ran else "")


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_trace_to_json_refuses(case: str) -> None:
    row = REFUSED[case]
    assert _traced(row.source).to_dict() == _expected(row)


def test_output_past_the_limit_keeps_what_came_before() -> None:
    source = PRELUDE + "for i in range(1000):\n    print(torch.arange(100))\n"
    error, printed = _ours(source)
    assert error.to_dict() == {"code": "limit_exceeded", "line": LINE + 1, "col": 4,
                               "message": "the program printed more than 100000 characters"}
    # Each print is written whole or not at all: every line that fits, then the refusal.
    line = str(torch.arange(100)) + "\n"
    assert printed == "ran\n" + line * ((MAX_STDOUT_CHARS - len("ran\n")) // len(line))


def test_graph_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chainrule.trace.graph.MAX_GRAPH_NODES", 10)
    source = PRELUDE + "y = x\nfor i in range(20):\n    y = y * 2\n"
    # Said at the expression that made the graph's output (the last y * 2).
    assert _traced(source).to_dict() == {"code": "limit_exceeded", "line": LINE + 2, "col": 8,
                                         "message": "the graph has more than 10 nodes"}

