"""Walk a grad_fn graph without recursion: a chain of thousands of ops is a long list."""

from __future__ import annotations

from typing import Any


def reachable(root: Any) -> list[Any]:
    """Every grad_fn node reachable from `root`, in breadth-first order from the root."""
    if root is None:
        return []
    seen = {root}
    order = [root]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                order.append(child)
    return order
