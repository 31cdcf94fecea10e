"""Arguments given by position bind to torch's own parameters, as torch binds them: the
checks on devices and sparse gradients see them there (tests/language/test_refused.py
holds the refusals), and every other argument reaches torch as the program wrote it."""

from __future__ import annotations

import torch
from torch import nn

from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source


def run(source: str) -> dict[str, object]:
    interpreter = Interpreter(PlainTracer())
    interpreter.run(parse_source("import torch\nimport torch.nn as nn\n" + source))
    return interpreter.env


def test_rnn_takes_its_nonlinearity_fourth_as_torch_does() -> None:
    torch.manual_seed(0)
    expected = nn.RNN(2, 3, 1, "relu")
    env = run("torch.manual_seed(0)\nm = nn.RNN(2, 3, 1, 'relu')\n"
              "y, h = m(torch.ones(1, 2))\n")
    m = env["m"]
    assert isinstance(m, nn.RNN)
    assert (m.nonlinearity, m.num_layers) == ("relu", 1)
    y, _ = expected(torch.ones(1, 2))
    assert torch.equal(env["y"], y)  # type: ignore[arg-type]


def test_lstm_and_linear_take_the_cpu_and_a_dtype_by_position() -> None:
    env = run("a = nn.LSTM(2, 3, 1, True, False, 0.0, False, 0, 'cpu', torch.float64)\n"
              "b = nn.Linear(2, 2, True, torch.device('cpu'), torch.float64)\n")
    for name in ("a", "b"):
        module = env[name]
        assert isinstance(module, nn.Module)
        assert {(p.device.type, p.dtype) for p in module.parameters()} == {
            ("cpu", torch.float64)}


def test_embedding_takes_sparse_false_by_position() -> None:
    env = run("e = nn.Embedding(10, 3, None, None, 2.0, False, False)\n"
              "y = torch.nn.functional.embedding(torch.tensor([1]), e.weight, None, None, "
              "2.0, False, False)\n")
    e = env["e"]
    assert isinstance(e, nn.Embedding) and e.sparse is False
    assert torch.equal(env["y"], e.weight[1:2])  # type: ignore[arg-type]


def test_a_cpu_tensor_type_by_name_converts() -> None:
    env = run("y = torch.ones(2).type('torch.DoubleTensor')\n")
    assert torch.equal(env["y"], torch.ones(2, dtype=torch.float64))  # type: ignore[arg-type]
