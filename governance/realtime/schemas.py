"""The realtime event kinds and their schemas: one place, used by the sender and the tests.

Every message pushed to a WebSocket is a flat JSON object with a `kind` and the fields its kind
declares here — no more, no fewer. Case events never carry personal data: the case is named by
its public tracking id (Open311's service_request_id) and its location is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Schema:
    kind: str
    fields: dict[str, tuple[type, ...]]
    public: bool  # may go to the anonymous public feed


_CASE = {
    "kind": (str,),
    "tracking_id": (str,),
    "category": (str,),
    "status": (str,),
    "event": (str,),
    "lon": (float,),
    "lat": (float,),
    "at": (str,),
}
_DUE = {
    "kind": (str,),
    "tracking_id": (str,),
    "category": (str,),
    "status": (str,),
    "due_at": (str,),
    "at": (str,),
}

CASE_CREATED = "case.created"
CASE_TRANSITIONED = "case.transitioned"
CASE_ESCALATED = "case.escalated"
CASE_DUE_SOON = "case.due_soon"
CASE_OVERDUE = "case.overdue"
NOTIFICATION = "notification"
BROADCAST = "broadcast"

SCHEMAS: dict[str, Schema] = {
    CASE_CREATED: Schema(CASE_CREATED, _CASE, public=True),
    CASE_TRANSITIONED: Schema(CASE_TRANSITIONED, _CASE, public=True),
    CASE_ESCALATED: Schema(CASE_ESCALATED, {**_CASE, "level": (int,)}, public=False),
    CASE_DUE_SOON: Schema(CASE_DUE_SOON, _DUE, public=False),
    CASE_OVERDUE: Schema(CASE_OVERDUE, _DUE, public=False),
    NOTIFICATION: Schema(
        NOTIFICATION,
        {
            "kind": (str,),
            "id": (int,),
            "notification_kind": (str,),
            "title": (str,),  # in the person's preferred language; pages word their own
            "tracking_id": (str, type(None)),
            "status": (str,),  # the case's status the notification tells of ("" without one)
            "unread": (int,),
            "at": (str,),
        },
        public=False,
    ),
    BROADCAST: Schema(BROADCAST, {"kind": (str,), "text": (str,), "at": (str,)}, public=False),
}

CASE_KINDS = frozenset(
    {CASE_CREATED, CASE_TRANSITIONED, CASE_ESCALATED, CASE_DUE_SOON, CASE_OVERDUE}
)


class InvalidEvent(ValueError):
    """A message that does not match its kind's schema: a programming error, never sent."""


def validate(message: dict[str, Any]) -> dict[str, Any]:
    """Return `message` unchanged when it matches its kind's schema exactly, else raise."""
    kind = message.get("kind")
    schema = SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise InvalidEvent(f"unknown event kind {kind!r}")
    missing = set(schema.fields) - set(message)
    extra = set(message) - set(schema.fields)
    if missing or extra:
        raise InvalidEvent(f"{kind}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for name, types in schema.fields.items():
        value = message[name]
        if isinstance(value, bool) or not isinstance(value, types):
            raise InvalidEvent(f"{kind}.{name}: {type(value).__name__} is not {types}")
    return message
