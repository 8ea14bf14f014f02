"""Sending a notice again to who did not answer, then telling their leader (催签 / 上报).

`resend_unanswered` (Celery beat every minute, `emergency.tasks.resend_unanswered`; the
embedded scheduler too) finds the recipients who have not answered `resend_after` minutes after
it was last sent to them:

- while they have been sent it fewer than 1 + `resends` times, it is sent again (sent_count+1,
  a new notification, e-mail and SMS);
- after that, once (`leader_told_at`), the leaders and dispatchers of the nearest area above
  theirs that has any are told who has not answered.

A notice past its `expires_at`, of an incident since closed, or updated or cancelled since
(`emergency.revising`), is not chased any more; nor is a cancellation.

Idempotent under two concurrent runs: the rows are claimed with `SELECT … FOR UPDATE SKIP
LOCKED` (PostgreSQL) and a conditional UPDATE that a row already claimed fails, and only the
rows this run's UPDATE changed are told.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from emergency import telling
from emergency.access import prefixes
from emergency.models import (
    IncidentEvent,
    IncidentEventKind,
    IncidentStatus,
    MessageType,
    Notice,
    Recipient,
)
from governance import clock, events
from governance.addresses import absolute
from governance.models import Assignment, Role
from notifications.centre import notify
from notifications.models import NotificationKind

logger = logging.getLogger(__name__)

CLAIM_BATCH = 2000
LEADER_ROLES = (Role.LEADER, Role.DISPATCHER)


@dataclass
class Resent:
    resent: int = 0
    leaders_told: int = 0  # recipients whose leaders were told


def _due(now: datetime):
    """Unanswered rows whose wait (`notice.resend_after` minutes since last sent) is over: one
    condition per distinct wait of the notices still waiting for answers (a handful), so the
    comparison is a plain indexed one on every database."""
    waits = (
        Notice.objects.filter(recipients__answered_at__isnull=True)
        .order_by()
        .values_list("resend_after", flat=True)
        .distinct()
    )
    due = Q(pk__in=[])
    for minutes in waits:
        due |= Q(notice__resend_after=minutes, last_sent_at__lte=now - timedelta(minutes=minutes))
    live = Q(notice__expires_at__isnull=True) | Q(notice__expires_at__gt=now)
    closed = Q(notice__incident__status=IncidentStatus.CLOSED)
    # An alert updated or cancelled since is not chased (its update is), nor is a cancellation.
    revised = Q(notice__in=Notice.objects.filter(followed_by__isnull=False).values("pk"))
    cancel = Q(notice__msg_type=MessageType.CANCEL)
    return (
        Recipient.objects.filter(due, live, answered_at__isnull=True)
        .exclude(closed)
        .exclude(revised)
        .exclude(cancel)
    )


def _claim(rows, **changes) -> list[Recipient]:
    """Claim up to CLAIM_BATCH of `rows` for this run: lock those no other run holds (SKIP
    LOCKED: a row another run is telling is its, and once it committed the row is no longer
    due), change them, and return them."""
    ids = list(
        rows.select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)[:CLAIM_BATCH]
    )
    if not ids:
        return []
    Recipient.objects.filter(pk__in=ids).update(**changes)
    return list(Recipient.objects.filter(pk__in=ids).select_related("notice").order_by("pk"))


def resend_unanswered() -> Resent:
    """One run: send again what is due, tell the leaders of who is past every resend."""
    now = clock.now()
    result = Resent()
    while True:
        with transaction.atomic():
            again = _due(now).filter(sent_count__lte=F("notice__resends"))
            claimed = _claim(again, sent_count=F("sent_count") + 1, last_sent_at=now)
            by_notice: dict[int, list[Recipient]] = defaultdict(list)
            for recipient in claimed:
                by_notice[recipient.notice_id].append(recipient)
            for rows in by_notice.values():
                notice = rows[0].notice
                telling.tell(notice, [(r.user_id, r.token) for r in rows], again=True)
                if notice.incident_id:
                    IncidentEvent.objects.create(
                        incident_id=notice.incident_id,
                        kind=IncidentEventKind.NOTICE_RESENT,
                        at=now,
                        note=notice.title,
                        data={"notice": notice.pk, "recipients": len(rows)},
                    )
        result.resent += len(claimed)
        if len(claimed) < CLAIM_BATCH:
            break
    while True:
        with transaction.atomic():
            past = _due(now).filter(
                sent_count__gt=F("notice__resends"), leader_told_at__isnull=True
            )
            claimed = _claim(past.exclude(area_path=""), leader_told_at=now)
            _tell_leaders(claimed)
        result.leaders_told += len(claimed)
        if len(claimed) < CLAIM_BATCH:
            break
    if result.resent or result.leaders_told:
        logger.info("notices: sent again to %d, leaders told of %d", *vars(result).values())
    return result


def _tell_leaders(recipients: list[Recipient]) -> None:
    """Tell the leaders (and dispatchers) of the nearest area above each recipient's that has
    any: one notification per leader and notice, naming who has not answered (none for
    replayed history: `governance.events.muted`)."""
    if not recipients or events.is_muted():
        return
    above = {p for r in recipients for p in prefixes(r.area_path)[:-1]}
    leaders: dict[str, set[int]] = defaultdict(set)
    for user_id, path in Assignment.objects.filter(
        area__path__in=above, role__in=LEADER_ROLES, user__is_active=True
    ).values_list("user_id", "area__path"):
        leaders[path].add(user_id)
    told: dict[tuple[int, int], list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        for path in reversed(prefixes(recipient.area_path)[:-1]):
            if leaders.get(path):
                for leader in leaders[path] - {recipient.user_id}:
                    told[(leader, recipient.notice_id)].append(recipient)
                break
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk({leader for leader, _notice in told})
    notices = Notice.objects.in_bulk({notice for _leader, notice in told})
    names = {
        u.pk: str(u)
        for u in get_user_model().objects.filter(pk__in={r.user_id for r in recipients})
    }
    for (leader, notice_id), rows in told.items():
        notice = notices[notice_id]
        link = absolute(reverse("emergency:rollcall", args=[notice.pk]))
        listed = ", ".join(sorted(names.get(r.user_id, "") for r in rows)[:50])
        notify(
            user=users[leader],
            kind=NotificationKind.EMERGENCY_NOTICE,
            case=None,
            params={
                "title": f"{notice.title}：{len(rows)} 人未签收",
                "title_en": f"{notice.title_en or notice.title}: {len(rows)} not answered",
            },
            body=f"{listed}\n\n{link}",
        )
