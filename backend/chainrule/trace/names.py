"""The user's names for tensors and modules: variables bound at the end, module parameters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from chainrule.errors import LimitError
from chainrule.settings import MAX_MODULE_DEPTH


@dataclass
class ModuleInfo:
    """One module of a named model: `model.0`, a Linear inside `model`."""

    name: str
    type: str
    parent: str | None


@dataclass
class Names:
    """Look up the name of a tensor (by identity) or of the op that produced it."""

    tensors: dict[int, tuple[torch.Tensor, str]] = field(default_factory=dict)
    producers: dict[Any, str] = field(default_factory=dict)
    # Every named tensor, in binding order: variables, then module parameters.
    bound: dict[str, torch.Tensor] = field(default_factory=dict)
    modules: list[ModuleInfo] = field(default_factory=list)
    module_names: dict[int, str] = field(default_factory=dict)  # id(module) -> name
    parameter_module: dict[int, str] = field(default_factory=dict)  # id(param) -> module
    _held: list[Any] = field(default_factory=list)  # keeps every id() above valid

    @classmethod
    def from_env(cls, env: dict[str, Any]) -> Names:
        names = cls()
        for name, value in env.items():
            if isinstance(value, torch.Tensor):
                names._add(name, value)
        for name, value in env.items():
            if isinstance(value, nn.Module) and id(value) not in names.module_names:
                names._add_module(name, value)
        return names

    def _add(self, name: str, tensor: torch.Tensor) -> None:
        self.bound.setdefault(name, tensor)
        self.tensors.setdefault(id(tensor), (tensor, name))
        if tensor.grad_fn is not None:
            self.producers.setdefault(tensor.grad_fn, name)

    def _add_module(self, root_name: str, root: nn.Module) -> None:
        for sub_name, module in _named_modules(root):
            if id(module) in self.module_names:
                continue
            name = f"{root_name}.{sub_name}" if sub_name else root_name
            parent = name.rsplit(".", 1)[0] if sub_name else None
            self.module_names[id(module)] = name
            self.modules.append(ModuleInfo(name, type(module).__name__, parent))
            self._held.append(module)
            for param_name, param in module.named_parameters(recurse=False):
                self._add(f"{name}.{param_name}", param)
                self.parameter_module.setdefault(id(param), name)

    def of_tensor(self, tensor: torch.Tensor | None) -> str | None:
        if tensor is None:
            return None
        known = self.tensors.get(id(tensor))
        return known[1] if known is not None and known[0] is tensor else None

    def of_producer(self, node: Any) -> str | None:
        return self.producers.get(node)

    def module_of_parameter(self, tensor: torch.Tensor) -> str | None:
        return self.parameter_module.get(id(tensor)) if self.of_tensor(tensor) else None


def _named_modules(root: nn.Module) -> Iterator[tuple[str, nn.Module]]:
    """root.named_modules(), in its order, without recursion, refusing a model nested
    past MAX_MODULE_DEPTH (each name holds its parents': the names of a deep chain would
    grow as the square of its depth)."""
    seen: set[int] = set()
    stack: list[tuple[str, nn.Module, int]] = [("", root, 1)]
    while stack:
        prefix, module, depth = stack.pop()
        if id(module) in seen:
            continue
        if depth > MAX_MODULE_DEPTH:
            raise LimitError(f"modules are nested more than {MAX_MODULE_DEPTH} deep")
        seen.add(id(module))
        yield prefix, module
        children = [(f"{prefix}.{name}" if prefix else name, child, depth + 1)
                    for name, child in module.named_children()]
        stack.extend(reversed(children))
