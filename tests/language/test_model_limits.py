"""Models within the module limits behave exactly as in torch; the limits themselves are
rows of tests/language/test_refused.py."""

from __future__ import annotations

import torch
from torch import nn

from chainrule.language.bounded import measure_modules
from chainrule.language.interpreter import Interpreter, PlainTracer
from chainrule.language.parse import parse_source
from chainrule.settings import MAX_MODULE_DEPTH, MAX_MODULES


def test_a_shared_module_is_counted_at_each_place_and_a_deep_chain_by_its_depth() -> None:
    tied = nn.Linear(2, 2)
    assert measure_modules(nn.Sequential(tied, nn.ReLU(), tied)) == (2, 4)
    chain: nn.Module = nn.Linear(1, 1)
    for _ in range(MAX_MODULE_DEPTH - 1):
        chain = nn.Sequential(chain)
    assert measure_modules(chain) == (MAX_MODULE_DEPTH, MAX_MODULE_DEPTH)
    doubled: nn.Module = nn.Linear(1, 1)
    for _ in range(13):  # 2**14 - 1 places: the walk stops once past the limit
        doubled = nn.Sequential(doubled, doubled)
    assert measure_modules(doubled) == (14, 2 ** 14 - 1)
    assert MAX_MODULES < 2 ** 14 - 1


def test_a_model_using_one_layer_twice_prints_and_runs_as_in_torch() -> None:
    interpreter = Interpreter(PlainTracer())
    interpreter.run(parse_source(
        "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nlayer = nn.Linear(2, 2)\n"
        "model = nn.Sequential(layer, nn.ReLU(), layer)\nprint(model)\n"
        "y = model(torch.ones(1, 2))\n"))
    torch.manual_seed(0)
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert interpreter.stdout == f"{model}\n"
    assert torch.equal(interpreter.env["y"], model(torch.ones(1, 2)))  # type: ignore[arg-type]
