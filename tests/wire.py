"""API v2's trace read back into v1's shape, for tests that look into the page's responses.

`from_v2` is the function docs/api.md gives REST clients for the migration, word for word
(tests/api/test_api_versions.py holds the two to each other and to v1's answers).
"""

from __future__ import annotations

from typing import Any


def from_v2(body: dict[str, Any]) -> dict[str, Any]:
    """A version 2 trace in version 1's shape (each tensor object shared, not copied)."""
    table = body.pop("tensors")
    def at(i: int | None) -> Any:
        return None if i is None else table[i]
    for node in body["nodes"]:
        node["value"], node["grad"] = at(node["value"]), at(node["grad"])
        node["saved"] = {k: table[v["tensor"]] if isinstance(v, dict) else v
                         for k, v in node["saved"].items()}
        for out in node["outputs"]:
            out["value"], out["grad"] = at(out["value"]), at(out["grad"])
    for edge in body["edges"]:
        edge["grad"], edge["local"] = at(edge["grad"]), at(edge["local"])
    for var in body["variables"].values():
        var["value"], var["grad"] = at(var["value"]), at(var["grad"])
    for phase in body["phases"]:
        phase["seed"] = at(phase["seed"])
    for step in body["steps"]["backward"]:
        step["grad"], step["accumulated"] = at(step["grad"]), at(step["accumulated"])
        step["sends"] = [at(g) for g in step["sends"]]
        for out in step["outputs"]:
            out["grad"] = at(out["grad"])
    return body
