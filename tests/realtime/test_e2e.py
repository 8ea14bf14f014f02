"""End to end: a real daphne and a real Celery worker on the real Redis and the test database.

A WebSocket client listens on the officer's queue and the public feed; a case is filed through
the real REST API (POST /api/v1/cases/, token auth); the event arrives — and so does the
duplicate check the worker runs after it.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest
import websockets
from rest_framework.authtoken.models import Token

from governance.models import Case
from governance.realtime import schemas
from tests.realtime.stack import requirements

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]


def api_post(stack, token: str, path: str, body: dict) -> tuple[int, dict]:
    """POST JSON to the real API on the running server as the token's owner: (status, body)."""
    request = urllib.request.Request(
        stack.http + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:  # say what the API refused, not just the code
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"body": raw.decode(errors="replace")[:2000]}


def file_case(stack, token: str, lon: float, lat: float) -> str:
    """File a case through POST /api/v1/cases/; its tracking id."""
    status, body = api_post(
        stack,
        token,
        "/api/v1/cases/",
        {
            "category": "event-0102",
            "description": "垃圾堆在路边",
            "lon": lon,
            "lat": lat,
            "answers": {"amount": "small"},
        },
    )
    assert status == 201, body
    return body["id"]


async def next_message(ws, timeout: float = 10.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_a_case_filed_over_http_reaches_websocket_clients(city, people, stack):
    officer = Token.objects.create(user=people.officer_a).key
    officer_b = Token.objects.create(user=people.officer_b).key
    citizen = Token.objects.create(user=people.citizen).key

    async def scenario():
        headers = {"Authorization": f"Token {officer}"}
        async with (
            websockets.connect(stack.ws + "/ws/queue/", additional_headers=headers) as queue,
            websockets.connect(
                stack.ws + "/ws/queue/", additional_headers={"Authorization": f"Token {officer_b}"}
            ) as other,
            websockets.connect(stack.ws + "/ws/live/", origin=stack.http) as feed,
        ):
            loop = asyncio.get_running_loop()
            first = await loop.run_in_executor(None, file_case, stack, citizen, *city.point_a)
            created = await next_message(queue)
            public = await next_message(feed)
            second = await loop.run_in_executor(None, file_case, stack, citizen, *city.point_a)
            seen = [await next_message(queue), await next_message(queue)]
            with pytest.raises(TimeoutError):
                await next_message(other, timeout=1.5)
            return first, second, created, public, seen

    first, second, created, public, seen = asyncio.run(scenario())

    assert created["kind"] == schemas.CASE_CREATED and created["tracking_id"] == first
    # filed as the token's owner (the API also takes anonymous filings)
    assert Case.objects.get(tracking_id=first).reporter == people.citizen
    assert schemas.validate(public) == created
    # the second filing, then the worker's duplicate check noting it on the timeline
    assert [(m["kind"], m["tracking_id"]) for m in seen] == [
        (schemas.CASE_CREATED, second),
        (schemas.CASE_TRANSITIONED, second),
    ]
    assert seen[1]["event"] == "note"


def test_a_browser_socket_from_another_origin_is_refused(stack):

    async def scenario():
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with websockets.connect(stack.ws + "/ws/live/", origin="http://evil.example"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403
