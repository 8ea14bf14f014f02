"""Generated, for the sockets: every WebSocket route × every persona × every planted marker.

Each persona connects to each route (filled from the planted scenario), then the planted cases
change (the reporter adds information, an officer an internal note, the street leader files
them the first time); nothing any socket tells may carry a marker outside its audience.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from governance import workflow
from governance.models import AccessLog, Case, Status
from tests.permissions.matrix import PERSONAS
from tests.permissions.planted import Planted, plant
from tests.permissions.probing import GENERATED, judge, marked, user_of, violations
from tests.permissions.routes import Probe, fill
from tests.realtime.helpers import communicator

pytestmark = pytest.mark.django_db(transaction=True)


async def _listen(path: str, user, planted: Planted, people) -> list[str]:
    comm = communicator(path, user if user is not None else AnonymousUser())
    connected, _code = await comm.connect()
    if not connected:
        return []

    def change() -> None:
        for variant, case in planted.cases.items():
            tag = variant.upper()
            workflow.add_note(
                case_id=case.pk, actor=people.citizen, text=f"REPORTER-NOTE-MARK-{tag}"
            )
            workflow.add_note(
                case_id=case.pk,
                actor=people.officer_a,
                text=f"INTERNAL-NOTE-MARK-{tag}",
                audience="internal",
            )
            if Case.objects.get(pk=case.pk).status == Status.SUBMITTED:
                workflow.file_case(case_id=case.pk, actor=people.street_leader)

    await database_sync_to_async(change)()
    got = []
    while not await comm.receive_nothing(timeout=0.3):
        got.append(await comm.receive_from())
    await comm.disconnect()
    return got


@pytest.mark.parametrize("probe", marked(GENERATED.sockets))
def test_sockets_tell_personal_data_only_its_audience(probe: Probe, people, city, scenario):
    planted = plant(city, people, scenario)
    path = fill(probe, planted, people, city)
    found = {}
    for persona in PERSONAS:
        user = user_of(persona, people, scenario)
        last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        messages = async_to_sync(_listen)(path, user, planted, people)
        text = "\n".join(
            messages + [json.dumps(json.loads(m), ensure_ascii=False) for m in messages]
        )
        logs = list(AccessLog.objects.filter(pk__gt=last))
        found[persona] = violations(
            persona, user, planted, text, served=None, route=probe.route, logs=logs
        )
    judge(probe.key, found)
