"""The demo city's emergencies: on the first run the board, the roll-call, the after-action
report and the CAP feed show something, written through the product's own functions."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from lxml import etree

from citizens.models import User
from emergency.models import (
    Activation,
    Incident,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    Notice,
    Plan,
    PlanStep,
    Recipient,
    Shelter,
    Supply,
    Task,
    Team,
)
from emergency.seeding import MARKER
from governance.models import OutboxMessage
from notifications.models import Notification
from tests.emergency.cap_helpers import texts, valid

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


@dataclass
class Demo:
    drill: Incident
    flood: Incident


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city seeded once for the module (each test runs in a savepoint of this
    transaction, rolled back at the end)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=False):
            call_command("seed_demo", verbosity=0)
        yield Demo(
            drill=Incident.objects.get(exercise=True),
            flood=Incident.objects.get(exercise=False, status=IncidentStatus.RESPONDING),
        )
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def snapshot() -> dict:
    models = (Plan, PlanStep, Shelter, Supply, Team, Incident, IncidentEvent, Activation, Task)
    return {
        "counts": {model.__name__: model.objects.count() for model in (*models, Notice, Recipient)},
        "answers": sorted(Recipient.objects.values_list("token", "answer", "answered_at")),
        "last_event": IncidentEvent.objects.aggregate(m=Max("pk"))["m"],
        "updated": sorted(Incident.objects.values_list("pk", "updated_at", "status")),
    }


def test_the_past_is_recorded_not_sent(demo, db):
    """Like the cases' replayed history: nobody is notified, pushed, mailed or texted of it."""
    assert Recipient.objects.exists() and Task.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.filter(kind__startswith="emergency").exists()


def test_a_plan_for_each_common_kind_with_ordered_steps_and_resources_in_their_grids(demo, db):
    kinds = set(Plan.objects.values_list("kind", flat=True))
    assert Plan.objects.count() >= 4
    assert {
        IncidentKind.FLOOD,
        IncidentKind.FIRE,
        IncidentKind.GAS,
        IncidentKind.PUBLIC_HEALTH,
        IncidentKind.EARTHQUAKE,
    } <= kinds
    for plan in Plan.objects.prefetch_related("steps", "teams"):
        steps = list(plan.steps.all())
        assert len(steps) >= 4 and plan.teams.exists(), plan.name
        assert [s.order for s in steps] == list(range(1, len(steps) + 1))
        assert all(s.title_en and (s.owner_department_id or s.owner_role) for s in steps)
    assert Shelter.objects.filter(open=True, occupancy__gt=0).exists()
    assert Supply.objects.filter(name="防汛沙袋").exists()
    assert Team.objects.count() >= 3
    for model in (Shelter, Supply, Team):
        for row in model.objects.select_related("grid"):
            grid = row.grid
            assert grid.min_lon <= row.lon <= grid.max_lon, row.name
            assert grid.min_lat <= row.lat <= grid.max_lat, row.name


def test_the_open_incidents_board_shows_its_roll_call_to_the_dispatcher_and_leader(demo, db):
    flood = demo.flood
    notice = flood.notices.get()
    recipients = notice.recipients
    answered = recipients.filter(answered_at__isnull=False).count()
    reached = recipients.filter(reached_at__isnull=False).count()
    assert 0 < answered < reached < recipients.count()
    assert flood.links.count() >= 1  # citizens' reports handled with it
    assert Task.objects.filter(activation__incident=flood, late=True).exists()
    assert Task.objects.filter(activation__incident=flood, feedback_at__isnull=True).exists()
    for username in ("dispatcher", "leader.hubin", "leader.xixi"):
        response = signed_in(username).get(reverse("emergency:incident", args=[flood.pk]))
        assert response.status_code == 200, username
        page = response.content.decode()
        assert flood.title in page and notice.title in page
        assert re.search(rf'data-total="total">{recipients.count()}<', page)
        assert re.search(rf'data-total="reached">{reached}<', page)
        assert re.search(rf'data-total="answered">{answered}<', page)
    # The roll-call page, the officers' "my notices" and "my tasks", and the one-tap answer.
    # The roll-call page: names for the dispatcher, a street leader's own street's only.
    rollcall = reverse("emergency:rollcall", args=[notice.pk])
    page = signed_in("dispatcher").get(rollcall).content.decode()
    assert "何强" in page and "孔杰" in page  # officer.hubin1, officer.xixi1
    response = signed_in("leader.hubin").get(rollcall)
    assert response.status_code == 200
    assert "何强" in response.content.decode() and "孔杰" not in response.content.decode()
    officer = signed_in("officer.hubin4")
    assert notice.title in officer.get(reverse("emergency:my_notices")).content.decode()
    assert officer.get(reverse("emergency:my_tasks")).status_code == 200
    token = recipients.get(user__username="officer.hubin4").token
    assert Client().get(reverse("emergency:answer", args=[token])).status_code == 200


def test_the_cap_feed_lists_the_public_notice_and_its_alert_validates(demo, db, client):
    notice = demo.flood.notices.get(public=True)
    response = client.get("/cap/alerts.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    links = feed.xpath("atom:entry/atom:link[@type='application/cap+xml']/@href", namespaces=ATOM)
    assert [link.rsplit("/", 1)[1] for link in links] == [f"{notice.identifier}.xml"]
    alert = client.get(reverse("emergency:cap-alert", args=[notice.identifier]))
    assert alert.status_code == 200
    root = valid(alert.content)
    assert texts(root, "cap:status") == ["Actual"]
    assert "Moderate" in texts(root, "cap:info/cap:severity")
    assert "Immediate" in texts(root, "cap:info/cap:urgency")


def test_the_drills_after_action_report_has_its_steps_and_acknowledgements(demo, db):
    from openpyxl import load_workbook

    drill = demo.drill
    assert drill.status == IncidentStatus.CLOSED and drill.exercise
    tasks = Task.objects.filter(activation__incident=drill)
    assert tasks.count() >= 4 and not tasks.filter(feedback_at__isnull=True).exists()
    assert {task.on_time for task in tasks} == {True, False}  # some late
    notice = drill.notices.get()
    assert not notice.public
    answered = notice.recipients.filter(answered_at__isnull=False).count()
    assert notice.recipients.count() > answered > notice.recipients.count() / 2
    client = signed_in("dispatcher")
    page = client.get(reverse("emergency:report", args=[drill.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "关阀" in text and notice.title in text
    assert f"{answered}/{notice.recipients.count()}" in text
    response = client.get(reverse("emergency:report_xlsx", args=[drill.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    timeline = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    steps = list(book.worksheets[2].iter_rows(values_only=True))[1:]
    acks = list(book.worksheets[4].iter_rows(values_only=True))[1:]
    assert len(timeline) == drill.events.count() >= 10
    assert len(steps) == tasks.count()
    assert len(acks) == notice.recipients.count()
    assert sum(1 for row in acks if row[5]) == answered


def test_seeding_again_changes_nothing(demo, db):
    assert Plan.objects.filter(name=MARKER).exists()
    before = snapshot()
    call_command("seed_demo", verbosity=0)
    from emergency.seeding import seed_emergency
    from governance import clock

    assert seed_emergency(now=clock.now()) is False
    out = io.StringIO()
    call_command("seed_emergency", stdout=out)
    assert "already there" in out.getvalue()
    assert snapshot() == before
