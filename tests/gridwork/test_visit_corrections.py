"""Correcting a visit: only the officer who made it, within a month; the former version kept on
the visit and shown on its page; the duty rows of the days concerned recomputed; a bad
correction writes nothing; the page and the API (PATCH)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance import clock
from governance.errors import InvalidInput, NotPermitted
from gridwork.duty import compute_day
from gridwork.idnumbers import fictitious_id_number
from gridwork.models import DutyDay, Resident, Visit
from gridwork.placement import place
from gridwork.records import prepare_resident
from gridwork.visits import correct_visit, visit_record
from tests.gridwork.registry import make_registry

pytestmark = pytest.mark.usefixtures("english")
BASE = "/api/v1/gridwork/visits/"


@pytest.fixture
def client():
    """Pages in English (the words asserted): the browser asks for them."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def registry(city, people):
    made = make_registry(city)
    # A second resident of household A: the daughter who was there too.
    daughter = Resident(
        name="王丽",
        id_number=fictitious_id_number(
            area_code="339901", birth_date=datetime.date(1970, 5, 4), sequence=22
        ),
        phone="13900001111",
        building=made.building_a,
        household=made.household_a,
    )
    prepare_resident(daughter)
    place(daughter)
    daughter.save()
    made.daughter = daughter
    return made


def at(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate(clock.now()) - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def visit(people, registry):
    made = visit_record(
        by=people.officer_a,
        household=registry.household_a,
        residents=[registry.resident_a],
        visited_at=at(2, 10),
        minutes=20,
        notes="All well.",
    )
    compute_day(at(2, 10).date())
    return made


def test_the_visitor_corrects_a_visit_and_its_former_version_is_kept(people, registry, visit):
    corrected = correct_visit(
        by=people.officer_a,
        visit_id=visit.pk,
        residents=[registry.resident_a, registry.daughter],
        visited_at=at(3, 15),  # it was the day before, in the afternoon
        minutes=35,
        notes="All well; her daughter was there.",
    )
    visit.refresh_from_db()
    assert visit.visited_at == at(3, 15) and visit.minutes == 35
    assert visit.notes == "All well; her daughter was there."
    assert set(visit.residents_seen.all()) == {registry.resident_a, registry.daughter}
    assert visit.corrected_at is not None and corrected.pk == visit.pk
    (entry,) = visit.corrections
    assert parse_datetime(entry["before"].pop("visited_at")) == at(2, 10)
    assert entry["before"] == {
        "minutes": 20,
        "notes": "All well.",
        "residents": [registry.resident_a.pk],
    }
    # The duty sheet follows: the visit counts on the day it was made, not the one first said.
    assert not DutyDay.objects.filter(officer=people.officer_a, day=at(2, 10).date()).exists()
    assert DutyDay.objects.get(officer=people.officer_a, day=at(3, 15).date()).visits == 1


def test_a_correction_that_changes_nothing_writes_nothing(people, registry, visit):
    correct_visit(
        by=people.officer_a,
        visit_id=visit.pk,
        residents=[registry.resident_a],
        visited_at=visit.visited_at,
        minutes=20,
        notes="  All well. ",
    )
    visit.refresh_from_db()
    assert visit.corrections == [] and visit.corrected_at is None


def test_only_the_visitor_corrects_and_only_within_a_month(people, registry, visit):
    details = {
        "visit_id": visit.pk,
        "residents": [registry.resident_a],
        "visited_at": visit.visited_at,
        "minutes": 5,
        "notes": "changed",
    }
    with pytest.raises(NotPermitted):  # sees the visit, did not make it
        correct_visit(by=people.street_leader, **details)
    with pytest.raises(Visit.DoesNotExist):  # another grid's officer does not even see it
        correct_visit(by=people.officer_b, **details)
    Visit.objects.filter(pk=visit.pk).update(visited_at=clock.now() - datetime.timedelta(days=32))
    with pytest.raises(NotPermitted):
        correct_visit(by=people.officer_a, **details)
    visit.refresh_from_db()
    assert (visit.minutes, visit.notes, visit.corrections) == (20, "All well.", [])


def test_a_bad_correction_writes_nothing(people, registry, visit):
    cases = [
        ({"residents": [registry.resident_b]}, "residents"),  # not of this household
        ({"visited_at": clock.now() + datetime.timedelta(days=1)}, "visited_at"),
        ({"notes": "x" * 2001}, "notes"),
        ({"minutes": 601}, "minutes"),
    ]
    for change, field in cases:
        details = {
            "residents": [registry.resident_a],
            "visited_at": visit.visited_at,
            "minutes": 20,
            "notes": "changed",
        } | change
        with pytest.raises(InvalidInput) as refused:
            correct_visit(by=people.officer_a, visit_id=visit.pk, **details)
        assert field in refused.value.errors, field
    visit.refresh_from_db()
    assert (visit.notes, visit.corrections) == ("All well.", [])
    assert list(visit.residents_seen.all()) == [registry.resident_a]


def test_the_correction_page(client, people, registry, visit):
    page_url = reverse("gridwork:visit", args=[visit.pk])
    edit_url = reverse("gridwork:visit_edit", args=[visit.pk])
    client.force_login(people.street_leader)
    assert edit_url not in client.get(page_url).content.decode()
    assert client.get(edit_url).status_code == 403

    client.force_login(people.officer_a)
    assert edit_url in client.get(page_url).content.decode()
    form = client.get(edit_url).content.decode()
    assert "王丽" in form and "All well." in form
    assert timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M") in form
    bad = client.post(edit_url, {"residents": [registry.resident_a.pk], "notes": "x"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    response = client.post(
        edit_url,
        {
            "residents": [registry.resident_a.pk, registry.daughter.pk],
            "visited_at": timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "20",
            "notes": "All well; her daughter was there.",
        },
    )
    assert response.status_code == 302 and response["Location"] == page_url
    text = client.get(page_url).content.decode()
    assert "Corrected once by the visitor" in text and "王丽" in text
    assert "All well.</p>" in text.replace("\n", "")  # the former notes, for the record


def test_the_api_corrects_with_patch(api, people, registry, visit):
    url = f"{BASE}{visit.pk}/"
    api.force_authenticate(people.officer_a)
    response = api.patch(url, {"notes": "Her daughter was there."}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notes"] == "Her daughter was there." and body["corrected_at"]
    assert body["residents"] == [registry.resident_a.pk] and body["minutes"] == 20
    fixed = api.patch(url, {"household": registry.household_a.pk}, format="json")
    assert fixed.status_code == 400 and "household" in fixed.json()["errors"]
    assert api.put(url, {"notes": "x"}, format="json").status_code == 405
    api.force_authenticate(people.street_leader)
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 403
    api.force_authenticate(people.officer_b)
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 404
    visit.refresh_from_db()
    assert visit.notes == "Her daughter was there." and len(visit.corrections) == 1
