"""The header offers the emergency pages to whom they are for: "Notices" to who may send,
"My notices" to whoever received one or may send, "Resources" to staff of the areas; and
"my notices" shows the person's open plan tasks under their notices (one phone page)."""

from __future__ import annotations

import pytest

from emergency import plans
from emergency.models import IncidentKind, Plan, PlanStep
from governance.models import Role
from tests.emergency.cap_helpers import incident
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db

NOTICES = 'href="/work/emergency/notices/"'
MINE = 'href="/work/emergency/my-notices/"'
RESOURCES = 'href="/work/emergency/resources/"'


def _header(client, person) -> str:
    client.force_login(person)
    page = client.get("/work/emergency/tasks/")
    text = page.content.decode()
    return text[: text.index("</header>")]


def test_who_is_offered_what(client, city, people):
    header = _header(client, people.dispatcher)
    assert NOTICES in header and MINE in header and RESOURCES in header
    header = _header(client, people.officer_a)  # sees the areas' resources, sends nothing
    assert NOTICES not in header and MINE not in header and RESOURCES in header
    notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    header = _header(client, people.officer_a)
    assert MINE in header and NOTICES not in header
    client.force_login(people.citizen)
    text = client.get("/").content.decode()
    header = text[: text.index("</header>")]
    assert NOTICES not in header and MINE not in header and RESOURCES not in header


def test_my_notices_shows_my_open_tasks(client, city, people):
    flood = incident(city.grid_a)
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD, min_level=1, max_level=4)
    PlanStep.objects.create(
        plan=plan, order=1, title="排查积水点", owner_role=Role.OFFICER, limit=60
    )
    plans.activate_plan(incident=flood, plan=plan, by=people.dispatcher)
    notice_to(people.dispatcher, [city.grid_a], roles=["officer"], incident=flood)
    client.force_login(people.officer_a)
    page = client.get("/work/emergency/my-notices/").content.decode()
    assert "暴雨红色预警" in page and "排查积水点" in page
    assert 'name="back" value="mine"' in page
    task = plans.tasks_for(people.officer_a).get()
    response = client.post(
        f"/work/emergency/tasks/{task.pk}/feedback/", {"feedback": "已排查", "back": "mine"}
    )
    assert response.status_code == 302 and response["Location"] == "/work/emergency/my-notices/"
    assert "排查积水点" not in client.get("/work/emergency/my-notices/").content.decode()
    client.force_login(people.officer_b)  # not theirs
    assert "排查积水点" not in client.get("/work/emergency/my-notices/").content.decode()
