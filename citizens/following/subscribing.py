"""Subscribing: following a request, area alerts, confirming and ending them by link, and
the "me too" counts staff see. The package's docstring tells the whole story."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from citizens.following import links
from citizens.following import mail as follow_mail
from citizens.models import (
    Subscription,
    SubscriptionSource,
    SubscriptionTarget,
    User,
)
from governance import clock, outbox
from governance.access import Action, Person, cases_for
from governance.models import Area, Case
from governance.models.area import Level

logger = logging.getLogger(__name__)

MIN_RADIUS_M = 100
MAX_RADIUS_M = 5000
RESEND_AFTER = timedelta(minutes=10)  # a pending address is not mailed again sooner
METRES_PER_DEGREE = 111_320


class NotFollowable(Exception):
    """The person may not follow this (a private-location case they may not view, their own
    request, a case that is no longer followed: merged)."""


# --- who may follow what ----------------------------------------------------------------------


def followable(person: Person, case: Case) -> bool:
    """Whether `person` (signed in or not) may follow `case`: any case of an ordinary category
    the public may see; a private-location case only by staff permitted to view it."""
    if case.merged_into_id is not None:
        return False
    if case.category.private_location:
        return (
            person.is_authenticated
            and cases_for(person, Action.VIEW, as_staff=True).filter(pk=case.pk).exists()
        )
    return cases_for(AnonymousUser(), Action.PUBLIC).filter(pk=case.pk).exists()


def is_reporter(person: Person, case: Case) -> bool:
    """The reporter is told of their own request already; they need not follow it."""
    return person.is_authenticated and case.reporter_id == person.pk


# --- subscribing ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _language(language: str) -> str:
    return "en" if (language or "").startswith("en") else "zh-hans"


def follow_case(
    *, user: User, case: Case, source: str = SubscriptionSource.PAGE, site: str = ""
) -> Subscription:
    """Follow `case` from an account (confirmed at once); following twice keeps one."""
    if is_reporter(user, case) or not followable(user, case):
        raise NotFollowable
    live = Subscription.objects.filter(
        user=user, case=case, target=SubscriptionTarget.CASE, ended_at__isnull=True
    ).first()
    if live is not None:
        return live
    now = clock.now()
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                user=user,
                target=SubscriptionTarget.CASE,
                case=case,
                source=source,
                language=_language(user.preferred_language),
                site=site,
                created_at=now,
                confirmed_at=now,
            )
    except IntegrityError:  # a double tap raced this one: the other row is the live one
        return Subscription.objects.get(
            user=user, case=case, target=SubscriptionTarget.CASE, ended_at__isnull=True
        )


def unfollow_case(*, user: User, case: Case) -> bool:
    """Stop following `case`; returns whether something was followed."""
    return bool(
        Subscription.objects.filter(
            user=user, case=case, target=SubscriptionTarget.CASE, ended_at__isnull=True
        ).update(ended_at=clock.now())
    )


def follows(user: Person, case: Case) -> bool:
    return user.is_authenticated and (
        Subscription.objects.filter(
            user=user, case=case, target=SubscriptionTarget.CASE, ended_at__isnull=True
        ).exists()
    )


def _pending_by_email(
    *, email: str, lookup: dict[str, object], fields: dict[str, object], site: str, language: str
) -> Subscription:
    """The live subscription of `email` to what `lookup` names, made pending if new, and its
    confirmation e-mail queued (after commit, through the outbox) unless one went recently."""
    email = email.strip().lower()
    now = clock.now()
    with transaction.atomic():
        row = (
            Subscription.objects.select_for_update()
            .filter(user__isnull=True, email=email, ended_at__isnull=True, **lookup)
            .first()
        )
        if row is None:
            row = Subscription.objects.create(
                email=email,
                **lookup,
                **fields,
                language=_language(language),
                site=site,
                created_at=now,
            )
        elif row.confirmed_at is not None:
            return row  # following already: nothing to confirm
        elif row.confirmation_sent_at and row.confirmation_sent_at > now - RESEND_AFTER:
            return row  # one mail at a time: no mail bombing through this form
        else:
            row.confirmation_sent_at = None
            row.site, row.language = site or row.site, _language(language)
            row.save(update_fields=["confirmation_sent_at", "site", "language"])
        outbox.add([outbox.task("citizens.tasks.send_confirmation", row.pk)])
    return row


def request_follow_by_email(
    *,
    email: str,
    case: Case,
    language: str,
    site: str,
    source: str = SubscriptionSource.PAGE,
) -> Subscription:
    """Follow `case` from an e-mail address: pending until its link is followed."""
    if not followable(AnonymousUser(), case):
        raise NotFollowable
    return _pending_by_email(
        email=email,
        lookup={"target": SubscriptionTarget.CASE, "case": case},
        fields={"source": source},
        site=site,
        language=language,
    )


def communities() -> QuerySet[Area]:
    """The areas an alert may name: the active communities, in tree order."""
    return Area.objects.filter(level=Level.COMMUNITY, retired_at__isnull=True).order_by("path")


def _circle_fields(lon: float, lat: float, radius_m: int) -> dict[str, object]:
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise ValueError(radius_m)
    if not (-180 <= lon <= 180 and -85 <= lat <= 85):
        raise ValueError((lon, lat))
    lon, lat = round(lon, 6), round(lat, 6)
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return {
        "lon": lon,
        "lat": lat,
        "radius_m": radius_m,
        "min_lon": lon - dlon,
        "max_lon": lon + dlon,
        "min_lat": lat - dlat,
        "max_lat": lat + dlat,
    }


def _alert_lookup(area: Area | None, circle: tuple[float, float, int] | None) -> dict:
    if (area is None) == (circle is None):
        raise ValueError("an alert names an area or a circle")
    if area is not None:
        return {"target": SubscriptionTarget.AREA, "area": area}
    lon, lat, radius_m = circle
    fields = _circle_fields(lon, lat, radius_m)
    return {
        "target": SubscriptionTarget.CIRCLE,
        **{k: fields[k] for k in ("lon", "lat", "radius_m")},
    }


def _alert_fields(area: Area | None, circle: tuple[float, float, int] | None) -> dict:
    if area is not None:
        return {"area_path": area.path, "source": SubscriptionSource.SETTINGS}
    fields = _circle_fields(*circle)
    return {
        **{k: fields[k] for k in ("min_lon", "max_lon", "min_lat", "max_lat")},
        "source": SubscriptionSource.SETTINGS,
    }


def subscribe_alert(
    *,
    user: User,
    area: Area | None = None,
    circle: tuple[float, float, int] | None = None,
    site: str = "",
) -> Subscription:
    """An account's area alert on a community (`area`) or a circle (lon, lat, radius in m)."""
    lookup = _alert_lookup(area, circle)
    live = Subscription.objects.filter(user=user, ended_at__isnull=True, **lookup).first()
    if live is not None:
        return live
    now = clock.now()
    return Subscription.objects.create(
        user=user,
        **lookup,
        **_alert_fields(area, circle),
        language=_language(user.preferred_language),
        site=site,
        created_at=now,
        confirmed_at=now,
    )


def request_alert_by_email(
    *,
    email: str,
    language: str,
    site: str,
    area: Area | None = None,
    circle: tuple[float, float, int] | None = None,
) -> Subscription:
    """An area alert for an e-mail address: pending until its link is followed."""
    return _pending_by_email(
        email=email,
        lookup=_alert_lookup(area, circle),
        fields=_alert_fields(area, circle),
        site=site,
        language=language,
    )


def end_alert(*, user: User, subscription_id: int) -> bool:
    """Stop one of the person's own area alerts."""
    return bool(
        Subscription.objects.filter(
            pk=subscription_id,
            user=user,
            target__in=(SubscriptionTarget.AREA, SubscriptionTarget.CIRCLE),
            ended_at__isnull=True,
        ).update(ended_at=clock.now())
    )


def alerts_of(user: User) -> list[Subscription]:
    return list(
        Subscription.objects.filter(
            user=user,
            target__in=(SubscriptionTarget.AREA, SubscriptionTarget.CIRCLE),
            ended_at__isnull=True,
        )
        .select_related("area")
        .order_by("created_at")
    )


# --- confirming and unsubscribing by link -----------------------------------------------------


def send_confirmation(subscription_id: int) -> None:
    """Mail the confirmation link of a pending subscription, once (claimed by
    `confirmation_sent_at`). The token is made here and only its hash is stored."""
    now = clock.now()
    token = secrets.token_urlsafe(24)
    claimed = Subscription.objects.filter(
        pk=subscription_id,
        confirmed_at__isnull=True,
        ended_at__isnull=True,
        confirmation_sent_at__isnull=True,
    ).update(confirmation_sent_at=now, token_hash=_hash(token))
    if not claimed:
        return
    row = Subscription.objects.select_related("case__category", "area").get(pk=subscription_id)
    try:
        follow_mail.send_confirmation(row, token)
    except Exception:
        Subscription.objects.filter(pk=subscription_id).update(confirmation_sent_at=None)
        raise


def confirm(token: str) -> Subscription | None:
    """Confirm the pending subscription whose link this is (once; links last a week)."""
    if not token:
        return None
    now = clock.now()
    row = (
        Subscription.objects.filter(
            token_hash=_hash(token),
            ended_at__isnull=True,
            confirmation_sent_at__gte=now - links.CONFIRM_WITHIN,
        )
        .select_related("case__category", "area")
        .first()
    )
    if row is None:
        return None
    if row.confirmed_at is None:
        Subscription.objects.filter(pk=row.pk, confirmed_at__isnull=True).update(confirmed_at=now)
        row.confirmed_at = now
    return row


def unsubscribe(token: str) -> Subscription | None:
    """End the subscription the link names (a second click finds it ended and says so)."""
    pk = links.subscription_of(token)
    if pk is None:
        return None
    row = Subscription.objects.select_related("case__category", "area").filter(pk=pk).first()
    if row is None:
        return None
    if row.ended_at is None:
        row.ended_at = clock.now()
        Subscription.objects.filter(pk=row.pk, ended_at__isnull=True).update(ended_at=row.ended_at)
    return row


# --- "me too" counts ------------------------------------------------------------------------


def me_too_counts() -> Coalesce:
    """An annotation: how many follow each case (confirmed, live), one subquery per row of the
    page it annotates, never their identities."""
    followers = (
        Subscription.objects.filter(
            case=OuterRef("pk"),
            target=SubscriptionTarget.CASE,
            confirmed_at__isnull=False,
            ended_at__isnull=True,
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(followers, output_field=IntegerField()), Value(0))


def me_too_count(case: Case) -> int:
    return Subscription.objects.filter(
        case=case,
        target=SubscriptionTarget.CASE,
        confirmed_at__isnull=False,
        ended_at__isnull=True,
    ).count()
