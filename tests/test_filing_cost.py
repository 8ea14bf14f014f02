"""What filing a case costs in SQL: a fixed number of queries, however many people are told.

Counted inside the test's transaction (a savepoint and its release where production has BEGIN
and COMMIT). Who is told, their notifications, pushes and messages, and the duplicate check are
the outbox relay's work after commit (run here when the captured commit callbacks run, after
the count), not the request's.
"""

from __future__ import annotations

from citizens.models import User
from governance.models import AreaUserObjectPermission, Assignment
from notifications.models import Notification
from tests.cases import submit
from tests.scenario import token_for

# The grid (routing found its id), savepoint + release, the case, its event, and the one outbox
# row naming the event for the relay (before the outbox: 12, with everybody's notifications).
SUBMIT_QUERIES = 6
# Token authentication, then submit_case, then the answer's permissions (the reporter's scope,
# the case with one column per action) and the reporter's contact.
API_CREATE_QUERIES = 1 + SUBMIT_QUERIES + 2 + 1


def _officers(city, n: int) -> list[User]:
    officers = []
    for i in range(n):
        officer = User.objects.create_user(f"grid_a_officer_{i}", password="x")
        Assignment.objects.create(user=officer, area=city.grid_a, role="lead_officer")
        officers.append(officer)
    return officers


def test_filing_costs_the_same_however_many_officers_are_told(
    city, people, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    submit(city, people)  # this process's copies of the calendar and questions are warm
    officers = [people.officer_a, *_officers(city, 6)]
    gone, unpermitted = officers[-2:]
    gone.is_active = False
    gone.save()
    AreaUserObjectPermission.objects.filter(user=unpermitted).delete()  # an assignment alone

    with (
        django_capture_on_commit_callbacks(execute=True),  # then the relay tells them
        django_assert_max_num_queries(SUBMIT_QUERIES),
    ):
        case = submit(city, people)

    told = Notification.objects.filter(case=case)
    assert sorted(told.values_list("user__username", "kind")) == sorted(
        (officer.username, "case_created") for officer in officers[:-2]
    )
    assert not told.filter(user__in=[gone, unpermitted, people.officer_b, people.citizen]).exists()


def test_creating_a_case_over_the_api_costs_a_fixed_number_of_queries(
    api, city, people, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    _officers(city, 4)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    body = {
        "category": city.category.code,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
    }
    assert api.post("/api/v1/cases/", body, format="json").status_code == 201  # warm

    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(API_CREATE_QUERIES),
    ):
        response = api.post("/api/v1/cases/", body, format="json")

    assert response.status_code == 201
    answer = response.json()
    assert answer["grid"] == city.grid_a.code and answer["status"] == "submitted"
    assert answer["available_actions"] == ["withdraw", "note"]
    assert Notification.objects.filter(case__tracking_id=answer["id"]).count() == 5
