"""Driving Schemathesis' generated examples through Hypothesis, shared by the fuzz tests.

(Schemathesis' own pytest plugin, `from_fixture`, does not run under pytest 9 yet, so the
examples are driven through Hypothesis directly; the checks are Schemathesis' own.)
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.core.signals import request_finished, request_started
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

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz_operation(
    operation,
    mode: GenerationMode,
    headers: dict,
    figures: dict,
    failures: list,
    prepare: Callable | None = None,
    examples: int = EXAMPLES,
) -> None:
    """`examples` generated cases of `operation` in `mode`; `prepare(case)` may adjust each."""
    label = f"{operation.label} [{mode.value}]"

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        figures["examples"] += 1
        if prepare is not None:
            prepare(case)
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
