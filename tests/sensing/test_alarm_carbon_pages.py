"""The alarm list (active/cleared, acknowledge), the alarm counts for the map, the daily carbon
rows rolled up the tree, and the carbon page: what the staff of an area see, and only they."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from governance import clock
from gridwork.models import Building, Resident
from sensing import carbon
from sensing.models import Alarm, Bucket, CarbonDay, Meter, MeterDay, Rollup
from tests.sensing.rules_helpers import feed, make_rule, make_stream

pytestmark = pytest.mark.django_db

ALARMS = "/work/sensing/alarms/"


@pytest.fixture
def alarms(city):
    """An active alarm in grid A (with its case), a cleared one in grid A, one in grid B."""
    cover = make_stream(city, name="井盖 A-1")
    make_rule(cover)
    feed(cover, 25.0)
    lamp = make_stream(city, name="路灯 A-2", prop="lamp current", unit="A")
    make_rule(lamp, name="路灯电流", trip_at=5.0, clear_at=4.0)
    feed(lamp, 6.0, 1.0)
    other = make_stream(city, name="井盖 B-1", grid=city.grid_b, point=city.point_b)
    make_rule(other, name="B 井盖倾斜")
    feed(other, 30.0)
    return Alarm.objects.order_by("pk")


def test_the_officer_sees_the_active_alarms_of_their_grid(client, people, alarms):
    client.force_login(people.officer_a)
    page = client.get(ALARMS).content.decode()
    assert "井盖 A-1" in page and "路灯 A-2" not in page  # active only, by default
    assert "井盖 B-1" not in page  # another grid's
    assert alarms[0].case.tracking_id in page
    cleared = client.get(ALARMS + "?state=cleared").content.decode()
    assert "路灯 A-2" in cleared and "井盖 A-1" not in cleared


def test_acknowledging_records_who_and_when(client, people, alarms):
    client.force_login(people.officer_a)
    response = client.post(f"{ALARMS}{alarms[0].pk}/acknowledge/")
    assert response.status_code == 302
    alarm = Alarm.objects.get(pk=alarms[0].pk)
    assert alarm.acknowledged_by == people.officer_a and alarm.acknowledged_at is not None
    assert "officer_a" in client.get(ALARMS).content.decode()
    # grid B's alarm is not the officer's: refused, nothing changed
    refused = client.post(f"{ALARMS}{alarms[2].pk}/acknowledge/")
    assert refused.status_code == 404
    assert Alarm.objects.get(pk=alarms[2].pk).acknowledged_at is None


def test_the_alarm_counts_roll_up_the_areas(client, people, city, alarms):
    client.force_login(people.dispatcher)
    data = client.get(ALARMS + "map.json").json()
    counts = {a["code"]: a["active"] for a in data["areas"]}
    assert counts[city.district.code] == 2
    assert counts[city.street_a.code] == 1 and counts[city.grid_a.code] == 1
    assert counts[city.grid_b.code] == 1
    assert len(data["points"]) == 2
    client.force_login(people.officer_a)
    mine = client.get(ALARMS + "map.json").json()
    assert {a["code"] for a in mine["areas"]} == {city.grid_a.code}


@pytest.mark.parametrize("who", ["citizen", "clerk"])
def test_alarms_are_not_for_citizens_or_departments_without_an_area(client, people, alarms, who):
    client.force_login(getattr(people, who))
    assert client.get(ALARMS).status_code == 403
    assert client.get(ALARMS + "map.json").status_code == 403
    assert client.post(f"{ALARMS}{alarms[0].pk}/acknowledge/").status_code == 404


# --- carbon ----------------------------------------------------------------------------------

TODAY = date(2026, 6, 20)


def hourly(meter: Meter, day: date, per_hour: float) -> None:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    Rollup.objects.bulk_create(
        Rollup(
            datastream=meter.datastream,
            bucket=Bucket.HOUR,
            start=start + timedelta(hours=h),
            count=4,
            sum=per_hour,
            min=per_hour / 4,
            max=per_hour / 4,
        )
        for h in range(24)
    )


@pytest.fixture
def meters(city):
    carbon.seed_factors()
    building = Building.objects.create(
        address="东街 1 号", grid=city.grid_a, area_path=city.grid_a.path
    )
    for i in range(4):
        Resident.objects.create(
            name=f"居民{i}", building=building, grid=city.grid_a, area_path=city.grid_a.path
        )
    power = Meter.objects.create(
        datastream=make_stream(city, name="东街 1 号电表", prop="electricity", unit="kWh"),
        kind="electricity",
        building=building,
    )
    gas = Meter.objects.create(
        datastream=make_stream(
            city, name="西街燃气表", prop="gas", unit="m³", grid=city.grid_b, point=city.point_b
        ),
        kind="gas",
    )
    for day in (TODAY - timedelta(days=n) for n in range(51)):  # from April 30
        hourly(power, day, 10.0 if day.month == 6 else 5.0)  # kWh per hour
        hourly(gas, day, 1.0)  # m³ per hour
        carbon.roll_up_day(day)
    return power, gas


def test_a_day_is_rolled_up_the_tree_and_a_rerun_changes_nothing(city, meters):
    power, _gas = meters
    day = TODAY - timedelta(days=1)
    assert MeterDay.objects.get(meter=power, day=day).activity == 240.0
    grid_a = CarbonDay.objects.get(area=city.grid_a, day=day, kind="electricity")
    assert grid_a.co2e_kg == pytest.approx(240 * 0.5703)
    city_gas = CarbonDay.objects.get(area=city.city, day=day, kind="gas")
    assert city_gas.co2e_kg == pytest.approx(24 * 2.162)
    assert not CarbonDay.objects.filter(area=city.street_a, kind="gas").exists()
    rows = CarbonDay.objects.count()
    carbon.roll_up_day(day)
    assert CarbonDay.objects.count() == rows
    assert CarbonDay.objects.get(area=city.grid_a, day=day, kind="electricity").co2e_kg == (
        grid_a.co2e_kg
    )


def test_a_streets_carbon_page_shows_this_month_against_last(client, people, city, meters):
    client.force_login(people.street_leader)
    with clock.travel(timezone.make_aware(datetime(2026, 6, 20, 12, 0))):
        page = client.get(f"/work/sensing/carbon/{city.street_a.code}/").content.decode()
    this_month = 20 * 240 * 0.5703  # June 1–20
    same_days = 20 * 120 * 0.5703  # May 1–20
    assert f"<dd data-this-month>{this_month:.0f} 千克</dd>" in page
    assert f"<dd data-same-days>{same_days:.0f} 千克</dd>" in page
    assert "<dd data-change>100.0 %</dd>" in page  # twice the same days of last month
    assert "东街 1 号" in page  # the top emitter, by its building
    assert "data-ranking" in page and city.community_a.display_name in page
    assert f"{this_month / 4:.1f}" in page  # per person (4 residents registered)


def test_the_carbon_page_is_for_the_staff_of_the_area(client, people, city, meters):
    client.force_login(people.officer_a)
    assert client.get(f"/work/sensing/carbon/{city.street_a.code}/").status_code == 403
    assert client.get(f"/work/sensing/carbon/{city.grid_a.code}/").status_code == 200
    home = client.get("/work/sensing/carbon/")
    assert home.status_code == 302 and home.url.endswith(f"/{city.grid_a.code}/")
    client.force_login(people.citizen)
    assert client.get(f"/work/sensing/carbon/{city.grid_a.code}/").status_code == 403
