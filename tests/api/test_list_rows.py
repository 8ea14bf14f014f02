"""The API list's rows are built directly (`list_rows`), not through DRF's serializer: they must
be exactly what `CaseListSerializer` gives, for every kind of row and in both languages."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from governance import clock, workflow
from governance.access import Action, cases_for
from governance.api.serializers.cases import CaseListSerializer, list_rows
from governance.models import Case
from governance.privacy import listable, listed


@pytest.fixture
def every_kind(scenario, city, people):
    """Open and overdue, dispatched (a department), escalated, outside every grid, private."""
    Case.objects.filter(pk=scenario.case_a.pk).update(due_at=clock.now().replace(year=2000))
    workflow.escalate_case(case_id=scenario.case_a2.pk, actor=people.street_leader, reason="慢")
    outside = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="城外",
        lon=0.5,
        lat=0.5,
        answers={"amount": "small"},
    )
    Case.objects.filter(pk=outside.pk).update(due_at=None)
    return scenario


@pytest.mark.parametrize("who", ["dispatcher", "officer_a", "other_clerk", "citizen"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_rows_are_the_serializers_rows(every_kind, people, who, language):
    person = getattr(people, who)
    with translation.override(language):
        page = list(
            listable(cases_for(person, Action.VIEW), person)
            .select_related("category", "grid", "assignee_department", "merged_into")
            .order_by("-created_at")
        )
        assert page
        shown = listed(person, page, via="api")
        expected = CaseListSerializer(page, many=True, context={"listed": shown}).data
        built = list_rows(page, shown)
    assert json.dumps(built, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_every_kind_of_row_is_covered(every_kind, people):
    person = people.dispatcher
    page = list(
        listable(cases_for(person, Action.VIEW), person).select_related(
            "category", "grid", "assignee_department"
        )
    )
    rows = list_rows(page, listed(person, page, via="api"))
    assert any(row["grid"] is None for row in rows)
    assert any(row["department"] for row in rows)
    assert any(row["is_overdue"] for row in rows)
    assert any(row["due_at"] is None for row in rows)
    assert any(row["escalation_level"] for row in rows)
