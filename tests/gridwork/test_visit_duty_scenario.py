"""Issue 14's "done when", the visit and duty part, as an officer lives it on a June day: the
reminder of an elderly resident's due visit is in their notifications; they visit, record a
follow-up (a case is filed); they patrol; the night's job computes the day; the monthly duty
sheet shows the patrol and the visit; their evaluation score includes patrol duty."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import clock
from gridwork.duty import compute_recent_duty
from gridwork.models import Patrol, PatrolStatus, Resident, Visit
from gridwork.visits import remind_due_visits
from tests.gridwork.registry import make_registry

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client():
    """Pages in English (the words asserted): the browser asks for them."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


TZ = timezone.get_current_timezone()


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=TZ)


def test_an_officer_visits_a_due_elderly_resident_and_it_counts_as_duty(client, api, people, city):
    registry = make_registry(city)
    elderly = registry.resident_a  # tagged elderly living alone
    Resident.objects.filter(pk=elderly.pk).update(created_at=at(1, 9))  # registered, never visited

    # 08:00 — the hourly job tells grid A's officer (and nobody else) of the due visit.
    with clock.travel(at(10, 8)):
        assert remind_due_visits() == 1
        client.force_login(people.officer_a)
        notices = client.get(reverse("citizens:notifications")).content.decode()
        assert "Visits due: 网格1: 1 resident" in notices
        client.force_login(people.officer_b)
        other = client.get(reverse("citizens:notifications")).content.decode()
        assert "网格1: 1 resident" not in other

        # The reminder's page: the resident, overdue since registration, with "Record a visit".
        client.force_login(people.officer_a)
        due = client.get(reverse("gridwork:visits")).content.decode()
        assert "王秀英" in due and "Overdue by 9 days" in due and "Record a visit" in due

    # 09:00–11:30 — a patrol in the grid (recorded by the patrol pages: its summary here).
    patrol = Patrol.objects.create(
        officer=people.officer_a,
        grid=city.grid_a,
        area_path=city.grid_a.path,
        status=PatrolStatus.ENDED,
        started_at=at(10, 9),
        ended_at=at(10, 11, 30),
        distance_m=3800,
        seconds_in_grid=150 * 60,
        day_figures={timezone.localdate(at(10, 9)).isoformat(): {"s": 150 * 60, "m": 3800}},
    )
    patrol.grids.add(city.grid_a)

    # 15:00 — the visit, with a follow-up: a case filed from the household.
    with clock.travel(at(10, 15)):
        url = reverse("gridwork:visit_new") + f"?household={registry.household_a.pk}"
        response = client.post(
            url,
            {
                "household": registry.household_a.pk,
                "residents": [elderly.pk],
                "minutes": "30",
                "notes": "Lives alone, well; the stairwell light is out.",
                "follow_up": "on",
                "follow_up_category": city.urgent_category.pk,
                "follow_up_description": "Stairwell light out at an elderly resident's building.",
            },
        )
        assert response.status_code == 302
        visit = Visit.objects.get()
        case = visit.case
        assert case.channel == "patrol" and case.grid == city.grid_a
        page = client.get(response["Location"]).content.decode()
        assert case.tracking_id in page
        # Visited today: no longer due.
        assert (
            "王秀英"
            not in client.get(reverse("gridwork:visits")).content.decode().split("Latest visits")[0]
        )
        assert remind_due_visits() == 0

    # 01:00 the next night — the duty job computes yesterday.
    with clock.travel(at(11, 1)):
        assert compute_recent_duty() == 1
        sheet = client.get(reverse("gridwork:duty"), {"month": "2026-06"}).content.decode()
        assert "officer_a" in sheet and "2.5" in sheet and "3.8" in sheet
        mine = client.get(
            reverse("gridwork:duty_officer", args=[people.officer_a.pk]), {"month": "2026-06"}
        ).content.decode()
        assert "2026-06-10" in mine and "<td>150</td><td>3800</td><td>1</td>" in mine
        assert "<td>0</td><td>0</td><td>1</td></tr>" in mine  # no check-in, no report, a visit

        # The evaluation: patrol duty met is one of the officer's weighted terms.
        api.force_authenticate(people.officer_a)
        body = api.get(
            "/api/v1/evaluation/people/officer_a/",
            {"period": "2026-06"},
            HTTP_ACCEPT_LANGUAGE="en",
        ).json()
    rate = body["rates"]["patrol_duty_met"]
    # 1 of 8 working days elapsed met; 0 of 3.6 reports; 1 of 7.3 visits.
    assert rate == pytest.approx((1 / 8 + 0 + 1 / (20 * 8 / 22)) / 3, abs=1e-4)
    assert body["score"] == pytest.approx(round(rate * 100, 1))
    assert "1 of 8 working days" in body["how_counted"]["patrol_duty_met"]
