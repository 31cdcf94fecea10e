"""torch's shape errors name the expression as written and each operand's shape; torch's
own message is kept beside it (`torch_message`), exactly as plain torch raises it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F

from chainrule.errors import ChainruleError
from chainrule.language.shapes import shape_text, source_text
from chainrule.pipeline import trace_to_json


@dataclass(frozen=True)
class Case:
    setup: str  # statements binding the operands (after `import torch`)
    statement: str  # the failing line, the last of the program
    col: int  # where the failing expression starts on it
    message: str
    plain: Callable[[], object]  # the same operation in plain torch, which raises


def _ones(*shape: int) -> torch.Tensor:
    return torch.ones(*shape)


CASES = {
    "matmul": Case("W = torch.ones(3, 4)\nx = torch.ones(5, 2)", "y = W @ x", 4,
                   "W @ x: 3×4 and 5×2 cannot be multiplied",
                   lambda: _ones(3, 4) @ _ones(5, 2)),
    "matmul_vector": Case("W = torch.ones(3, 4)\nv = torch.ones(5)", "y = W @ v", 4,
                          "W @ v: 3×4 and a vector of 5 cannot be multiplied",
                          lambda: _ones(3, 4) @ _ones(5)),
    "dot": Case("a = torch.ones(3)\nb = torch.ones(4)", "c = torch.dot(a, b)", 4,
                "torch.dot(a, b): a vector of 3 and a vector of 4 cannot be multiplied",
                lambda: torch.dot(_ones(3), _ones(4))),
    "mm_method": Case("A = torch.ones(2, 3)", "B = A.mm(A)", 4,
                      "A.mm(A): 2×3 and 2×3 cannot be multiplied",
                      lambda: _ones(2, 3).mm(_ones(2, 3))),
    "linear_layer": Case("layer = torch.nn.Linear(4, 2)\nx = torch.ones(3, 5)", "y = layer(x)",
                         4, "layer(x): 3×5 and 4×2 cannot be multiplied",
                         lambda: F.linear(_ones(3, 5), _ones(2, 4))),
    "broadcast": Case("a = torch.ones(2, 3)\nb = torch.ones(4)", "c = a + b", 4,
                      "a + b: 2×3 and a vector of 4 cannot be broadcast together: at "
                      "dimension 1 the sizes are 3 and 4 (they must be equal, or one of them 1)",
                      lambda: _ones(2, 3) + _ones(4)),
    "broadcast_in_call": Case("a = torch.ones(2, 3)\nb = torch.ones(3, 2)",
                              "c = torch.mul(a,  b)", 4,
                              "torch.mul(a,  b): 2×3 and 3×2 cannot be broadcast together: at "
                              "dimension 1 the sizes are 3 and 2 (they must be equal, or one "
                              "of them 1)",
                              lambda: torch.mul(_ones(2, 3), _ones(3, 2))),
    "in_place": Case("a = torch.ones(3)\nb = torch.ones(2, 3)", "a += b", 0,
                     "a += b: the result would be 2×3, which does not fit the vector of 3 it is "
                     "written into in place",
                     lambda: _ones(3).add_(_ones(2, 3))),
    "view": Case("x = torch.ones(3, 4)", "y = x.view(3, 5)", 4,
                 "x.view(3, 5): 3×4 has 12 elements, which cannot take the shape [3, 5] "
                 "(15 elements)",
                 lambda: _ones(3, 4).view(3, 5)),
    "reshape_inferred": Case("x = torch.ones(3, 4)", "y = x.reshape(5, -1)", 4,
                             "x.reshape(5, -1): 3×4 has 12 elements, which cannot take the "
                             "shape [5, -1] (12 is not a multiple of 5)",
                             lambda: _ones(3, 4).reshape(5, -1)),
    "cat": Case("a = torch.ones(2, 3)\nb = torch.ones(3, 4)", "c = torch.cat([a, b], dim=1)",
                4, "torch.cat([a, b], dim=1): 2×3 and 3×4 cannot be joined along dimension "
                "1: every other dimension must have the same size, but dimension 0 is 2 and 3",
                lambda: torch.cat([_ones(2, 3), _ones(3, 4)], dim=1)),
    "cat_dimensions": Case("a = torch.ones(2, 3)\nb = torch.ones(3)", "c = torch.cat([a, b])",
                           4, "torch.cat([a, b]): 2×3 and a vector of 3 cannot be joined: "
                           "they have 2 and 1 dimensions",
                           lambda: torch.cat([_ones(2, 3), _ones(3)])),
    "stack": Case("a = torch.ones(2, 3)\nb = torch.ones(3)", "c = torch.stack((a, b))", 4,
                  "torch.stack((a, b)): 2×3 and a vector of 3 cannot be stacked: they must "
                  "have the same shape",
                  lambda: torch.stack([_ones(2, 3), _ones(3)])),
}


def _plain_message(case: Case) -> str:
    with pytest.raises(RuntimeError) as raised:
        case.plain()
    return str(raised.value).split("\nException raised from", 1)[0].strip()


def _refusal(source: str, variables: dict[str, dict[str, object]] | None = None
             ) -> ChainruleError:
    with pytest.raises(ChainruleError) as raised:
        trace_to_json(source, variables)
    return raised.value


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_error_names_the_expression_and_its_operands_shapes(name: str) -> None:
    case = CASES[name]
    source = f"import torch\n{case.setup}\n{case.statement}\n"
    error = _refusal(source)
    assert error.to_dict() == {"code": "torch_error", "message": case.message,
                               "line": source.count("\n"), "col": case.col}
    assert error.torch_message == _plain_message(case)


def test_shape_error_of_a_single_expression_names_it() -> None:
    error = _refusal("w @ x", {"w": {"value": [[1.0, 2.0]]}, "x": {"value": [[1.0, 2.0, 3.0]]}})
    assert (error.message, error.line, error.col) == (
        "w @ x: 1×2 and 1×3 cannot be multiplied", 1, 0)
    assert error.torch_message == "mat1 and mat2 shapes cannot be multiplied (1x2 and 1x3)"


def test_shape_error_inside_a_function_names_the_inner_expression() -> None:
    source = ("import torch\ndef layer(W, x):\n    return W @ x\n"
              "out = layer(torch.ones(2, 2), torch.ones(3, 1))\n")
    error = _refusal(source)
    assert (error.message, error.line, error.col) == (
        "W @ x: 2×2 and 3×1 cannot be multiplied", 3, 11)


def test_other_torch_errors_keep_torchs_message_alone() -> None:
    error = _refusal("import torch\nw = torch.ones(2, requires_grad=True)\nw += 1\n")
    assert error.to_dict() == {
        "code": "torch_error", "line": 3, "col": 0,
        "message": "a leaf Variable that requires grad is being used in an in-place operation."}
    assert error.torch_message is None


def test_shape_text_says_scalars_vectors_and_matrices() -> None:
    assert [shape_text(s) for s in ([], [3], [3, 4], [2, 3, 4])] == [
        "a scalar", "a vector of 3", "3×4", "2×3×4"]


def test_source_text_joins_a_multi_line_expression_and_cuts_a_long_one() -> None:
    lines = ("y = (a +", "     b)", "z = " + "w" * 100)
    assert source_text(lines, (1, 4, 2, 7)) == "(a + b)"
    assert source_text(lines, (3, 4, 3, 104)) == "w" * 79 + "…"
