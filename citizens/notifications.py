"""The notification centre's service: who is told what about a case change, and delivery.

`notify_case_event` runs inside the workflow's transaction: the rows are written with the change
itself. After commit, each person's open pages get a push and the e-mail/SMS deliveries are
queued on Celery. If Redis is down neither can happen now, and neither is lost: the rows are in
the database (the page shows them on its next load) and `requeue_pending` (run by the time-limit
sweep) queues every delivery still pending.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from citizens import sms
from citizens.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
)
from governance import clock, events
from governance.access import viewers
from governance.models import Area, Assignment, Case, CaseEvent, EventKind, Role
from governance.queueing import enqueue
from governance.realtime import schemas

logger = logging.getLogger(__name__)

K = NotificationKind
GRID_ROLES = (Role.OFFICER, Role.LEAD_OFFICER)
LEADER_ROLES = (Role.LEADER, Role.SUPERVISOR)


# --- who ------------------------------------------------------------------------------------


def _grid_officers(case: Case) -> Iterable[User]:
    if case.grid_id is None:  # unrouted: the city's queue is watched by its dispatchers
        code = case.area_path.strip("/").split("/")[0]
        return User.objects.filter(
            assignments__area__code=code, assignments__role__in=(Role.DISPATCHER, *LEADER_ROLES)
        )
    return User.objects.filter(assignments__area_id=case.grid_id, assignments__role__in=GRID_ROLES)


def _department_members(case: Case) -> Iterable[User]:
    if case.assignee_department_id is None:
        return User.objects.filter(pk=case.assignee_id) if case.assignee_id else []
    return User.objects.filter(
        Q(groups__department__pk=case.assignee_department_id) | Q(pk=case.assignee_id)
    )


def _leaders_of(code: str) -> Iterable[User]:
    area = Area.objects.filter(code=code).first()
    if area is None:
        return []
    return User.objects.filter(
        pk__in=Assignment.objects.filter(area=area, role__in=LEADER_ROLES).values("user")
    )


def recipients(case: Case, event: CaseEvent) -> list[tuple[str, User]]:
    """(notification kind, person) pairs for one timeline entry, the actor left out."""
    found: list[tuple[str, Iterable[User]]] = []
    if event.kind == EventKind.SUBMITTED:
        found.append((K.CASE_CREATED, _grid_officers(case)))
    elif event.kind == EventKind.DISPATCHED:
        found.append((K.DISPATCHED, _department_members(case)))
    elif event.kind == EventKind.REWORK:
        found.append((K.STATUS_CHANGED, _department_members(case)))
    elif event.kind == EventKind.ESCALATED:
        found.append((K.ESCALATED, _leaders_of(str(event.data.get("to", "")))))
        if event.data.get("overdue"):
            found.append((K.OVERDUE, _department_members(case) or _grid_officers(case)))
    elif event.kind == EventKind.WARNED:
        people = list(_department_members(case)) or list(_grid_officers(case))
        found.append((K.DUE_SOON, people))
    changed = event.from_status != event.to_status and event.kind != EventKind.SUBMITTED
    if event.public and changed and case.reporter_id:
        found.append((K.STATUS_CHANGED, User.objects.filter(pk=case.reporter_id)))
    seen: set[tuple[str, int]] = set()
    pairs: list[tuple[str, User]] = []
    for kind, people in found:
        for person in people:
            if person.pk == event.actor_id or (kind, person.pk) in seen or not person.is_active:
                continue
            seen.add((kind, person.pk))
            pairs.append((kind, person))
    # Never tell anyone about what they can't see: one check for everybody, not one each.
    allowed = viewers({person.pk: person for _kind, person in pairs}.values(), case)
    return [(kind, person) for kind, person in pairs if person.pk in allowed]


# --- what -----------------------------------------------------------------------------------


def _texts(kind: str, case: Case, event: CaseEvent) -> tuple[str, str]:
    values = {
        "id": case.tracking_id,
        "category": case.category.display_name,
        "status": case.get_status_display(),
    }
    titles = {
        K.CASE_CREATED: _("New case %(id)s: %(category)s"),
        K.STATUS_CHANGED: _("Case %(id)s is now %(status)s"),
        K.DISPATCHED: _("Case %(id)s was dispatched to your department"),
        K.ESCALATED: _("Case %(id)s was escalated to you"),
        K.DUE_SOON: _("Case %(id)s is nearing its time limit"),
        K.OVERDUE: _("Case %(id)s is past its time limit"),
    }
    body = event.note if event.public else ""
    return titles[kind] % values, body


def preferences_for(user: User, kind: str) -> dict[str, bool]:
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if row is None:
        return NotificationPreference.defaults_for(kind)
    return {"in_app": row.in_app, "email": row.email, "sms": row.sms}


def _preferences(pairs: list[tuple[str, User]]) -> dict[tuple[str, int], dict[str, bool]]:
    """`preferences_for` of every (kind, person) pair, in one query."""
    rows = NotificationPreference.objects.filter(
        user__in={person.pk for _kind, person in pairs}, kind__in={kind for kind, _p in pairs}
    )
    chosen = {
        (row.kind, row.user_id): {"in_app": row.in_app, "email": row.email, "sms": row.sms}
        for row in rows
    }
    return {
        (kind, person.pk): chosen.get((kind, person.pk))
        or NotificationPreference.defaults_for(kind)
        for kind, person in pairs
    }


def _new(
    *, user: User, kind: str, case: Case | None, title: str, body: str, wants: dict[str, bool]
) -> Notification:
    return Notification(
        user=user,
        kind=kind,
        case=case,
        title=title[:200],
        body=body,
        created_at=clock.now(),
        in_app=wants["in_app"],
        email_wanted=wants["email"] and bool(user.email),
        sms_wanted=wants["sms"] and bool(user.phone),
    )


def pushes(notifications: list[Notification]) -> list[tuple[int, dict]]:
    """(person, socket message) of each in-app notification, to push after commit.

    The unread counts are read now, inside the transaction that wrote the rows (one query for
    everybody), as the centre shows them once it commits.
    """
    shown = [n for n in notifications if n.in_app]
    unread = _unread_counts({n.user_id for n in shown})
    return [(n.user_id, push_message(n, unread=unread.get(n.user_id, 0))) for n in shown]


def _after_commit(notifications: list[Notification], *, push: bool = True) -> None:
    """Queue the e-mail/SMS deliveries after commit and, if `push`, the pages' pushes."""
    if push:
        events.notifications_on_commit(pushes(notifications))
    for notification in notifications:
        if notification.email_wanted or notification.sms_wanted:
            transaction.on_commit(partial(queue_delivery, notification.pk))


def notify(*, user: User, kind: str, case: Case | None, title: str, body: str = "") -> Notification:
    """Record one notification now (call inside the change's transaction); deliver after commit."""
    wants = preferences_for(user, kind)
    notification = _new(user=user, kind=kind, case=case, title=title, body=body, wants=wants)
    notification.save()
    _after_commit([notification])
    return notification


def notify_case_event(case: Case, event: CaseEvent, *, push: bool = True) -> list[Notification]:
    """Record everybody's notifications of one timeline entry: a query for who (and one to
    check they may see the case), one for their preferences, one insert for all the rows.

    `push=False`: the caller pushes `pushes(...)` of the result itself, after commit, with the
    case's own messages (one trip to the channel layer for everything).
    """
    pairs = recipients(case, event)
    if not pairs:
        return []
    wants = _preferences(pairs)
    created = []
    for kind, person in pairs:
        with translation.override(person.preferred_language or "zh-hans"):
            title, body = _texts(kind, case, event)
        created.append(
            _new(
                user=person,
                kind=kind,
                case=case,
                title=title,
                body=body,
                wants=wants[(kind, person.pk)],
            )
        )
    Notification.objects.bulk_create(created)
    _after_commit(created, push=push)
    return created


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def _unread_counts(user_ids: set[int]) -> dict[int, int]:
    """`unread_count` of several people, in one query."""
    if not user_ids:
        return {}
    rows = (
        Notification.objects.filter(user__in=user_ids, in_app=True, read_at__isnull=True)
        .values_list("user")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def push_message(notification: Notification, *, unread: int | None = None) -> dict:
    """The socket message of a notification; `unread` when the caller counted it already."""
    return schemas.validate(
        {
            "kind": schemas.NOTIFICATION,
            "id": notification.pk,
            "notification_kind": notification.kind,
            "title": notification.title,
            "tracking_id": notification.case.tracking_id if notification.case_id else None,
            "unread": unread_count(notification.user) if unread is None else unread,
            "at": notification.created_at.isoformat(),
        }
    )


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read; returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=clock.now())


# --- delivery -------------------------------------------------------------------------------


def queue_delivery(notification_id: int) -> None:
    """Queue the e-mail/SMS delivery task; a broker that is down leaves it pending, not lost."""
    from citizens.tasks import deliver_notification

    enqueue(deliver_notification, notification_id)  # broker down: requeue_pending catches up


def deliver(notification_id: int) -> None:
    """Send a notification's pending e-mail and SMS, each at most once (claimed by a row update)."""
    notification = Notification.objects.filter(pk=notification_id).select_related("user").first()
    if notification is None:
        return
    user = notification.user
    link = reverse("citizens:notifications")
    if notification.email_wanted and _claim(notification_id, "emailed_at"):
        try:
            send_mail(
                notification.title,
                f"{notification.body}\n\n{link}".strip(),
                None,
                [user.email],
            )
        except Exception:
            _release(notification_id, "emailed_at")
            raise
    if notification.sms_wanted and _claim(notification_id, "texted_at"):
        try:
            sms.gateway().send(phone=user.phone, text=notification.title)
        except Exception:
            _release(notification_id, "texted_at")
            raise


def _claim(notification_id: int, column: str) -> bool:
    return bool(
        Notification.objects.filter(pk=notification_id, **{f"{column}__isnull": True}).update(
            **{column: clock.now()}
        )
    )


def _release(notification_id: int, column: str) -> None:
    Notification.objects.filter(pk=notification_id).update(**{column: None})


def pending(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    cutoff = clock.now() - older_than
    return list(
        Notification.objects.filter(
            Q(email_wanted=True, emailed_at__isnull=True)
            | Q(sms_wanted=True, texted_at__isnull=True),
            created_at__lte=cutoff,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def requeue_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue every delivery still pending (e.g. queued while the broker was down)."""
    ids = pending(older_than)
    for notification_id in ids:
        queue_delivery(notification_id)
    return len(ids)


def set_preferences(*, user: User, choices: dict[str, dict[str, bool]]) -> None:
    """Store how the person wants to hear about each kind (in-app, e-mail, SMS)."""
    with transaction.atomic():
        for kind, channels in choices.items():
            if kind not in K.values:
                raise ValueError(kind)
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                defaults={name: bool(channels.get(name)) for name in ("in_app", "email", "sms")},
            )
