"""Schemathesis against the REST API's own OpenAPI schema, in-process, as a signed-in leader.

The schema is loaded from the app (`schemathesis.openapi.from_wsgi`); every operation gets a
bounded number of generated examples, positive and negative (FUZZ_EXAMPLES, default 5 each), so
the whole run stays well under two minutes on a small machine. Any 5xx, and any response whose
status code, content type or body does not match the schema, is a failure.

(Schemathesis' own pytest plugin, `from_fixture`, does not run under pytest 9 yet, so the
examples are driven through Hypothesis directly; the checks are Schemathesis' own.)
"""

from __future__ import annotations

import logging
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.scenario import token_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode, headers: dict, figures: dict, failures: list) -> None:
    label = f"{operation.label} [{mode.value}]"

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        figures["examples"] += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, FailureGroup) as failure:
            failures.append(f"{label}: {failure}"[:2000])

    try:
        run()
    except Unsatisfiable:
        # No invalid input can be expressed for this operation (e.g. a free-text path
        # parameter): there is nothing negative to send.
        figures["modes without examples"] += 1


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: requests must not close the test's (transactional)
    connection, which PostgreSQL would otherwise lose after the first request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@pytest.mark.usefixtures("keep_the_test_connection")
def test_api_never_fails_and_keeps_to_its_schema(scenario, people, monkeypatch, settings):
    settings.RATE_LIMITS_ENABLED = False  # limits are tests/test_limits.py's business
    settings.AXES_ENABLED = False
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.CRITICAL)
    headers = {"Authorization": f"Token {token_for(people.street_leader)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    figures = {"operations": 0, "examples": 0, "modes without examples": 0}
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, figures, failures)

    print(
        f"\nfuzz: {figures['operations']} operations, {figures['examples']} examples "
        f"({figures['modes without examples']} modes with nothing to generate), "
        f"{len(failures)} failures"
    )
    assert figures["operations"] >= 20
    assert not failures, "\n\n".join(failures[:10])
