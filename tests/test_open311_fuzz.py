"""Schemathesis against the Open311 GeoReport v2 description, in-process, on this database.

The description is the Open311 community's, adapted to our paths and extensions
(`tests/open311_openapi/`, see its SOURCE.md). Every operation, GET and POST, gets bounded
positive and negative examples (3 × FUZZ_EXAMPLES each); POSTs carry a real API key. Any 5xx, and
any status code, content type or JSON body the description does not allow, is a failure.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis import GenerationMode

from tests.fuzzing import EXAMPLES as BASE_EXAMPLES
from tests.fuzzing import fuzz_operation, keep_the_test_connection  # noqa: F401 (a fixture)

# Six operations only: three times the REST API's examples each, ~30 s per database.
EXAMPLES = 3 * BASE_EXAMPLES
DESCRIPTION = Path(__file__).resolve().parent / "open311_openapi" / "georeport_v2.yaml"


@pytest.mark.fuzz
@pytest.mark.usefixtures("keep_the_test_connection")
def test_open311_never_fails_and_keeps_to_its_description(scenario, monkeypatch, settings):
    settings.RATE_LIMITS_ENABLED = False  # limits are tests/test_limits.py's business
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.CRITICAL)
    schema = schemathesis.openapi.from_path(DESCRIPTION)
    schema.app = get_wsgi_application()
    figures = {"operations": 0, "examples": 0, "modes without examples": 0}
    failures: list[str] = []

    def with_a_real_key(case) -> None:
        if case.method == "POST" and isinstance(case.body, dict):
            case.body["api_key"] = scenario.api_key

    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(
                operation,
                mode,
                {},
                figures,
                failures,
                prepare=with_a_real_key,
                examples=EXAMPLES,
            )

    print(
        f"\nopen311 fuzz: {figures['operations']} operations, {figures['examples']} examples "
        f"({figures['modes without examples']} modes with nothing to generate), "
        f"{len(failures)} failures"
    )
    assert figures["operations"] == 6
    assert not failures, "\n\n".join(failures[:10])
