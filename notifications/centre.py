"""The notification centre's service: who is told what about a case change, and delivery.

`notify_case_events` is the centre's subscriber of the domain's events (`subscriber.py`): it
runs in the outbox's relay after the change committed (one change, or the time-limit sweep's
batch), writes the rows once per (entry, person, kind) however often the relay hands it the
same entries, and returns the pushes to each person's open pages; the e-mail/SMS delivery
tasks follow. If Redis is down the relay keeps the row and delivers it later; nothing is lost,
and `requeue_pending` (run by the time-limit sweep) queues any delivery still pending.
`notify` records a single notification inside the caller's transaction (a notice that is not a
case change).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import translation

from governance import clock, events, outbox
from governance.access import Action, may_each
from governance.addresses import absolute
from governance.models import (
    Area,
    Assignment,
    Audience,
    Case,
    CaseEvent,
    EventKind,
    Level,
    OutboxMessage,
    Role,
)
from governance.queueing import enqueue
from governance.realtime import schemas
from governance.scope import scope_of
from notifications import messages, sending, sms, unread
from notifications.models import Notification, NotificationKind, NotificationPreference

User = get_user_model()
logger = logging.getLogger(__name__)

K = NotificationKind
# The e-mail/SMS delivery task (`notifications.tasks`), named as when it lived in citizens.
DELIVER_TASK = "citizens.tasks.deliver_notification"
GRID_ROLES = (Role.OFFICER, Role.LEAD_OFFICER)
LEADER_ROLES = (Role.LEADER, Role.SUPERVISOR)


# --- who ------------------------------------------------------------------------------------


def _tells_reporter(case: Case, event: CaseEvent) -> bool:
    """A public change of state is told to the case's reporter (filing it is not a change)."""
    changed = event.from_status != event.to_status and event.kind != EventKind.SUBMITTED
    return event.audience != Audience.INTERNAL and changed and case.reporter_id is not None


def _overdue_or_warned(event: CaseEvent) -> bool:
    return event.kind == EventKind.WARNED or (
        event.kind == EventKind.ESCALATED and bool(event.data.get("overdue"))
    )


def _tells_department(event: CaseEvent) -> bool:
    """Whether `recipients` may ask for the case's department members (or its assignee)."""
    return event.kind in (EventKind.DISPATCHED, EventKind.REWORK) or _overdue_or_warned(event)


def _tells_grid(event: CaseEvent) -> bool:
    """Whether `recipients` may ask for the case's grid officers (or its city's dispatchers)."""
    return event.kind == EventKind.SUBMITTED or _overdue_or_warned(event)


def recipients(
    case: Case, event: CaseEvent, people: PeopleAround | None = None
) -> list[tuple[str, User]]:
    """(notification kind, person) pairs for one timeline entry, the actor left out.

    `people`: who holds which role around the case, looked up for a batch of changes at once;
    by default for this change alone.
    """
    people = people or PeopleAround([(case, event)])
    found: list[tuple[str, Iterable[User]]] = []
    if event.kind == EventKind.SUBMITTED:
        found.append((K.CASE_CREATED, people.grid_officers(case)))
    elif event.kind == EventKind.DISPATCHED:
        found.append((K.DISPATCHED, people.department_members(case)))
    elif event.kind == EventKind.REWORK:
        found.append((K.STATUS_CHANGED, people.department_members(case)))
    elif event.kind == EventKind.ESCALATED:
        found.append((K.ESCALATED, people.leaders_of(str(event.data.get("to", "")))))
        if event.data.get("overdue"):
            found.append((K.OVERDUE, people.department_members(case) or people.grid_officers(case)))
    elif event.kind == EventKind.WARNED:
        members = list(people.department_members(case)) or list(people.grid_officers(case))
        found.append((K.DUE_SOON, members))
    if _tells_reporter(case, event):
        found.append((K.STATUS_CHANGED, people.reporter(case)))
    seen: set[tuple[str, int]] = set()
    pairs: list[tuple[str, User]] = []
    for kind, candidates in found:
        for person in candidates:
            if person.pk == event.actor_id or (kind, person.pk) in seen or not person.is_active:
                continue
            if not people.may_view(person, case):  # never tell anyone about what they can't see
                continue
            seen.add((kind, person.pk))
            pairs.append((kind, person))
    return pairs


class PeopleAround:
    """Who holds which role around the cases of some changes, each question asked once for
    all of them: a single change (filing a case) or the sweep's hundreds.

    A question no change needs is not asked; the access check is `may_each` over every
    candidate at once (two queries). Filing a case costs its grid's officers, then the check.
    """

    def __init__(self, changes: Sequence[tuple[Case, CaseEvent]]) -> None:
        watched = [case for case, event in changes if _tells_grid(event)]
        codes = {str(e.data.get("to", "")) for _c, e in changes if e.kind == EventKind.ESCALATED}
        self._leaders: dict[str, list[User]] = {code: [] for code in codes}
        first_area: dict[str, int] = {}
        for area_id, code in Area.objects.filter(code__in=codes).values_list("pk", "code"):
            first_area.setdefault(code, area_id)  # the first by path, as `.first()` would
        code_of = {area_id: code for code, area_id in first_area.items()}
        leaders = (
            Assignment.objects.filter(area__in=code_of, role__in=LEADER_ROLES)
            .select_related("user")
            .order_by("user_id")
        )
        for assignment in leaders:
            found = self._leaders[code_of[assignment.area_id]]
            if all(u.pk != assignment.user_id for u in found):
                found.append(assignment.user)
        told = [case for case, event in changes if _tells_department(event)]
        self._departments: dict[int, list[User]] = {}
        departments = {c.assignee_department_id for c in told if c.assignee_department_id}
        for user in User.objects.filter(groups__department__pk__in=departments).annotate(
            department_pk=F("groups__department__pk")
        ):
            self._departments.setdefault(user.department_pk, []).append(user)
        assignees = {c.assignee_id for c in told if c.assignee_id}
        reporters = {c.reporter_id for c, e in changes if _tells_reporter(c, e)}
        self._users = {u.pk: u for u in User.objects.filter(pk__in=assignees | reporters)}
        self._grids: dict[int, list[User]] = {}
        grids = {c.grid_id for c in watched if c.grid_id is not None}
        for user in User.objects.filter(
            assignments__area_id__in=grids, assignments__role__in=GRID_ROLES
        ).annotate(grid=F("assignments__area_id")):
            self._grids.setdefault(user.grid, []).append(user)
        self._cities: dict[str, list[User]] = {}
        cities = {c.area_path.strip("/").split("/")[0] for c in watched if c.grid_id is None}
        # The city's unrouted queue is worked by the dispatchers (and leaders) of the city and
        # of each of its districts (`access.unrouted_cities`): all of them are told.
        in_cities = Q(pk__in=[])
        for code in sorted(cities):
            in_cities |= Q(assignments__area__path__startswith=f"/{code}/")
        if cities:
            for user in User.objects.filter(
                in_cities,
                assignments__area__level__in=(Level.CITY, Level.DISTRICT),
                assignments__role__in=(Role.DISPATCHER, *LEADER_ROLES),
            ).annotate(area_path=F("assignments__area__path")):
                city = user.area_path.strip("/").split("/")[0]
                if all(u.pk != user.pk for u in self._cities.get(city, [])):
                    self._cities.setdefault(city, []).append(user)
        # Ask `recipients` for every candidate first (no access check yet: `_allowed` None),
        # then check them all at once.
        self._allowed: set[tuple[int, int]] | None = None
        candidates = [
            (person, case)
            for case, event in changes
            for _kind, person in recipients(case, event, self)
        ]
        self._allowed = may_each(candidates, Action.VIEW)

    def leaders_of(self, code: str) -> Iterable[User]:
        return self._leaders.get(code, [])

    def department_members(self, case: Case) -> Iterable[User]:
        members = list(self._departments.get(case.assignee_department_id, []))
        if case.assignee_department_id is None:
            members = []
        if case.assignee_id and case.assignee_id in self._users:
            members.append(self._users[case.assignee_id])
        return members

    def grid_officers(self, case: Case) -> Iterable[User]:
        """The grid's officers; an unrouted case's city queue is watched by its dispatchers."""
        if case.grid_id is None:
            return self._cities.get(case.area_path.strip("/").split("/")[0], [])
        return self._grids.get(case.grid_id, [])

    def reporter(self, case: Case) -> Iterable[User]:
        return [self._users[case.reporter_id]] if case.reporter_id in self._users else []

    def may_view(self, person: User, case: Case) -> bool:
        return self._allowed is None or (person.pk, case.pk) in self._allowed


# --- what -----------------------------------------------------------------------------------


def params_of(case: Case) -> dict[str, str]:
    """What a case notification's title is made of, kept with the row and rendered in the
    reader's language whenever it is read (`Notification.display_title`)."""
    return {
        "id": case.tracking_id,
        "category": case.category.name,
        "category_en": case.category.name_en,
        "status": case.status,
    }


def _body(event: CaseEvent) -> str:
    # The note only when its audience takes in the reporter: a body may go out by e-mail or SMS.
    return event.note if event.audience != Audience.INTERNAL else ""


def _title(kind: str, params: dict[str, str], language: str) -> str:
    """The title as stored (for old readers and exports): in the person's own language."""
    with translation.override(language):
        return Notification(kind=kind, params=params).display_title


# Kinds that ignore quiet preferences: an emergency notice (or a plan's task) always reaches the
# person in the site, by e-mail and by SMS when they have an address and a phone (the
# preferences page says so instead of offering the choice).
ALWAYS_DELIVERED = frozenset({K.EMERGENCY_NOTICE, K.EMERGENCY_TASK})
EVERY_CHANNEL = {"in_app": True, "email": True, "sms": True}


def preferences_for(user: User, kind: str) -> dict[str, bool]:
    if kind in ALWAYS_DELIVERED:
        return dict(EVERY_CHANNEL)
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if row is None:
        return NotificationPreference.defaults_for(kind)
    return {"in_app": row.in_app, "email": row.email, "sms": row.sms}


def notify(
    *,
    user: User,
    kind: str,
    case: Case | None,
    title: str = "",
    body: str = "",
    params: dict[str, str] | None = None,
) -> Notification:
    """Record one notification now (call inside the change's transaction); deliver after commit.

    `params` (default: the case's, `params_of`) make the title, rendered when read; `title` is
    kept as written, shown only where there are no `params`."""
    wants = preferences_for(user, kind)
    params = params if params is not None else (params_of(case) if case else {})
    language = user.preferred_language or "zh-hans"
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        case=case,
        title=(title or _title(kind, params, language))[:200],
        params=params,
        body=body,
        created_at=clock.now(),
        in_app=wants["in_app"],
        email_wanted=wants["email"] and bool(user.email),
        sms_wanted=wants["sms"] and bool(user.phone),
    )
    unread.forget([user.pk])
    if notification.in_app:
        events.notification_on_commit(user.pk, push_message(notification))
    outbox.add(deliveries([notification]))
    return notification


def notify_case_events(
    changes: Sequence[tuple[Case, CaseEvent]],
) -> tuple[list[Notification], list[tuple[int, dict]]]:
    """Everybody's notifications of some timeline entries (one change, or the time-limit
    sweep's batch), written once: an entry handed over again writes nothing twice.

    Who is told (`PeopleAround`), their preferences (one query), the rows (one INSERT that
    skips what exists), the rows of these entries read back, and the unread counts the pushes
    carry (one query), however many people and changes. Returns the entries' notifications
    (those written before too: their pushes and deliveries are harmless to repeat) and the
    pushes for the caller to send with the changes' own messages.
    """
    people = PeopleAround(changes)
    planned: list[tuple[User, str, Case, CaseEvent, dict[str, str], str]] = []
    for case, event in changes:
        params = {**params_of(case), "status": event.to_status or case.status}
        for kind, person in recipients(case, event, people):
            planned.append((person, kind, case, event, params, _body(event)))
    if not planned:
        return [], []
    stored = {
        (row.user_id, row.kind): {"in_app": row.in_app, "email": row.email, "sms": row.sms}
        for row in NotificationPreference.objects.filter(
            user__in={p[0].pk for p in planned}, kind__in={p[1] for p in planned}
        )
    }
    now = clock.now()
    rows = []
    titles: dict[tuple, str] = {}  # the same for each reader of a language
    for person, kind, case, event, params, body in planned:
        wants = stored.get((person.pk, kind)) or NotificationPreference.defaults_for(kind)
        if kind in ALWAYS_DELIVERED:
            wants = EVERY_CHANNEL
        language = person.preferred_language or "zh-hans"
        key = (language, kind, *sorted(params.items()))
        if key not in titles:
            titles[key] = _title(kind, params, language)
        rows.append(
            Notification(
                user=person,
                kind=kind,
                case=case,
                event=event,
                title=titles[key][:200],
                params=params,
                body=body,
                created_at=now,
                in_app=wants["in_app"],
                email_wanted=wants["email"] and bool(person.email),
                sms_wanted=wants["sms"] and bool(person.phone),
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    users = {person.pk: person for person, *_rest in planned}
    cases = {case.pk: case for _p, _k, case, *_rest in planned}
    notifications = list(
        Notification.objects.filter(event__in=[event.pk for _c, event in changes])
        .filter(user__in=users)
        .order_by("pk")
    )
    for notification in notifications:  # the objects at hand: no query per row
        notification.user = users[notification.user_id]
        notification.case = cases[notification.case_id]
    unread.forget(users)
    # The unread count each push carries, as if they were written one by one.
    ids = [n.pk for n in notifications]
    counts = dict(
        Notification.objects.filter(user__in=users, in_app=True, read_at__isnull=True)
        .exclude(pk__in=ids)
        .order_by()
        .values_list("user")
        .annotate(count=Count("pk"))
    )
    pushes = []
    for notification in notifications:
        if notification.in_app and notification.read_at is None:
            counts[notification.user_id] = counts.get(notification.user_id, 0) + 1
            pushes.append((notification.user_id, _push(notification, counts[notification.user_id])))
    return notifications, pushes


def deliveries(notifications: Iterable[Notification]) -> list[OutboxMessage]:
    """The outbox tasks that send these notifications' e-mail and SMS (unsaved rows)."""
    return [
        outbox.task(DELIVER_TASK, n.pk) for n in notifications if n.email_wanted or n.sms_wanted
    ]


def unread_count(user: User) -> int:
    """The person's unread notifications (kept in the cache until one is written or read)."""
    if not user.is_authenticated:
        return 0
    return unread.count(user.pk)


def push_message(notification: Notification) -> dict:
    return _push(notification, unread_count(notification.user))


def _push(notification: Notification, unread: int) -> dict:
    # The person's open pages: their own language (a page shows it again when reloaded).
    with translation.override(notification.user.preferred_language or "zh-hans"):
        title = notification.display_title
    return schemas.validate(
        {
            "kind": schemas.NOTIFICATION,
            "id": notification.pk,
            "notification_kind": notification.kind,
            "title": title,
            "tracking_id": notification.case.tracking_id if notification.case_id else None,
            "status": str(notification.params.get("status", "")),
            "unread": unread,
            "at": notification.created_at.isoformat(),
        }
    )


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read; returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    changed = rows.update(read_at=clock.now())
    if changed:
        unread.forget([user.pk])
    return changed


# --- delivery -------------------------------------------------------------------------------


def queue_delivery(notification_id: int) -> None:
    """Queue the e-mail/SMS delivery task; a broker that is down leaves it pending, not lost."""
    from celery import current_app

    task = current_app.tasks.get(DELIVER_TASK)
    if task is None:  # this process has not loaded the tasks yet
        from importlib import import_module

        import_module("notifications.tasks")
        task = current_app.tasks[DELIVER_TASK]
    enqueue(task, notification_id)  # broker down: requeue_pending catches up


def reader_link(notification: Notification) -> str:
    """The absolute address of the page the notification's reader acts on: their request's
    page for its reporter, the staff case page for staff, a notice's own page (an emergency
    notice's personal answer link, `params["link"]`), the notification centre otherwise."""
    case = notification.case
    if case is None:
        return notification.params.get("link") or absolute(reverse("citizens:notifications"))
    if notification.kind == K.STATUS_CHANGED and case.reporter_id == notification.user_id:
        return absolute(reverse("citizens:request", args=[case.tracking_id]))
    return absolute(reverse("governance:case", args=[case.tracking_id]))


def compose(notification: Notification) -> messages.Composed:
    """The notification as an e-mail and an SMS, in its person's language at sending time."""
    user = notification.user
    language = user.preferred_language or "zh-hans"
    with translation.override(language):
        title = notification.display_title
    link = reader_link(notification)
    preferences = absolute(reverse("citizens:notifications-preferences"))
    case = notification.case
    if case is None:
        link_part = "" if link in notification.body else link
        body = "\n\n".join(part for part in (title, notification.body, link_part) if part)
        return messages.Composed(subject=title, body=body + "\n", sms=f"{title} {link}")
    return messages.compose(
        case=case,
        language=language,
        headline=title,
        status=str(notification.params.get("status") or case.status),
        link=link,
        manage_link=preferences,
        unsubscribe=False,
        note=notification.body,
    )


def deliver(notification_id: int) -> None:
    """Send a notification's pending e-mail and SMS, each at most once (claimed by a row update)."""
    notification = (
        Notification.objects.filter(pk=notification_id)
        .select_related("user", "case__category")
        .first()
    )
    if notification is None:
        return
    user = notification.user
    if notification.email_wanted and sending.claim(Notification, notification_id, "emailed_at"):
        try:
            composed = compose(notification)
            send_mail(composed.subject, composed.body, None, [user.email])
        except Exception:
            sending.release(Notification, notification_id, "emailed_at")
            raise
    if notification.sms_wanted and sending.claim(Notification, notification_id, "texted_at"):
        try:
            sms.gateway().send(phone=user.phone, text=compose(notification).sms)
        except Exception:
            sending.release(Notification, notification_id, "texted_at")
            raise


def pending(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    return sending.pending(Notification, older_than)


def requeue_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue every delivery still pending (e.g. queued while the broker was down)."""
    ids = pending(older_than)
    for notification_id in ids:
        queue_delivery(notification_id)
    return len(ids)


# What a citizen can be told: only their own requests' changes. Every other kind goes to staff
# (grid officers, dispatchers, departments, leaders: `recipients`).
# Residents who opted in to emergency notices for their home are told of those too.
CITIZEN_KINDS = (K.STATUS_CHANGED, K.FOLLOWED, K.AREA_ALERT, K.CALLBACK, K.EMERGENCY_NOTICE)


def kinds_for(user: User) -> list[str]:
    """The notification kinds this person can receive: every kind for staff (an assignment, a
    department, an area permission, or an administrator), their requests' changes for others."""
    scope = scope_of(user)
    staff = user.is_superuser or scope.assigned or bool(scope.departments) or bool(scope.paths)
    return list(K.values) if staff else list(CITIZEN_KINDS)


def set_preferences(*, user: User, choices: dict[str, dict[str, bool]]) -> None:
    """Store how the person wants to hear about each kind (in-app, e-mail, SMS)."""
    with transaction.atomic():
        for kind, channels in choices.items():
            if kind not in K.values:
                raise ValueError(kind)
            if kind in ALWAYS_DELIVERED:
                continue  # not a choice: emergency notices always reach the person
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                defaults={name: bool(channels.get(name)) for name in ("in_app", "email", "sms")},
            )
