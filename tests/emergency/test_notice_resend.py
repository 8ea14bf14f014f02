"""Who has not answered is sent the notice again after `resend_after` minutes, `resends` times;
then their leader is told, once. Two runs at once never send anything twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emergency import answering, resending
from emergency.models import Recipient
from emergency.tasks import resend_unanswered
from governance import clock
from notifications.models import Notification
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db


def _at(notice, minutes: int):
    return clock.travel(notice.sent_at + timedelta(minutes=minutes))


def test_unanswered_recipients_get_it_again_then_their_leader_is_told_once(city, people):
    notice = notice_to(
        people.dispatcher, [city.street_a], roles=["officer"], resend_after=10, resends=1
    )
    [officer] = notice.recipients.all()
    with _at(notice, 9):
        assert resending.resend_unanswered().resent == 0  # not yet
    with _at(notice, 10):
        assert resending.resend_unanswered().resent == 1
        assert resending.resend_unanswered().resent == 0  # a re-run sends nothing twice
    officer.refresh_from_db()
    assert officer.sent_count == 2
    assert Notification.objects.filter(user=people.officer_a).count() == 2
    with _at(notice, 15):
        assert resend_unanswered() == {"resent": 0, "leaders_told": 0}
    with _at(notice, 20):  # past every resend: the street leader hears who has not answered
        assert resend_unanswered() == {"resent": 0, "leaders_told": 1}
        assert resend_unanswered() == {"resent": 0, "leaders_told": 0}
    [told] = Notification.objects.filter(user=people.street_leader)
    assert "officer_a" in told.body and "/roll-call/" in told.body
    assert "1" in told.display_title
    officer.refresh_from_db()
    assert officer.leader_told_at is not None and officer.sent_count == 2


def test_who_answered_is_left_alone(city, people):
    notice = notice_to(people.dispatcher, [city.district], roles=["officer"], resends=2)
    answered = Recipient.objects.get(notice=notice, user=people.officer_a)
    answering.answer(answered.token, "received")
    with _at(notice, 11):
        assert resending.resend_unanswered().resent == 1  # officer B only
    answered.refresh_from_db()
    assert answered.sent_count == 1
    assert Notification.objects.filter(user=people.officer_a).count() == 1


def test_with_no_resends_the_leader_is_told_after_the_wait(city, people):
    notice = notice_to(people.dispatcher, [city.grid_b], roles=["officer"], resends=0)
    with _at(notice, 10):
        result = resending.resend_unanswered()
    assert (result.resent, result.leaders_told) == (0, 1)
    # grid B's nearest leader or dispatcher above: the district's dispatcher
    assert Notification.objects.filter(user=people.dispatcher).count() == 1
    assert not Notification.objects.filter(user=people.street_leader).exists()


def test_an_expired_notice_or_a_closed_incident_is_not_chased(city, people):
    from django.utils import timezone

    from emergency.models import Incident, IncidentArea

    now = timezone.now()
    incident = Incident.objects.create(
        title="内涝", kind="flood", level=3, occurred_at=now, created_at=now, updated_at=now
    )
    IncidentArea.objects.create(incident=incident, area=city.grid_a)
    on_incident = notice_to(people.dispatcher, [city.grid_a], roles=["officer"], incident=incident)
    expiring = notice_to(
        people.dispatcher,
        [city.grid_b],
        roles=["officer"],
        expires_at=now + timedelta(minutes=5),
    )
    Incident.objects.filter(pk=incident.pk).update(status="closed")
    with _at(on_incident, 30):
        assert resending.resend_unanswered().resent == 0
    assert set(Recipient.objects.values_list("sent_count", flat=True)) == {1}
    assert expiring.recipients.get().leader_told_at is None
