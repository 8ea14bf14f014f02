"""Sending a notice: who may, what is written, who hears of it; answering it once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from emergency import answering
from emergency.models import Incident, IncidentArea, IncidentEvent, Notice, Recipient
from emergency.tasks import deliver_notifications
from governance.errors import InvalidInput, NotPermitted
from notifications.models import Notification, NotificationKind, NotificationPreference
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db


def _incident(*areas) -> Incident:
    now = timezone.now()
    incident = Incident.objects.create(
        title="暴雨内涝", kind="flood", level=3, occurred_at=now, created_at=now, updated_at=now
    )
    for area in areas:
        IncidentArea.objects.create(incident=incident, area=area)
    return incident


def test_a_notice_writes_one_recipient_and_one_notification_per_person(city, people):
    notice = notice_to(people.dispatcher, [city.district])
    reached = {people.officer_a.pk, people.officer_b.pk, people.street_leader.pk}
    reached.add(people.dispatcher.pk)
    assert set(notice.recipients.values_list("user_id", flat=True)) == reached
    assert notice.recipient_count == 4
    assert len(set(notice.recipients.values_list("token", flat=True))) == 4
    told = Notification.objects.filter(kind=NotificationKind.EMERGENCY_NOTICE)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(reached)
    mine = told.get(user=people.officer_a)
    token = notice.recipients.get(user=people.officer_a).token
    assert mine.in_app and mine.read_at is None
    assert f"/e/a/{token}/" in mine.body and mine.params["notice"] == str(notice.pk)
    assert "暴雨红色预警" in mine.display_title


def test_emergency_notices_ignore_quiet_preferences(city, people):
    people.officer_a.email, people.officer_a.phone = "a@example.com", "13900000009"
    people.officer_a.save()
    NotificationPreference.objects.create(
        user=people.officer_a, kind=NotificationKind.EMERGENCY_NOTICE, in_app=False, email=False
    )
    notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    told = Notification.objects.get(user=people.officer_a)
    assert told.in_app and told.email_wanted and told.sms_wanted
    deliver_notifications([told.pk])  # what the queued task does (again: nothing twice)
    told.refresh_from_db()
    assert told.emailed_at is not None and told.texted_at is not None
    [message] = mail.outbox
    assert message.to == ["a@example.com"] and "/e/a/" in message.body


def test_the_preferences_page_says_emergency_notices_always_reach_you(client, people):
    always = "应急通知总会送达您"  # "Emergency notices always reach you"
    client.force_login(people.officer_a)
    page = client.get("/notifications/").content.decode()
    assert always in page and 'name="emergency_notice.email"' not in page
    client.force_login(people.citizen)
    assert always in client.get("/notifications/").content.decode()


def test_a_notice_on_an_incident_is_on_its_timeline(city, people):
    incident = _incident(city.street_a)
    notice = notice_to(people.street_leader, [city.street_a], incident=incident)
    entry = IncidentEvent.objects.get(incident=incident, kind="notice_sent")
    assert entry.data["notice"] == notice.pk and entry.data["recipients"] == 2
    assert entry.actor == people.street_leader


def test_only_who_manages_every_target_area_may_send(city, people):
    with pytest.raises(NotPermitted):
        notice_to(people.street_leader, [city.street_b])  # the next street
    with pytest.raises(NotPermitted):
        notice_to(people.officer_a, [city.grid_a])  # officers do not dispatch
    with pytest.raises(NotPermitted):
        notice_to(people.citizen, [city.grid_a])
    with pytest.raises(NotPermitted):  # departments alone need the incident
        notice_to(people.street_leader, [], roles=[], target={"departments": [city.department.pk]})
    assert not Notice.objects.exists() and not Notification.objects.exists()
    notice_to(people.street_leader, [city.street_a])  # their own street: yes
    notice_to(people.admin, [city.street_b])


def test_an_empty_target_or_wrong_options_are_refused(city, people):
    with pytest.raises(InvalidInput):
        notice_to(people.dispatcher, [city.grid_a2], roles=["officer"])  # nobody there
    with pytest.raises(InvalidInput):
        notice_to(people.dispatcher, [city.grid_a], options=["ok"] * 2)
    assert not Notice.objects.exists()


def test_an_answer_is_recorded_once_and_a_second_tap_returns_the_first(city, people):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    first = answering.answer(token, "on_my_way", "5 分钟到")
    assert first.recorded and first.recipient.answer == "on_my_way"
    second = answering.answer(token, "need_help")
    assert not second.recorded and second.recipient.answer == "on_my_way"
    row = Recipient.objects.get(token=token)
    assert (row.answer, row.answer_note) == ("on_my_way", "5 分钟到")
    assert row.reached_at == row.answered_at


def test_the_senders_own_options_are_the_only_answers(city, people):
    notice = notice_to(
        people.dispatcher, [city.grid_a], roles=["officer"], options=["已撤离", "需要车辆"]
    )
    token = notice.recipients.get().token
    with pytest.raises(InvalidInput):
        answering.answer(token, "received")
    assert answering.answer(token, "需要车辆").recipient.answer == "需要车辆"
    with pytest.raises(answering.UnknownToken):
        answering.answer("not-a-token", "需要车辆")
