"""Patrol duty: the daily rows (idempotent), the monthly sheet (page, export, API, who reads
which), and "patrol duty met" in the grid officer's evaluation score."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.contributed import registered
from evaluation.indicators import Scope, evaluate, score_for
from evaluation.periods import Period
from governance import clock
from governance.models import Channel
from governance.workflow.submission import submit_case
from gridwork.duty import compute_day, compute_recent_duty, duty_of, working_days
from gridwork.models import (
    CheckIn,
    DutyDay,
    DutyRules,
    Patrol,
    PatrolReport,
    PatrolStatus,
)
from gridwork.visits import visit_record
from tests.gridwork.registry import ID_A, make_registry

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client():
    """Pages in English (the words asserted): the browser asks for them."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


TZ = timezone.get_current_timezone()


@pytest.fixture
def registry(city, people):
    return make_registry(city)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def patrol(
    officer, grid, start, *, minutes: int, metres: float = 1500.0, days: dict | None = None
) -> Patrol:
    """A patrol's row as the patrol pages leave it: its summaries, by default all on the day
    it started."""
    made = Patrol.objects.create(
        officer=officer,
        grid=grid,
        area_path=grid.path,
        status=PatrolStatus.ENDED,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes),
        distance_m=metres,
        seconds_in_grid=minutes * 60,
        day_figures=days
        or {timezone.localdate(start).isoformat(): {"s": minutes * 60, "m": metres}},
    )
    made.grids.add(grid)
    return made


def report(patrol_row: Patrol, city, when: datetime.datetime) -> PatrolReport:
    with clock.travel(when):
        case = submit_case(
            actor=patrol_row.officer,
            category=city.urgent_category,
            description="Manhole cover loose.",
            lon=city.point_a[0],
            lat=city.point_a[1],
            channel=Channel.PATROL,
        )
    return PatrolReport.objects.create(
        patrol=patrol_row, case=case, at=when, lon=city.point_a[0], lat=city.point_a[1]
    )


def last_working_day() -> datetime.date:
    day = timezone.localdate(clock.now()) - datetime.timedelta(days=1)
    while not working_days(day, day):
        day -= datetime.timedelta(days=1)
    return day


def test_a_day_is_computed_once_whatever_the_reruns(people, registry, city):
    day = last_working_day()
    morning = patrol(people.officer_a, city.grid_a, at(day, 9), minutes=130, metres=4200.4)
    patrol(people.officer_a, city.grid_a, at(day, 15), minutes=20, metres=600)
    CheckIn.objects.create(
        patrol=morning,
        key_place=registry.key_place_a,
        at=at(day, 10),
        lon=120.02,
        lat=30.02,
        distance_m=12,
    )
    report(morning, city, at(day, 10, 30))
    visit_record(
        by=people.officer_a,
        household=registry.household_a,
        residents=[registry.resident_a],
        visited_at=at(day, 16),
    )
    patrol(people.officer_b, city.grid_b, at(day - datetime.timedelta(days=1), 9), minutes=60)

    assert compute_day(day) == 1
    row = DutyDay.objects.get(officer=people.officer_a, day=day)
    assert (row.patrol_seconds, row.distance_m, row.patrols) == (150 * 60, 4800, 2)
    assert (row.check_ins, row.reports, row.visits) == (1, 1, 1)
    assert compute_day(day) == 1 and DutyDay.objects.count() == 1  # a re-run changes nothing

    Patrol.objects.filter(started_at__gte=at(day, 0)).delete()
    compute_day(day)
    row.refresh_from_db()
    assert (row.patrols, row.check_ins, row.reports, row.visits) == (0, 0, 0, 1)

    with clock.travel(at(day + datetime.timedelta(days=1), 8)):
        assert compute_recent_duty() == 1  # yesterday's row (today's has nothing yet)


def test_a_night_patrol_counts_on_both_days(people, city):
    """22:00 to 02:00: two hours inside the grids on each day, the patrol itself counted on the
    day it started; the officer who patrolled only after midnight has the second day too."""
    day = last_working_day()
    after = day + datetime.timedelta(days=1)
    patrol(
        people.officer_a,
        city.grid_a,
        at(day, 22),
        minutes=240,
        metres=9000,
        days={
            day.isoformat(): {"s": 7200, "m": 4500.4},
            after.isoformat(): {"s": 7200, "m": 4499.6},
        },
    )
    compute_day(day), compute_day(after)
    first = DutyDay.objects.get(officer=people.officer_a, day=day)
    second = DutyDay.objects.get(officer=people.officer_a, day=after)
    assert (first.patrol_seconds, first.distance_m, first.patrols) == (7200, 4500, 1)
    assert (second.patrol_seconds, second.distance_m, second.patrols) == (7200, 4500, 0)
    # Two days on, nothing of it is left to count: no row.
    assert compute_day(after + datetime.timedelta(days=1)) == 0


def test_duty_met_is_the_mean_of_the_minimums_shares(people, city):
    rules = DutyRules.current()
    rules.minutes_per_day, rules.reports_per_month, rules.visits_per_month = 60, 2, 0
    rules.save()
    month_first = datetime.date(2026, 6, 1)
    days = working_days(month_first, datetime.date(2026, 6, 30))
    for day in days[:11]:  # 11 of 22 working days at the minimum
        patrol(people.officer_a, city.grid_a, at(day, 9), minutes=60)
        compute_day(day)
    DutyDay.objects.filter(officer=people.officer_a, day=days[0]).update(reports=2)
    (duty,) = duty_of([people.officer_a], month_first, datetime.date(2026, 6, 30))
    assert len(duty.working_days) == len(days) == 22 and duty.days_met == 11
    assert duty.shares() == {"time": 0.5, "reports": 1.0}  # visits' minimum of 0 left out
    assert duty.rate == 0.75 and duty.met is False
    assert duty.patrol_hours == 11.0


def test_patrol_duty_met_is_a_weighted_term_of_the_officers_score(people, city):
    assert "patrol_duty_met" in registered()
    period = Period("month", datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    as_of = at(datetime.date(2026, 7, 2), 12)
    figures = evaluate(Scope.for_person(people.officer_a), period, as_of=as_of, compare=False)
    # No reports, no verifications and no duty at all: the duty term counts as 0 %.
    assert figures.rates["patrol_duty_met"] == 0.0
    assert figures.score == 0.0
    for day in working_days(period.first, period.last):
        patrol(people.officer_a, city.grid_a, at(day, 9), minutes=180)
        compute_day(day)
    figures = evaluate(Scope.for_person(people.officer_a), period, as_of=as_of, compare=False)
    rate = figures.rates["patrol_duty_met"]
    assert rate == pytest.approx(1 / 3)  # time met; no reports, no visits of the minimums
    assert figures.score == pytest.approx(33.3, abs=0.1)  # the only term with data
    assert "22 of 22 working days" in figures.how_counted["patrol_duty_met"]
    assert figures.as_dict()["rates"]["patrol_duty_met"] == round(rate, 4)
    # Weighted with the others (reference defaults 40 / 40 / 20).
    assert score_for(
        {"valid_report_rate": 1.0, "verified_on_time_rate": 1.0, "patrol_duty_met": 0.5}, "person"
    ) == pytest.approx(90.0)
    # A leader with no grid-officer duty: left out (null), not 0.
    leader = evaluate(Scope.for_person(people.street_leader), period, as_of=as_of, compare=False)
    assert leader.rates["patrol_duty_met"] is None
    # Areas and departments have no such term.
    area = evaluate(Scope.for_area(city.grid_a), period, as_of=as_of, compare=False)
    assert "patrol_duty_met" not in area.rates


def test_the_sheet_page_export_and_api_read_only_whom_they_may(client, api, people, registry, city):
    day = last_working_day()
    patrol(people.officer_a, city.grid_a, at(day, 9), minutes=150, metres=5200)
    patrol(people.officer_b, city.grid_b, at(day, 9), minutes=30)
    compute_day(day)
    month = f"{day:%Y-%m}"

    client.force_login(people.street_leader)  # leads street A: grid A's officer, not B's
    text = client.get(reverse("gridwork:duty"), {"month": month}).content.decode()
    assert "officer_a" in text and "officer_b" not in text and "5.2" in text
    sheet = client.get(
        reverse("gridwork:duty_officer", args=[people.officer_a.pk]), {"month": month}
    )
    assert sheet.status_code == 200 and day.isoformat() in sheet.content.decode()
    assert (
        client.get(reverse("gridwork:duty_officer", args=[people.officer_b.pk])).status_code == 404
    )
    exported = client.get(reverse("gridwork:duty_export"), {"month": month}).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][0].startswith("姓名") and [r[0] for r in rows[1:]] == ["officer_a"]
    assert rows[1][2] == "2.5" and rows[1][3] == "5.2"
    assert "王秀英" not in exported and ID_A not in exported  # officer names, nothing personal
    book = client.get(reverse("gridwork:duty_export"), {"month": month, "format": "xlsx"})
    sheet_rows = list(load_workbook(io.BytesIO(book.content)).active.values)
    assert sheet_rows[1][0] == "officer_a"

    client.force_login(people.dispatcher)  # the district: both
    text = client.get(reverse("gridwork:duty"), {"month": month}).content.decode()
    assert "officer_a" in text and "officer_b" in text

    client.force_login(people.officer_a)  # an officer: their own sheet only
    text = client.get(reverse("gridwork:duty"), {"month": month}).content.decode()
    assert "officer_a" in text and "officer_b" not in text
    assert (
        client.get(reverse("gridwork:duty_officer", args=[people.officer_b.pk])).status_code == 404
    )
    client.force_login(people.citizen)
    assert client.get(reverse("gridwork:duty")).status_code == 403
    assert client.get(reverse("gridwork:duty_export")).status_code == 403

    api.force_authenticate(people.street_leader)
    body = api.get("/api/v1/gridwork/duty/", {"month": month}).json()
    assert [row["officer"]["username"] for row in body] == ["officer_a"]
    assert body[0]["distance_km"] == 5.2 and body[0]["days"][0]["patrol_minutes"] == 150
    one = api.get(f"/api/v1/gridwork/duty/{people.officer_a.pk}/", {"month": month}).json()
    assert one["patrol_hours"] == 2.5
    assert api.get(f"/api/v1/gridwork/duty/{people.officer_b.pk}/").status_code == 404
    api.force_authenticate(people.clerk)
    assert api.get("/api/v1/gridwork/duty/").json() == []


def test_patrols_stored_before_the_figures_per_day_count_on_their_first_day(people, city):
    """The migration that added `day_figures` puts an older patrol's summaries on the day it
    started, as the duty sheet counted them before: recomputing a past month changes nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("gridwork.migrations.0004_patrol_day_figures")
    day = last_working_day()
    old = patrol(people.officer_a, city.grid_a, at(day, 9), minutes=90, metres=3000)
    Patrol.objects.filter(pk=old.pk).update(day_figures={})
    migration.figures_on_the_first_day(apps, None)
    old.refresh_from_db()
    assert old.day_figures == {day.isoformat(): {"s": 5400, "m": 3000.0}}
    compute_day(day)
    assert DutyDay.objects.get(officer=people.officer_a, day=day).patrol_seconds == 5400
