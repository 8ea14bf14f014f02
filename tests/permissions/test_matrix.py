"""Every persona against every endpoint: allowed, refused or redacted, and nothing leaks.

A refusal of a case the person may not see is indistinguishable from an unknown id; no answer
short of ALLOWED carries the reporter's contact or the exact private location.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from citizens.models import Subscription
from governance import workflow
from governance.models import Attachment, Case, CaseEvent
from notifications.models import Notification, NotificationKind
from tests.permissions.matrix import (
    ALLOWED,
    ENDPOINTS,
    FORBIDDEN,
    IGNORED,
    OWN_REQUEST,
    PAGES,
    PD_SEERS,
    PERSONAS,
    REDACTED,
    REFUSED,
    SEES_A_STAFF,
    VIEWS,
    Endpoint,
)
from tests.scenario import PRIVATE_POINT, Scenario, token_for
from tests.uploads import photo

PII = {
    "case_a": ["张三", "13800000001", "zs@example.com"],
    "case_a2": ["张三", "13800000001"],
    "case_b": ["李四", "13800000002"],
    "private_case": ["张三", "13800000001", str(PRIVATE_POINT[0]), str(PRIVATE_POINT[1])],
}
EVERY_PII = sorted({v for values in PII.values() for v in values})
UNKNOWN_ID = "000000-ZZZZZZ"


def _client(persona: str, people, scenario: Scenario) -> APIClient:
    client = APIClient()
    if persona == "granted_clerk_pd":
        scenario.grant.with_personal_data = True
        scenario.grant.save()
    user = {
        "granted_clerk": people.other_clerk,
        "granted_clerk_pd": people.other_clerk,
    }.get(persona) or getattr(people, persona, None)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def _path(template: str, scenario: Scenario) -> str:
    return template.format(
        case_a=scenario.case_a.tracking_id,
        case_a2=scenario.case_a2.tracking_id,
        case_b=scenario.case_b.tracking_id,
        private_case=scenario.private_case.tracking_id,
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _call(client, endpoint: Endpoint, scenario: Scenario, path: str | None = None):
    path = path or _path(endpoint.path, scenario)
    if endpoint.method == "GET":
        return client.get(path)
    return client.post(path, endpoint.data, format="json")


CASES = [(e, p) for e in ENDPOINTS for p in PERSONAS]


@pytest.mark.parametrize(("endpoint", "persona"), CASES, ids=[f"{e.name}|{p}" for e, p in CASES])
def test_persona_endpoint(endpoint: Endpoint, persona: str, people, scenario):
    client = _client(persona, people, scenario)
    expected = endpoint.expected[persona]
    response = _call(client, endpoint, scenario)
    body = _body(response)

    if isinstance(expected, set):
        assert response.status_code == 200, body
        ids = {r["id"] for r in response.json()["results"]}
        wanted = {getattr(scenario, name).tracking_id for name in expected}
        assert ids == wanted
        for value in EVERY_PII:
            assert value not in body
        return

    if expected == REFUSED:
        assert response.status_code in (401, 403, 404), body
        if response.status_code == 404 and "{" in endpoint.path:
            # The same answer as for a case that does not exist: nothing leaks.
            unknown = _call(
                client,
                endpoint,
                scenario,
                _path(endpoint.path, scenario)
                .replace(_path("{case_a}", scenario), UNKNOWN_ID)
                .replace(_path("{case_a2}", scenario), UNKNOWN_ID)
                .replace(_path("{case_b}", scenario), UNKNOWN_ID)
                .replace(_path("{private_case}", scenario), UNKNOWN_ID),
            )
            assert unknown.status_code == 404
            assert json.loads(body) == json.loads(_body(unknown))
    elif expected == FORBIDDEN:
        assert response.status_code == 403, body
    else:
        assert 200 <= response.status_code < 300, body

    if endpoint.pii_case == "self":
        return  # the person's own account data
    may_see = endpoint.pii_case and persona in PD_SEERS[endpoint.pii_case]
    if expected == ALLOWED and endpoint.shows_pii:
        for value in PII[endpoint.pii_case]:
            assert value in body, f"{value} should be shown to {persona}"
    shown = set(PII[endpoint.pii_case]) if may_see and 200 <= response.status_code < 300 else set()
    for value in EVERY_PII:
        if value not in shown:
            assert value not in body, f"{value} leaked to {persona} via {endpoint.name}"
    assert expected in (ALLOWED, REDACTED, REFUSED, FORBIDDEN)


# --- Pages ----------------------------------------------------------------------------------

DESCRIPTIONS = {
    "case_a": "垃圾堆在路边",
    "case_a2": "又有垃圾",
    "case_b": "井盖松动",
    "private_case": "申请上门助餐",
}
SCENARIO_CASES = tuple(DESCRIPTIONS)
INTERNAL_NOTE = "内部：联系物业"
LOGIN = "/accounts/login/"
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')


def _setup_file_a(scenario, people):
    workflow.file_case(case_id=scenario.case_a.pk, actor=people.street_leader)


def _setup_resolve_a(scenario, people):
    _setup_file_a(scenario, people)
    workflow.dispatch_case(case_id=scenario.case_a.pk, actor=people.street_leader)
    workflow.start_case(case_id=scenario.case_a.pk, actor=people.clerk)
    workflow.resolve_case(case_id=scenario.case_a.pk, actor=people.clerk, note="已清运")


def _setup_close_a(scenario, people):
    _setup_resolve_a(scenario, people)
    workflow.verify_and_close_case(case_id=scenario.case_a.pk, actor=people.officer_a)


def _setup_internal_note(scenario, people):
    workflow.add_note(
        case_id=scenario.case_a.pk, actor=people.officer_a, text=INTERNAL_NOTE, audience="internal"
    )


def _setup_attachment(scenario, people):
    workflow.add_note(
        case_id=scenario.case_a.pk, actor=people.citizen, text="照片", files=[photo()]
    )


def _setup_notification(scenario, people):
    Notification.objects.create(
        user=people.citizen,
        kind=NotificationKind.STATUS_CHANGED,
        case=scenario.case_a,
        title="您的诉求已受理",
        created_at=timezone.now(),
    )


# Whom a setup lets see a case beyond VIEWS: case A dispatched to the clerk's department.
SEES_AFTER_SETUP = {"resolve_a": {"clerk": {"case_a"}}, "close_a": {"clerk": {"case_a"}}}

SETUPS = {
    "file_a": _setup_file_a,
    "resolve_a": _setup_resolve_a,
    "close_a": _setup_close_a,
    "internal_note": _setup_internal_note,
    "attachment": _setup_attachment,
    "notification": _setup_notification,
}


def _page_values(scenario: Scenario, city) -> dict[str, object]:
    attachment = Attachment.objects.filter(case=scenario.case_a).order_by("pk").last()
    notification = Notification.objects.filter(user__username="citizen").order_by("pk").last()
    return {
        "case_a": scenario.case_a.tracking_id,
        "case_a2": scenario.case_a2.tracking_id,
        "case_b": scenario.case_b.tracking_id,
        "private_case": scenario.private_case.tracking_id,
        "category": city.category.pk,
        "urgent_category": city.urgent_category.pk,
        "attachment": attachment.pk if attachment else 0,
        "notification": notification.pk if notification else 0,
    }


def _fill(value, values: dict):
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value.format(**values) if isinstance(value, str) else value


def _state(scenario: Scenario) -> dict:
    """Everything a page action could change."""
    cases = {
        name: Case.objects.filter(pk=getattr(scenario, name).pk)
        .values(
            "status",
            "escalation_level",
            "rating",
            "merged_into_id",
            "assignee_department_id",
            "assignee_id",
        )
        .get()
        | {"events": CaseEvent.objects.filter(case=getattr(scenario, name)).count()}
        for name in SCENARIO_CASES
    }
    return {
        **cases,
        "new_case": Case.objects.count(),
        "notification": list(Notification.objects.order_by("pk").values_list("read_at", flat=True)),
        "follows": list(Subscription.objects.filter(ended_at__isnull=True).values_list("pk")),
    }


def _page_client(persona: str, people, scenario: Scenario) -> Client:
    client = Client()
    if persona == "granted_clerk_pd":
        scenario.grant.with_personal_data = True
        scenario.grant.save()
    user = {"granted_clerk": people.other_clerk, "granted_clerk_pd": people.other_clerk}.get(
        persona
    ) or getattr(people, persona, None)
    if user is not None:
        client.force_login(user)
    return client


def _request(client: Client, page: Endpoint, path: str, data: dict):
    if page.method == "GET":
        return client.get(path)
    return client.post(path, data)


def _page_body(response, path: str) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    body = raw.decode("utf-8", errors="replace")
    # The page echoes the requested address (the language switch's `next`): not a leak.
    return _CSRF.sub(r"\1", body).replace(path, "<the requested path>")


def _status_counts(body: str) -> dict[str, int]:
    found = re.findall(r'status=(\w+)">[^<]*<span class="count">(\d+)</span>', body)
    return {status: int(n) for status, n in found}


PAGE_CASES = [(e, p) for e in PAGES for p in PERSONAS]


@pytest.mark.parametrize(
    ("page", "persona"), PAGE_CASES, ids=[f"{e.name}|{p}" for e, p in PAGE_CASES]
)
def test_persona_page(page: Endpoint, persona: str, people, scenario, city):
    if page.setup:
        SETUPS[page.setup](scenario, people)
    client = _page_client(persona, people, scenario)
    values = _page_values(scenario, city)
    path = _fill(page.path, values)
    data = {k: _fill(v, values) for k, v in page.data.items()}
    before = _state(scenario)
    response = _request(client, page, path, data)
    after = _state(scenario)
    body = _page_body(response, path)
    expected = page.expected[persona]
    status = response.status_code
    to_login = status == 302 and response.url.startswith(LOGIN)
    success = 200 <= status < 300 or (page.method == "POST" and status == 302 and not to_login)

    if isinstance(expected, set):
        assert status == 200, body
        for name in SCENARIO_CASES:
            tracking_id = getattr(scenario, name).tracking_id
            assert (tracking_id in body) == (name in expected), f"{name} on {persona}'s page"
        if page.counts:
            statuses = Counter(
                str(Case.objects.get(pk=getattr(scenario, name).pk).status)
                for name in VIEWS[persona]
            )
            assert _status_counts(body) == dict(statuses), f"status counts for {persona}"
    elif expected == REFUSED:
        if persona == "anonymous" and status == 302:
            assert to_login, response.url
        else:
            assert status in (403, 404), f"{status} {body}"
        if status == 404 and any(f"{{{name}}}" in page.path for name in SCENARIO_CASES):
            # The same answer as for a case that does not exist: nothing leaks.
            unknown_values = {**values, **{name: UNKNOWN_ID for name in SCENARIO_CASES}}
            unknown_path = _fill(page.path, unknown_values)
            unknown = _request(client, page, unknown_path, data)
            assert unknown.status_code == 404
            assert _page_body(unknown, unknown_path) == body
    elif expected == FORBIDDEN:
        allowed = (400, 403) if page.changes == "new_case" else (403,)
        assert status in allowed, f"{status} {body}"
    elif expected == IGNORED:
        assert status == 302 and not to_login, status
    elif expected == OWN_REQUEST:
        tracking_id = path.split("/")[3]
        assert status == 302 and response.url == f"/requests/{tracking_id}/", status
    else:
        assert success, f"{status} {body}"

    # A POST changes something exactly when it is allowed.
    if page.method == "POST":
        if expected == ALLOWED:
            assert after[page.changes] != before[page.changes], f"{page.name} did nothing"
        else:
            assert after == before, f"{page.name} by {persona} changed something"

    # Nothing about a case the person may not see. The public record shows ids, and the
    # description of a case whose category is not about a home (its public form, as Open311);
    # a private-location case's description never.
    for name in SCENARIO_CASES:
        published = page.public and name != "private_case"
        assert (
            DESCRIPTIONS[name] not in body
            or published
            or (name in VIEWS[persona] and not page.public)
        ), f"description of {name} leaked to {persona}"
        sees = VIEWS[persona] | SEES_AFTER_SETUP.get(page.setup, {}).get(persona, set())
        if not page.public and name not in sees:
            tracking_id = getattr(scenario, name).tracking_id
            assert tracking_id not in body, f"tracking id of {name} leaked to {persona}"

    if page.setup == "internal_note" and success:
        assert (INTERNAL_NOTE in body) == (persona in SEES_A_STAFF), (
            f"internal note {'leaked to' if persona not in SEES_A_STAFF else 'hidden from'} "
            f"{persona}"
        )

    if page.pii_case == "self":
        return  # the person's own account data
    may_see = page.pii_case and persona in PD_SEERS[page.pii_case] and success
    if expected == ALLOWED and page.shows_pii:
        for value in PII[page.pii_case]:
            assert value in body, f"{value} should be shown to {persona}"
    shown = set(PII[page.pii_case]) if may_see else set()
    for value in EVERY_PII:
        if value not in shown:
            assert value not in body, f"{value} leaked to {persona} via {page.name}"


def test_the_table_is_complete():
    assert len(PERSONAS) == 11
    for endpoint in [*ENDPOINTS, *PAGES]:
        assert set(endpoint.expected) == set(PERSONAS), endpoint.name
