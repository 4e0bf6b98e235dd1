"""Schema-driven fuzzing: schemathesis generates requests for every operation of
/api/v1/schema/ and sends them to a live server with the demo, a published report, a held
and a removed submission loaded. Each answer must be no server error and conform to the
schema: a documented status code, content type, headers and body."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
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
    # Random slugs and ids almost never name a real consultation or submission: a third
    # pass fixes the path to real ones so the 200 answers are fuzzed too (query and headers
    # still generated).
    real = {"slug": "ai-rules-2026", "number": 2, "id": api_data.named_hidden.pk}
    failures, ran = [], 0
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if names & set(real):
            runs.append((GenerationMode.POSITIVE, {k: v for k, v in real.items() if k in names}))
        for mode, path in runs:
            try:
                fuzz(operation, mode, live_server.url, path)()
                ran += 1
            except Unsatisfiable:
                # No invalid request exists for it (only a slug in the path, whose
                # negations cannot be sent as a path): nothing to test in this mode.
                assert mode.is_negative, operation.label
            except BaseException as error:  # noqa: BLE001 - schemathesis raises exception groups
                if isinstance(error, KeyboardInterrupt):
                    raise
                details = "\n".join(str(e) for e in getattr(error, "exceptions", [error]))
                failures.append(f"{operation.label} [{mode.value}, {path}]: {details}")
    assert not failures, "\n\n".join(failures)
    assert ran >= 2 * len(operations)


def fuzz(operation, mode, base_url, path_parameters=None):
    """A Hypothesis test of one operation in one mode (positive: valid requests; negative:
    invalid ones, which must be refused with a documented 4xx)."""
    checks = CHECKS + ([negative_data_rejection] if mode.is_negative else [])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        case.call_and_validate(base_url=base_url, checks=checks)

    return run


@pytest.fixture
def settings_fixture(settings):
    """The fuzzer sends thousands of requests from one address: no rate limit for it."""
    settings.MODERATION_RATE_LIMITS = {"api": {"address": [10**9, 60]}}
    return settings
