"""WebSocket consumers: what each socket subscribes to, and the check before every message.

Groups are routing only. Authorisation comes from `governance.access` — at connect (refusing
the handshake with 403 when the person may not see what they ask for) and again before every
case event is forwarded, so a permission withdrawn while a page is open takes effect at once.

An open socket keeps as little as it can (thousands are open at once): once subscribed it drops
the person from its scope and keeps their id (a browser not signed in: its `CaseHolder`); each
event's check reads the person again (`governance.cached_users`: from Redis, no query) and their
access (`cases_for`), so a deactivated account or a withdrawn permission stops the messages.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser

from governance.access import Action, Person, area_paths, cases_for, holder_or_user, may
from governance.cached_users import cached_user
from governance.models import Area, Case, Department
from governance.realtime import groups, schemas


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins the groups `subscriptions` names, or refuses the handshake when it returns None."""

    groups_joined: list[str]

    async def subscriptions(self) -> list[str] | None:
        raise NotImplementedError

    async def allowed(self, message: dict[str, Any]) -> bool:
        raise NotImplementedError

    async def connect(self) -> None:
        self.groups_joined = []
        names = await self.subscriptions()
        # Who is listening was read for the subscriptions: from here on the socket holds only
        # what `kept_person` kept (the scope's user and session go).
        self.scope.pop("user", None)
        self.scope.pop("session", None)
        if names is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        for group in names:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Clients only listen; anything they send is ignored unread (never parsed as JSON, so
        a malformed or 100,000-deep message cannot break the socket)."""

    async def event_push(self, message: dict[str, Any]) -> None:
        payload = message["payload"]
        if payload.get("kind") in schemas.SCHEMAS and await self.allowed(payload):
            await self.send_json(payload)

    @property
    def user(self):
        """The person as the handshake found them (until subscribed; then `kept_person`)."""
        return self.scope.get("user")


Kept = int | Person | None


def kept_person(person: Person | None) -> Kept:
    """What a socket keeps of who listens: a signed-in person's id, else the (small) anonymous
    person or `CaseHolder` itself."""
    if person is not None and person.is_authenticated:
        return person.pk
    return person


def person_now(kept: Kept) -> Person:
    """The listening person as they are now: an account read again (an account deleted since
    counts as anonymous; a deactivated one sees nothing, `access.case_filter`)."""
    if isinstance(kept, int):
        return cached_user(kept) or AnonymousUser()
    return kept if kept is not None else AnonymousUser()


class PublicFeedConsumer(LiveConsumer):
    """/ws/live/: the anonymised public feed, one message per new or changed public case."""

    async def subscriptions(self) -> list[str] | None:
        return [groups.PUBLIC_GROUP]

    async def allowed(self, message: dict[str, Any]) -> bool:
        return schemas.SCHEMAS[message["kind"]].public


@database_sync_to_async
def _queue_groups(user) -> list[str] | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        codes = list(Area.objects.filter(parent=None).values_list("code", flat=True))
    else:
        codes = [p.strip("/").split("/")[-1] for p in area_paths(user, "see_cases")]
    names = [groups.area_group(code) for code in codes]
    names += [
        groups.department_group(pk)
        for pk in Department.objects.filter(group__user=user).values_list("pk", flat=True)
    ]
    return names or None


@database_sync_to_async
def _sees(kept: Kept, tracking_id: str) -> bool:
    return cases_for(person_now(kept), Action.VIEW).filter(tracking_id=tracking_id).exists()


class QueueConsumer(LiveConsumer):
    """/ws/queue/: case events of the areas and departments whose cases the person may see."""

    async def subscriptions(self) -> list[str] | None:
        self.person = kept_person(self.user)
        return await _queue_groups(self.user)

    async def allowed(self, message: dict[str, Any]) -> bool:
        if message["kind"] not in schemas.CASE_KINDS:
            return False
        return await _sees(self.person, message["tracking_id"])


@database_sync_to_async
def _case_for(scope: dict[str, Any], tracking_id: str) -> tuple[Any, Case | None, bool]:
    """Who asks (a browser not signed in holding the request is its `CaseHolder`), the case
    when they may view it, and whether they see its internal entries."""
    user = holder_or_user(scope.get("user"), scope.get("session"))  # reads the session: sync
    case = cases_for(user, Action.VIEW).filter(tracking_id=tracking_id).first()
    if case is None:
        return user, None, False
    internal = case.reporter_id != user.pk or may(user, Action.REPORT, case)
    return user, case, internal


class CaseConsumer(LiveConsumer):
    """/ws/cases/<tracking_id>/: one case's timeline, for whoever may view the case."""

    async def subscriptions(self) -> list[str] | None:
        tracking_id = self.scope["url_route"]["kwargs"]["tracking_id"]
        person, case, self.internal = await _case_for(self.scope, tracking_id)
        self.person = kept_person(person)
        if case is None:
            return None
        self.tracking_id = case.tracking_id
        if self.internal:
            return [groups.case_group(case.pk)]
        return [groups.case_reporter_group(case.pk)]  # never sent an internal entry

    async def allowed(self, message: dict[str, Any]) -> bool:
        if message["kind"] not in schemas.CASE_KINDS or message["tracking_id"] != self.tracking_id:
            return False
        if not schemas.SCHEMAS[message["kind"]].public and not self.internal:
            return False
        return await _sees(self.person, self.tracking_id)


class NotificationsConsumer(LiveConsumer):
    """/ws/notifications/: the person's own notifications and site-wide broadcasts."""

    async def subscriptions(self) -> list[str] | None:
        user = self.user
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return [groups.user_group(user.pk), groups.BROADCAST_GROUP]

    async def allowed(self, message: dict[str, Any]) -> bool:
        return message["kind"] in (schemas.NOTIFICATION, schemas.BROADCAST)
