"""The demo city's sensors: things on its grids with readings and rollups, the rules, one active
alarm with its case and one cleared, carbon rows for this month and the last — fast to seed."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from governance.models import Channel, Level
from governance.seed_cases import stories_told
from governance.seeding import seed_demo
from sensing.models import Alarm, CarbonDay, Datastream, Meter, Observation, Rollup, Rule, Thing
from sensing.seeding import seed_sensing
from sensing.subscriptions import _seed_sensors

pytestmark = pytest.mark.django_db


def test_the_demo_has_sensors_alarms_and_carbon(client):
    now = timezone.now()
    stories_told.disconnect(dispatch_uid="sensing-demo")
    try:
        seed_demo(now=now)
    finally:
        stories_told.connect(_seed_sensors, dispatch_uid="sensing-demo")
    started = time.monotonic()
    assert seed_sensing(now=now) is True
    took = time.monotonic() - started
    print(f"seed_sensing: {took:.1f} s")
    assert took < 15

    names = list(Thing.objects.values_list("name", flat=True))
    for kind in ("井盖", "路灯", "垃圾箱", "水位计", "电表"):
        assert any(kind in n for n in names), kind
    assert Thing.objects.filter(area__level=Level.GRID).count() == Thing.objects.count()
    assert Observation.objects.count() > 1000
    assert Rollup.objects.filter(bucket=3600).exists()
    assert Datastream.objects.filter(last_time__isnull=False).count() == Datastream.objects.count()
    assert Rule.objects.count() >= 5

    active = Alarm.objects.get(active=True)
    assert "井盖" in active.thing.name and active.case.channel == Channel.SENSOR
    cleared = Alarm.objects.get(active=False)
    assert "垃圾箱" in cleared.thing.name
    assert cleared.case.events.filter(data__sensing="cleared").exists()

    today = timezone.localdate(now)
    this_month = CarbonDay.objects.filter(day__year=today.year, day__month=today.month)
    last = today.replace(day=1) - timezone.timedelta(days=1)
    last_month = CarbonDay.objects.filter(day__year=last.year, day__month=last.month)
    assert this_month.exists() and last_month.exists()
    assert min(this_month.values_list("co2e_kg", flat=True)) > 0  # the factors are seeded
    assert Meter.objects.count() >= 4

    assert seed_sensing(now=now) is False  # once

    from citizens.models import User

    client.force_login(User.objects.get(username="admin"))
    street = active.thing.area.parent.parent
    page = client.get(f"/work/sensing/carbon/{street.code}/")
    assert page.status_code == 200 and "data-this-month" in page.content.decode()
    alarms = client.get("/work/sensing/alarms/").content.decode()
    assert active.case.tracking_id in alarms
