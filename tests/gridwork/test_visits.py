"""Household visits: recording one (with its follow-up case), who is due a visit, the reminders
(told once per due date), the officer's pages and the API."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import clock
from governance.errors import InvalidInput, NotPermitted
from governance.models import Case
from gridwork.models import Visit, VisitInterval, VisitReminder
from gridwork.visits import due_visits, remind_due_visits, visit_record
from notifications.models import Notification
from tests.gridwork.registry import ID_A, PHONE_A, make_registry

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client():
    """Pages in English (the words asserted): the browser asks for them."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


BASE = "/api/v1/gridwork/"


@pytest.fixture
def registry(city, people):
    return make_registry(city)


def today():
    return timezone.localdate(clock.now())


def test_a_visit_with_follow_up_files_a_patrol_case_linked_to_it(people, registry, city):
    visit = visit_record(
        by=people.officer_a,
        household=registry.household_a,
        residents=[registry.resident_a],
        minutes=20,
        notes="Lives alone; the stair light is broken.",
        follow_up=True,
        follow_up_category=city.urgent_category,
        follow_up_description="Stair light broken at the elderly resident's building.",
    )
    assert list(visit.residents_seen.all()) == [registry.resident_a]
    assert visit.grid == city.grid_a and visit.area_path == city.grid_a.path
    case = visit.case
    assert case.channel == "patrol" and case.grid == city.grid_a
    assert (case.lon, case.lat) == city.point_a
    assert case.address == "东街1号"
    assert case.events.get(kind="submitted").actor == people.officer_a


def test_another_grids_officer_may_not_record_a_visit_there(people, registry, city):
    with pytest.raises(NotPermitted):
        visit_record(
            by=people.officer_b,
            household=registry.household_a,
            follow_up=True,
            follow_up_category=city.category,
            follow_up_description="x",
        )
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_a_bad_visit_writes_nothing(people, registry, city):
    with pytest.raises(InvalidInput) as refused:
        visit_record(by=people.officer_a, household=registry.household_a, follow_up=True)
    assert set(refused.value.errors) == {"follow_up_category", "follow_up_description"}
    with pytest.raises(InvalidInput):
        visit_record(
            by=people.officer_a,
            household=registry.household_a,
            visited_at=clock.now() + datetime.timedelta(days=1),
        )
    with pytest.raises(InvalidInput):  # a resident of another household
        visit_record(
            by=people.officer_a, household=registry.household_a, residents=[registry.resident_b]
        )
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_due_visits_follow_the_last_visit_and_the_tags_interval(people, registry):
    (due,) = due_visits(user=people.officer_a)
    assert due.resident == registry.resident_a and due.last_visit is None
    assert due.due_on == today()  # never visited: due from the day they were registered
    assert due_visits(user=people.officer_b) == []

    visited = clock.now() - datetime.timedelta(days=10)
    visit_record(
        by=people.officer_a,
        household=registry.household_a,
        residents=[registry.resident_a],
        visited_at=visited,
    )
    (due,) = due_visits(user=people.officer_a)
    assert due.last_visit == timezone.localdate(visited)
    assert due.due_on == timezone.localdate(visited) + datetime.timedelta(days=30)
    assert due_visits(user=people.officer_a, within_days=7) == []

    VisitInterval.objects.create(tag="elderly_alone", every_days=7)
    (due,) = due_visits(user=people.officer_a, within_days=7)
    assert due.overdue(today())
    VisitInterval.objects.filter(tag="elderly_alone").update(active=False)
    assert due_visits(user=people.officer_a) == []


def test_reminders_tell_the_grids_officers_once_per_due_date(people, registry, city):
    assert remind_due_visits() == 1
    (note,) = Notification.objects.filter(kind="visit_due")
    assert note.user == people.officer_a and note.case is None
    assert city.grid_a.display_name in note.display_title
    assert "1 resident" in note.display_title
    assert reverse("gridwork:visits") in note.params["link"]
    # Nothing personal in what may go out by e-mail or SMS.
    assert registry.resident_a.name not in note.body + note.display_title
    assert ID_A not in str(note.params) and PHONE_A not in str(note.params)

    assert remind_due_visits() == 0  # a re-run tells nobody again
    assert Notification.objects.filter(kind="visit_due").count() == 1

    # Visited now: due again in 30 days, told 3 days before, once.
    visit_record(
        by=people.officer_a, household=registry.household_a, residents=[registry.resident_a]
    )
    assert remind_due_visits() == 0
    later = clock.now() + datetime.timedelta(days=27, hours=1)
    with clock.travel(later):
        assert remind_due_visits() == 1
        assert remind_due_visits() == 0
    assert VisitReminder.objects.count() == 2
    assert Notification.objects.filter(kind="visit_due", user=people.officer_a).count() == 2


def test_the_visits_page_and_recording_a_visit(client, people, registry, city):
    client.force_login(people.officer_a)
    text = client.get(reverse("gridwork:visits")).content.decode()
    assert "王秀英" in text and "Due today" in text and "never visited" in text
    assert ID_A not in text and PHONE_A not in text
    url = reverse("gridwork:visit_new") + f"?household={registry.household_a.pk}"
    form = client.get(url)
    assert form.status_code == 200 and "王秀英" in form.content.decode()
    response = client.post(
        url,
        {
            "household": registry.household_a.pk,
            "residents": [registry.resident_a.pk],
            "minutes": "25",
            "notes": "All well.",
            "follow_up": "on",
            "follow_up_category": city.urgent_category.pk,
            "follow_up_description": "Rubbish piled at the door.",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "gridwork:visit", args=[visit.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert visit.case.tracking_id in page and "All well." in page
    text = client.get(reverse("gridwork:visits")).content.decode()
    assert "Due in 30 days" not in text  # due beyond the page's two weeks
    assert visit.case.tracking_id in text  # among the latest visits

    # A form with an error says so, and writes nothing.
    bad = client.post(url, {"household": registry.household_a.pk, "follow_up": "on"})
    assert bad.status_code == 400 and "Choose the category" in bad.content.decode()
    assert Visit.objects.count() == 1

    client.force_login(people.officer_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("gridwork:visit", args=[visit.pk])).status_code == 404
    assert "王秀英" not in client.get(reverse("gridwork:visits")).content.decode()
    client.force_login(people.citizen)
    assert client.get(reverse("gridwork:visits")).status_code == 403
    assert client.get(url).status_code == 403


def test_the_visits_api(api, people, registry, city):
    api.force_authenticate(people.officer_a)
    due = api.get(BASE + "visits/due/").json()
    assert [d["name"] for d in due] == ["王秀英"] and due[0]["last_visit"] is None
    response = api.post(
        BASE + "visits/",
        {
            "household": registry.household_a.pk,
            "residents": [registry.resident_a.pk],
            "notes": "ok",
            "follow_up": True,
            "follow_up_category": city.urgent_category.code,
            "follow_up_description": "Broken railing.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == Visit.objects.get().case.tracking_id
    assert body["residents"] == [registry.resident_a.pk] and body["grid"] == city.grid_a.code
    listed = api.get(BASE + "visits/").json()
    assert [v["id"] for v in listed["results"]] == [body["id"]]
    assert api.get(BASE + "visits/due/?within_days=7").json() == []

    bad = api.post(BASE + "visits/", {"household": registry.household_a.pk, "follow_up": True})
    assert bad.status_code == 400 and "follow_up_category" in bad.json()["errors"]

    api.force_authenticate(people.officer_b)
    assert api.get(BASE + f"visits/{body['id']}/").status_code == 404
    assert api.get(BASE + "visits/").json()["results"] == []
    refused = api.post(BASE + "visits/", {"household": registry.household_a.pk}, format="json")
    assert refused.status_code == 400  # another grid's household is no choice at all
    assert Visit.objects.count() == 1
    api.force_authenticate(None)
    assert api.get(BASE + "visits/due/").status_code in (401, 403)


def test_the_schema_lists_visits_and_duty(api, people):
    api.force_authenticate(people.admin)
    paths = api.get("/api/schema/?format=json").json()["paths"]
    for path in ("visits/", "visits/{id}/", "visits/due/", "duty/", "duty/{id}/"):
        assert "/api/v1/gridwork/" + path in paths
