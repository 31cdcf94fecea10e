"""Tutorial programs on the page: a model class appears as its module cluster with the
program's attribute names, a custom autograd function as its own node, plain Python as its
output with an empty graph, and plotting calls as a note under the output."""

from __future__ import annotations

from pages import open_page, program_path
from playwright.sync_api import Page, expect

NET = """import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.out = nn.Linear(3, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

torch.manual_seed(0)
model = Net()
loss = model(torch.tensor([[1.0, 2.0]])).sum()
loss.backward()
print(model)
"""

CUSTOM = """import torch

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (x > 0).float()

x = torch.tensor([-1.0, 2.0], requires_grad=True)
y = MyReLU.apply(x).sum()
y.backward()
"""

PLOTS = """import torch
import matplotlib.pyplot as plt
words = ["emma", "ava"]
print(sorted(set("".join(words))))
plt.plot([1, 2, 3])
plt.show()
"""


def test_a_model_class_is_drawn_with_its_attribute_names(page: Page) -> None:
    trace = open_page(page, program_path(NET))
    assert {m["name"] for m in trace["modules"]} == {"model", "model.hidden", "model.out"}
    assert next(m for m in trace["modules"] if m["name"] == "model")["type"] == "Net"
    expect(page.locator("#stdout")).to_contain_text("(hidden): Linear(in_features=2")
    for name in ("model.hidden", "model.out"):
        expect(page.locator(f'[data-module="{name}"]').first).to_be_attached()


def test_a_custom_autograd_function_is_a_node_with_the_programs_backward(page: Page) -> None:
    trace = open_page(page, program_path(CUSTOM))
    custom = next(n for n in trace["nodes"] if n["op"] == "MyReLUBackward")
    (into,) = [e for e in trace["edges"] if e["target"] == custom["id"]]
    assert into["formula"] == "\\texttt{grad\\_output * (x > 0).float()}"
    assert custom["meaning"] == ("MyReLU: a custom autograd Function; its backward is the "
                                 "program's own")
    expect(page.locator(f'.node[data-node-id="{custom["id"]}"]')).to_contain_text(
        "MyReLUBackward")


def test_plain_python_shows_its_output_and_plot_calls_leave_a_note(page: Page) -> None:
    trace = open_page(page, program_path(PLOTS))
    assert trace["nodes"] == []
    expect(page.locator("#stdout")).to_have_text("['a', 'e', 'm', 'v']\n")
    expect(page.locator("#notes li")).to_have_text([
        "plt.plot() draws nothing here: chainrule shows the autograd graph instead",
        "plt.show() draws nothing here: chainrule shows the autograd graph instead"])
    expect(page.locator("#graph-message")).to_contain_text("Nothing to draw")
