"""Schemathesis against the app's own OpenAPI document, in-process over ASGI.

For every operation, MAX_EXAMPLES requests generated from the schema, valid ones and
deliberately invalid ones: none may get a 5xx, every response must match the documented
status codes, content type and schema, and invalid requests must be refused.

A program that fits the schema can still be one the language refuses (422), so 422 counts
as an accepted answer for schema-valid data (as do a room's 403, 404 and 409, for the rooms'
operations only: the codes and secrets are made up); and invalid data may be refused with
413 (the body limit) as well as schemathesis's usual statuses.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from chainrule.app import create_app
from chainrule.settings import ServerSettings

MAX_EXAMPLES = 50  # per operation and generation mode: the run stays well under a minute

CONFIG = SchemathesisConfig.from_dict({
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "422"]},
        # Its defaults, and 413: a body past 64 KiB is refused before it is parsed.
        "negative_data_rejection": {"expected-statuses": [
            "400", "405", "406", "413", "415", "422", "429"]},
    },
    "operations": [{
        # A classroom room's routes name a room by a code and a secret the generator can
        # only make up: 404 room_not_found, 403 forbidden, 409 answer_refused; only there.
        "include-tag": "rooms",
        "checks": {"positive_data_acceptance": {"expected-statuses": [
            "2xx", "403", "404", "409", "422"]}},
    }],
})
APP = create_app(ServerSettings(workers=1, timeout_s=2.0))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_answers_every_generated_request_within_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
