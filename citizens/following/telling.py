"""Telling subscribers: which live subscriptions a public timeline entry concerns, the
alerts written once per (subscription, entry), and their sending at most once."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import translation

from citizens.following import mail as follow_mail
from citizens.following.subscribing import MAX_RADIUS_M, METRES_PER_DEGREE, followable
from citizens.models import Alert, Subscription, SubscriptionTarget
from governance import clock, events, outbox, queueing
from governance.duplicates import distance_m
from governance.models import Case, CaseEvent, EventKind
from governance.public import CaseFacts, TextFacts, public_form, rounded
from notifications.models import Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)


# The task that sends one alert, by name: the tasks module imports this one, never the reverse.
SEND_ALERT = "citizens.tasks.send_alert"


def is_public_step(case: Case, event: CaseEvent) -> bool:
    """Whether the entry is a step of the case's public form (the public feed's rule)."""
    facts = CaseFacts.of(case)
    text = TextFacts(event.created_at, event.kind, event.audience, event.note)
    return bool(public_form(facts, texts=[text]).steps)


def _status_changed(event: CaseEvent) -> bool:
    return event.kind == EventKind.SUBMITTED or event.from_status != event.to_status


def _circle_holds(row: Subscription, lon: float, lat: float) -> bool:
    return distance_m(row.lon, row.lat, lon, lat) <= row.radius_m


def _prefixes(path: str) -> list[str]:
    """Every ancestor path of an area path ("/a/b/c/" → "/a/", "/a/b/", "/a/b/c/")."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


@dataclass(frozen=True)
class Matched:
    subscription: Subscription
    kind: str  # the notification kind: followed, or area alert


def subscribers_of(case: Case, event: CaseEvent) -> list[Matched]:
    """The live subscriptions a public timeline entry concerns, one per person or address
    (a request's followers before area alerts), the reporter and the actor left out.

    Three indexed queries whatever the number of subscriptions: the case's followers; the area
    alerts whose path is one of the case's ancestors'; the circles whose bounding box holds the
    case's public point (then the exact distance, for the few the box lets through).
    """
    if not is_public_step(case, event):
        return []
    live = Subscription.objects.filter(
        confirmed_at__isnull=False, ended_at__isnull=True
    ).select_related("user")
    found: list[Matched] = []
    if event.kind != EventKind.SUBMITTED:  # the merge too: the last word followers hear
        found += [
            Matched(s, NotificationKind.FOLLOWED)
            for s in live.filter(target=SubscriptionTarget.CASE, case=case).order_by("pk")
        ]
    if _status_changed(event):
        prefixes = _prefixes(case.area_path or "")
        if prefixes:
            found += [
                Matched(s, NotificationKind.AREA_ALERT)
                for s in live.filter(
                    target=SubscriptionTarget.AREA, area_path__in=prefixes
                ).order_by("pk")
            ]
        lon, lat = rounded(case.lon, case.lat)  # the public point: a circle learns no more
        if lon is not None:
            # No centre lies farther than the largest radius: a band the index narrows to.
            band = MAX_RADIUS_M / METRES_PER_DEGREE
            wide = band / max(math.cos(math.radians(lat)), 0.01)
            circles = live.filter(
                target=SubscriptionTarget.CIRCLE,
                lat__gte=lat - band,
                lat__lte=lat + band,
                lon__gte=lon - wide,
                lon__lte=lon + wide,
                min_lat__lte=lat,
                max_lat__gte=lat,
                min_lon__lte=lon,
                max_lon__gte=lon,
            ).order_by("pk")
            found += [
                Matched(s, NotificationKind.AREA_ALERT)
                for s in circles
                if _circle_holds(s, lon, lat)
            ]
    seen: set[object] = set()
    kept = []
    for match in found:
        row = match.subscription
        if row.user_id is not None:
            if row.user_id in (case.reporter_id, event.actor_id) or not row.user.is_active:
                continue
            private = case.category.private_location
            if row.target == SubscriptionTarget.CASE and private and not followable(row.user, case):
                continue  # staff who followed it and are no longer permitted on it
        elif row.target == SubscriptionTarget.CASE and case.category.private_location:
            continue
        who = ("user", row.user_id) if row.user_id else ("email", row.email)
        if who in seen:
            continue
        seen.add(who)
        kept.append(match)
    return kept


def fan_out(event_id: int) -> int:
    """Write the alerts of one timeline entry and queue their sending; returns how many were
    new. A re-run (or a second worker) writes none twice: the unique (subscription, entry)."""
    event = CaseEvent.objects.filter(pk=event_id).select_related("case__category").first()
    if event is None:
        return 0
    case = event.case
    matched = subscribers_of(case, event)
    if not matched:
        return 0
    already = set(
        Alert.objects.filter(
            event=event, subscription__in=[m.subscription.pk for m in matched]
        ).values_list("subscription_id", flat=True)
    )
    fresh = [m for m in matched if m.subscription.pk not in already]
    if not fresh:
        return 0
    now = clock.now()
    try:
        with transaction.atomic():
            alerts = Alert.objects.bulk_create(
                [Alert(subscription=m.subscription, event=event, created_at=now) for m in fresh]
            )
            _notify_accounts(case, event, fresh, now)
            outbox.add([outbox.task(SEND_ALERT, a.pk) for a in alerts])
    except IntegrityError:  # another worker wrote them first: it sends them
        return 0
    return len(alerts)


def _preferences(users: set[int], kinds: set[str]) -> dict[tuple[int, str], dict[str, bool]]:
    return {
        (row.user_id, row.kind): {"in_app": row.in_app, "email": row.email, "sms": row.sms}
        for row in NotificationPreference.objects.filter(user__in=users, kind__in=kinds)
    }


def wants(subscription: Subscription, kind: str) -> dict[str, bool]:
    """How an account wants to hear of this kind; an address confirmed by e-mail: e-mail."""
    if subscription.user_id is None:
        return {"in_app": False, "email": True, "sms": False}
    row = _preferences({subscription.user_id}, {kind}).get((subscription.user_id, kind))
    return row or NotificationPreference.defaults_for(kind)


def _notify_accounts(case: Case, event: CaseEvent, fresh: list[Matched], now: datetime) -> None:
    """The in-app notifications of account holders (their e-mail/SMS go with the alert)."""
    from notifications import unread
    from notifications.centre import params_of, push_message

    accounts = [m for m in fresh if m.subscription.user_id is not None]
    if not accounts:
        return
    stored = _preferences({m.subscription.user_id for m in accounts}, {m.kind for m in accounts})
    params = params_of(case)
    body = follow_mail.public_note(case, event)
    rows = []
    for match in accounts:
        user = match.subscription.user
        choice = stored.get((user.pk, match.kind)) or NotificationPreference.defaults_for(
            match.kind
        )
        if not choice["in_app"]:
            continue
        with translation.override(user.preferred_language or "zh-hans"):
            title = Notification(kind=match.kind, params=params).display_title
        rows.append(
            Notification(
                user=user,
                kind=match.kind,
                case=case,
                event=event,
                title=title[:200],
                params=params,
                body=body,
                created_at=now,
                in_app=True,
            )
        )
    unread.forget([row.user_id for row in rows])
    for notification in Notification.objects.bulk_create(rows):
        events.notification_on_commit(notification.user_id, push_message(notification))


def send_alert(alert_id: int) -> None:
    """Send one alert's e-mail (and SMS, if the account asks for it), at most once."""
    from notifications import sms

    alert = (
        Alert.objects.filter(pk=alert_id, sent_at__isnull=True)
        .select_related("subscription__user", "subscription__area", "event__case__category")
        .first()
    )
    if alert is None:
        return
    row = alert.subscription
    kind = (
        NotificationKind.FOLLOWED
        if row.target == SubscriptionTarget.CASE
        else NotificationKind.AREA_ALERT
    )
    choice = wants(row, kind)
    if not Alert.objects.filter(pk=alert_id, sent_at__isnull=True).update(sent_at=clock.now()):
        return  # another worker claimed it
    if row.ended_at is not None:
        return  # unsubscribed since: nothing more
    try:
        if choice["email"] and row.address:
            follow_mail.send_alert(alert)
        if choice["sms"] and row.user_id and row.user.phone:
            sms.gateway().send(phone=row.user.phone, text=follow_mail.alert_sms(alert))
    except Exception:
        Alert.objects.filter(pk=alert_id).update(sent_at=None)
        raise


def requeue_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue again the alerts whose sending failed (or whose task was lost); run by the sweep."""
    ids = list(
        Alert.objects.filter(sent_at__isnull=True, created_at__lte=clock.now() - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    for alert_id in ids:
        queueing.enqueue_named(SEND_ALERT, alert_id)
    return len(ids)
