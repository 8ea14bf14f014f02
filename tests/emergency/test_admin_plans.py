"""Plans are written in the admin: the plan with its teams and ordered steps inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emergency.models import IncidentKind, Plan, PlanStep

pytestmark = pytest.mark.django_db


def test_an_administrator_writes_a_plan_with_teams_and_steps(client, city, people):
    client.force_login(people.admin)
    add = reverse("admin:emergency_plan_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "name": "城市防汛应急预案",
            "name_en": "Urban flood plan",
            "kind": IncidentKind.FLOOD,
            "min_level": 1,
            "max_level": 4,
            "command_group": "区防汛指挥部",
            "termination": "积水全部排除",
            "active": "on",
            "teams-TOTAL_FORMS": 1,
            "teams-INITIAL_FORMS": 0,
            "teams-0-department": city.other_department.pk,
            "teams-0-duty": "抽排积水",
            "steps-TOTAL_FORMS": 1,
            "steps-INITIAL_FORMS": 0,
            "steps-0-order": 1,
            "steps-0-title": "排查积水点",
            "steps-0-owner_role": "officer",
            "steps-0-limit": 30,
            "steps-0-limit_unit": "minutes",
            "steps-0-feedback_expected": "积水点位置与深度",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get()
    assert plan.teams.get().department == city.other_department
    assert plan.steps.get().owner_role == "officer"
    change = reverse("admin:emergency_plan_change", args=[plan.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:emergency_plan_changelist")).status_code == 200


def test_a_step_names_one_owner_and_a_plan_a_sane_level_range(client, city, people):
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:emergency_plan_add"),
        {
            "name": "坏预案",
            "kind": IncidentKind.FIRE,
            "min_level": 4,
            "max_level": 1,
            "teams-TOTAL_FORMS": 0,
            "teams-INITIAL_FORMS": 0,
            "steps-TOTAL_FORMS": 1,
            "steps-INITIAL_FORMS": 0,
            "steps-0-order": 1,
            "steps-0-title": "无责任方",
            "steps-0-limit": 30,
            "steps-0-limit_unit": "minutes",
        },
    )
    assert response.status_code == 200
    assert not Plan.objects.exists() and not PlanStep.objects.exists()
