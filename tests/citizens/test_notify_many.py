"""Telling many people at once (`notifications.many.tell`): one notification each, in each
person's language, by the channels each chose, nothing for the inactive or during a replay."""

from __future__ import annotations

import pytest

from governance import events
from notifications.many import tell
from notifications.models import Notification, NotificationKind, NotificationPreference

pytestmark = pytest.mark.django_db

PARAMS = {"title": "防汛演练", "title_en": "Flood drill"}


def test_each_person_once_in_their_language_by_their_channels(people):
    people.officer_a.preferred_language = "en"
    people.officer_a.email = "a@example.com"
    people.officer_a.save()
    people.officer_b.is_active = False
    people.officer_b.save()
    NotificationPreference.objects.create(
        user=people.dispatcher, kind=NotificationKind.EMERGENCY_TASK, in_app=False, email=False
    )
    told = tell(
        [people.officer_a, people.officer_a, people.officer_b, people.dispatcher, None],
        kind=NotificationKind.EMERGENCY_TASK,
        params=PARAMS,
    )
    assert sorted(n.user_id for n in told) == sorted([people.officer_a.pk, people.dispatcher.pk])
    mine = Notification.objects.get(user=people.officer_a)
    assert mine.title == "Emergency task: Flood drill" and mine.in_app
    theirs = Notification.objects.get(user=people.dispatcher)
    assert not theirs.in_app and not theirs.email_wanted


def test_nobody_is_told_of_replayed_history(people):
    with events.muted():
        assert tell([people.officer_a], kind=NotificationKind.EMERGENCY_TASK, params=PARAMS) == []
    assert not Notification.objects.exists()
