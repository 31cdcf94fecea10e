"""The API contract, written out: the OpenAPI document that api/schemas.py generates, as
the snapshot the tests hold it to, and the JSDoc typedefs the frontend codes against.

    python -m chainrule.contract          # rewrite both after a deliberate change

The snapshot also records a hash of docs/api.md: the OpenAPI document may only change
together with the page that describes it (the refresh refuses otherwise), and a test
fails when either drifts from what is recorded.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "api" / "openapi.snapshot.json"
API_MD = ROOT / "docs" / "api.md"
TYPEDEFS = ROOT / "frontend" / "js" / "core" / "contract.js"


def openapi() -> dict[str, Any]:
    """The OpenAPI document the app serves (made without starting a worker)."""
    from chainrule.app import create_app
    from chainrule.settings import ServerSettings

    return create_app(ServerSettings(workers=1)).openapi()


def api_md_hash() -> str:
    return hashlib.sha256(API_MD.read_bytes()).hexdigest()


def snapshot() -> dict[str, Any]:
    return {"api_md_sha256": api_md_hash(), "openapi": openapi()}


def _type(schema: dict[str, Any]) -> str:
    """A JSON-schema fragment as a JSDoc type."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return "|".join(dict.fromkeys(_type(s) for s in schema["anyOf"]))
    if "enum" in schema:
        return "|".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type")
    if kind == "array":
        return f"{_type(schema.get('items', {}))}[]"
    if kind == "object":
        extra = schema.get("additionalProperties")
        return f"Object<string, {_type(extra)}>" if isinstance(extra, dict) else "object"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
            "null": "null"}.get(str(kind), "*")


def typedefs(document: dict[str, Any]) -> str:
    """JSDoc typedefs of every schema of the OpenAPI document, for the frontend."""
    lines = ["/**", " * The API contract as JSDoc types, written from the OpenAPI document that",
             " * backend/chainrule/api/schemas.py generates. Do not edit: run",
             " * `python -m chainrule.contract` (a test fails when this file is stale).",
             " */", ""]
    for name, schema in sorted(document["components"]["schemas"].items()):
        description = " ".join(str(schema.get("description", "")).split())
        lines.append("/**")
        if "properties" not in schema:
            lines.append(f" * @typedef {{{_type(schema)}}} {name}")
            if description:
                lines.append(f" *   {description}")
            lines.append(" */")
            lines.append("")
            continue
        lines.append(f" * @typedef {{object}} {name}")
        if description:
            lines.append(f" *   {description}")
        required = set(schema.get("required", []))
        for field, spec in schema["properties"].items():
            text = " ".join(str(spec.get("description", "")).split())
            optional = field not in required
            label = f"[{field}]" if optional else field
            lines.append(f" * @property {{{_type(spec)}}} {label}{'  ' + text if text else ''}")
        lines.append(" */")
        lines.append("")
    lines.append("export {};")
    return "\n".join(lines) + "\n"


def main() -> int:
    current = snapshot()
    if SNAPSHOT.exists():
        recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        if recorded["openapi"] != current["openapi"] \
                and recorded["api_md_sha256"] == current["api_md_sha256"]:
            print("the OpenAPI document changed but docs/api.md did not: describe the change "
                  "there first", file=sys.stderr)
            return 1
    SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    TYPEDEFS.write_text(typedefs(current["openapi"]), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)} and {TYPEDEFS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
