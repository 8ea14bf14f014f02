"""What the generated suite shares: the probes, the personas' users, reading an answer, and
judging what it showed against the markers' audiences and the access log."""

from __future__ import annotations

import contextlib
import html
import json
from urllib.parse import quote

import pytest

from governance.models import AccessLog, SharingGrant
from tests.permissions.planted import ANY, AUDIENCES, Marker, Planted
from tests.permissions.routes import Probe, Route, generate

GENERATED = generate()
REPORTER_PERSONA = "citizen"  # the planted cases' reporter
# Admin pages about accounts and what belongs to them (not about a case): they name accounts.
ACCOUNT_MODELS = {
    "citizens.user",
    "notifications.notification",
    "notifications.notificationpreference",
    "governance.accesslog",
    "governance.assignment",
    "governance.areauserobjectpermission",
    "authtoken.tokenproxy",
    "auth.group",
    "governance.department",  # its member picker lists every account
}


def marked(probes: list[Probe]) -> list:
    """One test per probe (every persona inside it), named by the probe."""
    return [pytest.param(probe, id=probe.key) for probe in probes]


def user_of(persona: str, people, scenario):
    """The persona's account (None: anonymous); the clerk's grant with or without personal
    data as the persona says."""
    if persona in ("granted_clerk", "granted_clerk_pd"):
        SharingGrant.objects.filter(pk=scenario.grant.pk).update(
            with_personal_data=persona == "granted_clerk_pd"
        )
    if persona in ("granted_clerk", "granted_clerk_pd"):
        return people.other_clerk
    return getattr(people, persona, None)


def text_of(response, path: str) -> str:
    """Everything the answer says, with entities and JSON escapes undone; the requested path
    (echoed in sign-in redirects and the language switch) taken out."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", errors="replace")
    texts = [body, html.unescape(body)]
    with contextlib.suppress(ValueError):
        texts.append(json.dumps(json.loads(body), ensure_ascii=False))
    text = "\n".join(texts)
    for echoed in (path, quote(path), quote(path, safe="")):
        text = text.replace(echoed, "<the requested path>")
    return text


def violations(
    persona: str,
    user,
    planted: Planted,
    text: str,
    *,
    served: str | None,
    route: Route,
    logs: list[AccessLog],
) -> list[tuple[str, str]]:
    """(marker, what went wrong) for each marker shown to a persona outside its audience, or
    shown to one inside it (not the reporter) without an access-log row naming the field."""
    found = []
    for marker in planted.markers:
        if marker.name == "reporter's account name" and route.model in ACCOUNT_MODELS:
            continue  # the admin's account pages name every account (not case data)
        if marker.only_on is not None and route.name not in marker.only_on:
            continue
        shown = served == marker.variant if marker.served else any(v in text for v in marker.values)
        if not shown:
            continue
        if persona not in AUDIENCES[marker.audience]:
            found.append((marker.name, "shown to a persona outside its audience"))
        elif (
            marker.log_field
            and persona != REPORTER_PERSONA
            and not _logged(marker, user, planted, logs)
        ):
            found.append(
                (marker.name, f"shown without an access-log row naming {marker.log_field}")
            )
    return found


def _logged(marker: Marker, user, planted: Planted, logs: list[AccessLog]) -> bool:
    cases = (
        {c.pk for c in planted.cases.values()}
        if marker.variant == ANY
        else {planted.cases[marker.variant].pk}
    )
    return any(
        row.user_id == user.pk and row.case_id in cases and marker.log_field in row.fields
        for row in logs
    )


def judge(key: str, found: dict[str, list[tuple[str, str]]]) -> None:
    """Fail on every violation: a marker shown to a persona not entitled to it, or shown to an
    entitled one without its access-log row."""
    violated = [(p, m, why) for p, items in found.items() for m, why in items]
    assert not violated, f"{key}: " + "; ".join(f"{m} {why} ({p})" for p, m, why in violated)
