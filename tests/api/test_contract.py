"""One contract: api/schemas.py generates the OpenAPI document; the snapshot, docs/api.md
and the frontend's typedefs are held to it, and the examples and lessons served validate
against it. (Every trace response the tests make is validated in
tests/trace/test_differential_oracle.py.)"""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from chainrule import contract
from chainrule.api.schemas import ExampleOut, LessonOut
from chainrule.app import create_app
from chainrule.settings import ServerSettings

REFRESH = "run `python -m chainrule.contract`"


def test_the_openapi_document_is_the_snapshot() -> None:
    recorded = json.loads(contract.SNAPSHOT.read_text(encoding="utf-8"))
    assert contract.openapi() == recorded["openapi"], (
        f"the API changed: describe it in docs/api.md, then {REFRESH}")


def test_docs_api_md_is_the_one_the_snapshot_was_made_with() -> None:
    recorded = json.loads(contract.SNAPSHOT.read_text(encoding="utf-8"))
    assert contract.api_md_hash() == recorded["api_md_sha256"], (
        f"docs/api.md changed since the snapshot: {REFRESH}")


def test_docs_api_md_names_every_field_of_every_response() -> None:
    document = contract.openapi()["components"]["schemas"]
    page = contract.API_MD.read_text(encoding="utf-8")
    named = {word for line in page.splitlines() for span in re.findall(r"`([^`]+)`", line)
             for word in re.findall(r"[A-Za-z_]+", span)}
    missing = sorted(f"{schema}.{field}" for schema, spec in document.items()
                     if not schema.endswith("In") and schema != "TraceRequest"
                     for field in spec.get("properties", {}) if field not in named)
    assert missing == []


def test_the_frontend_typedefs_are_written_from_the_openapi_document() -> None:
    assert contract.TYPEDEFS.read_text(encoding="utf-8") == contract.typedefs(
        contract.openapi()), f"frontend typedefs are stale: {REFRESH}"


def test_examples_and_lessons_served_validate_against_their_shapes() -> None:
    with TestClient(create_app(ServerSettings(workers=1))) as client:
        examples = client.get("/api/v1/examples").json()
        lessons = client.get("/api/v1/lessons").json()
    strict = {"strict": False}
    assert len(TypeAdapter(list[ExampleOut]).validate_python(examples, **strict)) >= 6
    parsed = TypeAdapter(list[LessonOut]).validate_python(lessons, **strict)
    assert [lesson.number for lesson in parsed] == list(range(1, len(parsed) + 1))
