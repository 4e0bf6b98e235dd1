"""Schema-driven fuzzing: schemathesis generates requests for every operation of
/api/v1/schema/ and sends them to a live server with the demo, a published report, a held
and a removed submission loaded. Each answer must be no server error and conform to the
schema: a documented status code, content type, headers and body."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and mode: 16 operations x 2 modes x this, in about a minute on a
# busy 2-core machine. API_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))


@pytest.mark.django_db(transaction=True)
def test_every_operation_conforms_and_never_fails(live_server, api_data, settings_fixture):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            checks = CHECKS + ([negative_data_rejection] if mode.is_negative else [])

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case, checks=checks):
                case.call_and_validate(base_url=live_server.url, checks=checks)

            try:
                run()
            except Exception as error:  # noqa: BLE001 - collected, all reported at the end
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def settings_fixture(settings):
    """The fuzzer sends thousands of requests from one address: no rate limit for it."""
    settings.MODERATION_RATE_LIMITS = {"api": {"address": [10**9, 60]}}
    return settings
