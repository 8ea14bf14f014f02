"""Schemathesis against the REST API's own OpenAPI schema, in-process, as a signed-in leader.

The schema is loaded from the app (`schemathesis.openapi.from_wsgi`); every operation gets a
bounded number of generated examples, positive and negative (FUZZ_EXAMPLES, default 5 each), so
the whole run stays well under two minutes on a small machine. Any 5xx, and any response whose
status code, content type or body does not match the schema, is a failure.

The examples are driven through Hypothesis by `tests.fuzzing` (shared with the Open311 run).
"""

from __future__ import annotations

import logging

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis import GenerationMode

from tests.fuzzing import fuzz_operation, keep_the_test_connection  # noqa: F401 (a fixture)
from tests.scenario import token_for


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
            fuzz_operation(operation, mode, headers, figures, failures)

    print(
        f"\nfuzz: {figures['operations']} operations, {figures['examples']} examples "
        f"({figures['modes without examples']} modes with nothing to generate), "
        f"{len(failures)} failures"
    )
    assert figures["operations"] >= 20
    assert not failures, "\n\n".join(failures[:10])
