"""The user's names for tensors: variables bound at the end, and module parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn


@dataclass
class Names:
    """Look up the name of a tensor (by identity) or of the op that produced it."""

    tensors: dict[int, tuple[torch.Tensor, str]] = field(default_factory=dict)
    producers: dict[Any, str] = field(default_factory=dict)
    # Every named tensor, in binding order: variables, then module parameters.
    bound: dict[str, torch.Tensor] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, Any]) -> Names:
        names = cls()
        for name, value in env.items():
            if isinstance(value, torch.Tensor):
                names._add(name, value)
        for name, value in env.items():
            if isinstance(value, nn.Module):
                for pname, param in value.named_parameters():
                    names._add(f"{name}.{pname}", param)
        return names

    def _add(self, name: str, tensor: torch.Tensor) -> None:
        self.bound[name] = tensor
        self.tensors.setdefault(id(tensor), (tensor, name))
        if tensor.grad_fn is not None:
            self.producers.setdefault(tensor.grad_fn, name)

    def of_tensor(self, tensor: torch.Tensor) -> str | None:
        known = self.tensors.get(id(tensor))
        return known[1] if known is not None and known[0] is tensor else None

    def of_producer(self, node: Any) -> str | None:
        return self.producers.get(node)
