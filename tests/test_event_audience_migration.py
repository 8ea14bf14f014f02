"""The boolean `CaseEvent.public` becomes an explicit audience, row for row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("governance", "0004_case_newest_index")]
AFTER = [("governance", "0006_drop_event_public")]


@pytest.mark.django_db(transaction=True)
def test_shown_to_the_reporter_becomes_reporter_and_hidden_becomes_internal():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Category = apps.get_model("governance", "Category")
        Case = apps.get_model("governance", "Case")
        CaseEvent = apps.get_model("governance", "CaseEvent")
        category = Category.objects.create(
            family="event", code="event-9", name="x", general_limit=5, limit_unit="working_days"
        )
        case = Case.objects.create(
            tracking_id="261129-MIGRAT", category=category, description="x", lon=1, lat=1
        )
        rows = {
            "submitted": ("submitted", "", True),
            "reporter note": ("note", "我住402室", True),
            "internal note": ("note", "内部", False),
            "resolved": ("resolved", "已修复", True),
            "escalated": ("escalated", "督办", False),
        }
        ids = {
            name: CaseEvent.objects.create(case=case, kind=k, note=n, public=p).pk
            for name, (k, n, p) in rows.items()
        }
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        CaseEvent = executor.loader.project_state(AFTER).apps.get_model("governance", "CaseEvent")
        got = {name: CaseEvent.objects.get(pk=pk).audience for name, pk in ids.items()}
        assert got == {
            "submitted": "public",  # no text; its files are the case's own photos
            "reporter note": "reporter",
            "internal note": "internal",
            "resolved": "reporter",  # never public: a note is no public summary
            "escalated": "internal",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
