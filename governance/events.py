"""Realtime events, sent from the workflow functions only, and only after commit.

Each case change goes to the groups that care: the case's own timeline, every area on its path
(officers and leaders listen on the areas they may see) and the assigned department; public
changes also go, anonymised, to the public feed. Consumers re-check every case event against
the scoped-access path before forwarding it, so a group is a routing hint, never a permission.

A change writes one outbox row (kind `events`) naming its new timeline entries, in its own
transaction; after commit the outbox's relay hands them to the domain's subscribers: the
realtime pushes here (`push_case_events`), the duplicate check, and whatever other apps
registered (the notification centre, contact messages, followers' alerts). A channel layer
that is down never fails the change itself: the row stays, and the relay delivers it once
Redis is back (the pages also catch up from the database when their socket reconnects).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from governance import clock, outbox
from governance.audience import Audience, text_audience
from governance.models import Case, CaseEvent, EventKind
from governance.privacy import public_point
from governance.public import CaseFacts, TextFacts, public_form
from governance.realtime import schemas
from governance.realtime.groups import (
    BROADCAST_GROUP,
    PUBLIC_GROUP,
    area_group,
    case_group,
    case_reporter_group,
    department_group,
    user_group,
)
from governance.subscribers import push as subscriber_push
from governance.subscribers import queue as subscriber_queue
from governance.subscribers import subscriber

logger = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("governance_events_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Record history without its side effects: no pushes, notifications or queued tasks
    (the demo seeds replaying past months)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    """Whether history is being recorded without side effects (`muted`)."""
    return _muted.get()


def case_groups(case: Case) -> list[str]:
    groups = [case_group(case.pk)]
    groups += [area_group(code) for code in case.area_path.strip("/").split("/") if code]
    if case.assignee_department_id:
        groups.append(department_group(case.assignee_department_id))
    return groups


def _case_kind(event: CaseEvent) -> str:
    if event.kind == EventKind.SUBMITTED:
        return schemas.CASE_CREATED
    if event.kind == EventKind.ESCALATED:
        return schemas.CASE_ESCALATED
    if event.kind == EventKind.WARNED:
        return schemas.CASE_DUE_SOON
    return schemas.CASE_TRANSITIONED


def case_payloads(case: Case, event: CaseEvent) -> list[dict[str, Any]]:
    """The messages one timeline entry produces: anonymised, location rounded, validated."""
    kind = _case_kind(event)
    at = event.created_at.isoformat()
    status = event.to_status or case.status  # the entry's own, however far the case has moved
    if kind == schemas.CASE_DUE_SOON:
        return [schemas.validate(_due_payload(kind, case, status, at))]
    lon, lat = public_point(case)
    payload: dict[str, Any] = {
        "kind": kind,
        "tracking_id": case.tracking_id,
        "category": case.category.code,
        "status": status,
        "event": event.kind,
        "lon": float(lon),
        "lat": float(lat),
        "at": at,
    }
    if kind == schemas.CASE_ESCALATED:
        payload["level"] = int(event.data.get("level", case.escalation_level))
    messages = [schemas.validate(payload)]
    if kind == schemas.CASE_ESCALATED and event.data.get("overdue"):
        messages.append(schemas.validate(_due_payload(schemas.CASE_OVERDUE, case, status, at)))
    return messages


def _due_payload(kind: str, case: Case, status: str, at: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "tracking_id": case.tracking_id,
        "category": case.category.code,
        "status": status,
        "due_at": case.due_at.isoformat() if case.due_at else "",
        "at": at,
    }


def case_changed_on_commit(case: Case, event: CaseEvent) -> None:
    """The side effects of one timeline entry: called by the workflow inside its transaction."""
    cases_changed_on_commit([(case, event)])


def cases_changed_on_commit(changes: Sequence[tuple[Case, CaseEvent]]) -> None:
    """The side effects of timeline entries written in one transaction (one change, or the
    sweep's batch): one outbox row per case naming its new entries, in one INSERT. Everything
    else — the pushes, everybody's notifications, the messages and alerts, the duplicate
    check — the relay makes of it after commit, through the domain's subscribers."""
    if _muted.get() or not changes:
        return
    by_case: dict[int, list[int]] = {}
    for case, event in changes:
        by_case.setdefault(case.pk, []).append(event.pk)
    outbox.add([outbox.events(case_id, ids) for case_id, ids in by_case.items()])


@subscriber("realtime", live=True)
def push_case_events(entries: Sequence[CaseEvent]) -> None:
    """The case messages of each entry to the groups that care (staff of the case's areas and
    department, its reporter's pages, the public feed), as the case stands when relayed."""
    for event in entries:
        case = event.case
        groups = case_groups(case)
        private = case.category.private_location
        reporter = text_audience(event.audience, private_location=private) != Audience.INTERNAL
        # The public feed carries the entries the case's public form shows as steps.
        public = bool(
            public_form(
                CaseFacts.of(case),
                texts=[TextFacts(event.created_at, event.kind, event.audience, event.note)],
            ).steps
        )
        for message in case_payloads(case, event):
            outside = schemas.SCHEMAS[message["kind"]].public
            extra = [case_reporter_group(case.pk)] if reporter and outside else []
            extra += [PUBLIC_GROUP] if public and outside else []
            subscriber_push(groups + extra, message)


@subscriber("duplicates")
def check_new_cases(entries: Sequence[CaseEvent]) -> None:
    """A new case is compared with its neighbours in a task of its own."""
    for event in entries:
        if event.kind == EventKind.SUBMITTED:
            subscriber_queue("governance.tasks.check_duplicates", event.case_id)


def notification_on_commit(user_id: int, message: dict[str, Any]) -> None:
    """Push a persisted notification to its person's sockets after commit."""
    schemas.validate(message)
    outbox.add([outbox.push([([user_group(user_id)], message)])])


def broadcast_on_commit(text: str) -> None:
    """A notice to everyone signed in (maintenance, an emergency): after commit, to all."""
    message = schemas.validate(
        {"kind": schemas.BROADCAST, "text": text, "at": clock.now().isoformat()}
    )
    outbox.add([outbox.push([([BROADCAST_GROUP], message)])])
