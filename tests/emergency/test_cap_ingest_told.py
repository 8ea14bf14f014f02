"""An upstream CAP alert taken in tells the people who may manage incidents in its areas —
the leaders and dispatchers assigned at or above them — with a link to the board; nobody else
(not the one who sent it in, not those beneath or beside, not officers, not inactive accounts).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from emergency.models import Incident
from governance.models import Assignment
from notifications.models import Notification, NotificationKind
from tests.emergency.test_cap_ingest import SENT, alert, geocode, post

pytestmark = pytest.mark.django_db
User = get_user_model()


def _person(username: str, area, role: str, *, active: bool = True):
    person = User.objects.create_user(username=username, password="x", is_active=active)
    Assignment.objects.create(user=person, area=area, role=role)
    return person


def _told() -> set[str]:
    return set(
        Notification.objects.filter(kind=NotificationKind.EMERGENCY_NOTICE).values_list(
            "user__username", flat=True
        )
    )


@override_settings(SITE_URL="https://grid.example")
def test_the_managers_at_or_above_its_areas_are_told(city, people, api, english):
    _person("district_leader", city.district, "leader")
    _person("street_b_dispatcher", city.street_b, "dispatcher")
    _person("community_a_leader", city.community_a, "leader")
    _person("retired_leader", city.district, "leader", active=False)
    response = post(api, people.admin, alert(area=geocode(city.street_a.code)))
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert _told() == {"dispatcher", "district_leader", "street_leader"}
    note = Notification.objects.get(user=people.street_leader)
    assert note.in_app and incident.title in note.params["title"]
    board = f"/work/emergency/incidents/{incident.pk}/"
    assert note.params["link"].endswith(board) and board in note.body


def test_the_sender_is_not_told_and_a_repeat_tells_nobody_again(city, people, api):
    _person("district_leader", city.district, "leader")
    assert post(api, people.dispatcher, alert()).status_code == 201  # the whole district
    assert _told() == {"district_leader"}  # not the sender; street leaders are beneath it
    assert post(api, people.dispatcher, alert()).status_code in (200, 201)
    assert Notification.objects.count() == 1


def test_an_update_of_a_taken_alert_tells_them_too(city, people, api):
    first = alert(area=geocode(city.street_a.code))
    assert post(api, people.admin, first).status_code == 201
    update = alert(
        identifier="MH-2026-0701-RAIN-02",
        sent="2026-07-01T09:00:00+08:00",
        msg_type="Update",
        references=f"warning.minghu-weather.example,MH-2026-0701-RAIN-01,{SENT}",
        area=geocode(city.street_a.code),
    )
    assert post(api, people.admin, update).status_code in (200, 201)
    assert Notification.objects.filter(user=people.street_leader).count() == 2
