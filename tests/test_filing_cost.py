"""What filing a case costs in SQL: a fixed number of queries, however many people are told.

Counted inside the test's transaction (a savepoint and its release where production has BEGIN
and COMMIT). Who is told, their notifications, pushes and messages, and the duplicate check are
the outbox relay's work after commit (run here when the captured commit callbacks run, after
the count), not the request's.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizens.models import User
from governance import workflow
from governance.models import AccessLog, ApiKey, AreaUserObjectPermission, Assignment, Channel
from notifications.models import Notification
from tests.cases import submit
from tests.scenario import token_for

# The grid (routing found its id), savepoint + release, the case, its event, and the one outbox
# row naming the event for the relay (before the outbox: 12, with everybody's notifications).
SUBMIT_QUERIES = 6
# The reporter's scope (read once for the request: by the filing limit, remembered for the
# answer), submit_case, then the answer's re-check: the case with one column per action it
# shows. The token and its account come from the cache once the token has been used
# (`governance.api_tokens`; its first use reads both in one query). The answer is built from
# what was written: the case is not read back, nor its contact.
API_AROUND_SUBMIT = 1 + 1
API_CREATE_QUERIES = API_AROUND_SUBMIT + SUBMIT_QUERIES
# The API key; the category and its questions come from this process's copy.
OPEN311_AROUND_SUBMIT = 1


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


def _queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def test_the_api_adds_three_queries_to_submit_case_and_answers_from_what_was_written(
    api, city, people, django_capture_on_commit_callbacks
):
    _officers(city, 3)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    body = {
        "category": city.category.code,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
        "contact": {"phone": "13800138000"},
    }
    arguments = {
        "actor": people.citizen,
        "category": city.category,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
        "contact": {"phone": "13800138000"},
        "channel": Channel.WEB,
    }
    assert api.post("/api/v1/cases/", body, format="json").status_code == 201  # warm
    # The request's own queries: the relay's work after commit is not the request's.
    with django_capture_on_commit_callbacks(execute=False):
        submitted, _case = _queries(lambda: workflow.submit_case(**arguments))
    with django_capture_on_commit_callbacks(execute=False):
        created, response = _queries(lambda: api.post("/api/v1/cases/", body, format="json"))

    assert response.status_code == 201
    assert created == submitted + API_AROUND_SUBMIT
    answer = response.json()
    # The contact written with the case is in the answer (the reporter's own: not logged).
    assert answer["contact"] == {"name": "", "phone": "13800138000", "email": ""}
    assert answer["status"] == "submitted" and answer["available_actions"] == ["withdraw", "note"]
    assert not AccessLog.objects.filter(case__tracking_id=answer["id"]).exists()


def test_staff_filing_for_a_caller_sees_the_contact_written_only_with_the_right_logged(
    api, city, people
):
    body = {
        "category": city.category.code,
        "description": "来电：路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
        "channel": "hotline",
        "contact": {"name": "王先生", "phone": "13800138000"},
    }
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.street_leader)}")
    leader = api.post("/api/v1/cases/", body, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.officer_a)}")
    officer = api.post("/api/v1/cases/", body, format="json")

    assert leader.status_code == officer.status_code == 201
    # A leader sees personal data: the contact written, and the showing logged.
    assert leader.json()["contact"] == {"name": "王先生", "phone": "13800138000", "email": ""}
    [logged] = AccessLog.objects.filter(case__tracking_id=leader.json()["id"])
    assert logged.user == people.street_leader and logged.via == "api"
    assert sorted(logged.fields) == ["name", "phone"]
    # A grid officer does not: the caller's contact is not in the answer, nothing logged.
    assert officer.json()["contact"] is None
    assert not AccessLog.objects.filter(case__tracking_id=officer.json()["id"]).exists()


def test_a_case_filed_over_the_api_without_a_contact_answers_none(api, city, people):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    body = {
        "category": city.category.code,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
    }
    answer = api.post("/api/v1/cases/", body, format="json").json()

    assert answer["contact"] is None
    assert answer["grid"] == city.grid_a.code


def test_open311_filing_adds_only_the_api_key_to_submit_case(
    client, city, people, django_capture_on_commit_callbacks
):
    _officers(city, 3)
    _api_key, key = ApiKey.objects.issue("cost")
    form = {
        "api_key": key,
        "service_code": city.category.code,
        "description": "路边垃圾",
        "lat": str(city.point_a[1]),
        "long": str(city.point_a[0]),
        "attribute[amount]": "small",
        "email": "resident@example.org",
    }
    arguments = {
        "actor": AnonymousUser(),
        "category": city.category,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
        "contact": {"email": "resident@example.org"},
        "channel": Channel.API,
    }
    assert client.post("/open311/v2/requests.json", form).status_code == 200  # warm
    with django_capture_on_commit_callbacks(execute=False):  # the request's own queries
        submitted, _case = _queries(lambda: workflow.submit_case(**arguments))
    with django_capture_on_commit_callbacks(execute=False):
        posted, response = _queries(lambda: client.post("/open311/v2/requests.json", form))

    assert response.status_code == 200, response.content
    assert posted == submitted + OPEN311_AROUND_SUBMIT
    [document] = response.json()
    assert document["service_request_id"]


def test_open311_filing_sees_a_category_closed_since_the_copy_was_read(client, city):
    _api_key, key = ApiKey.objects.issue("cost")
    form = {
        "api_key": key,
        "service_code": city.category.code,
        "description": "路边垃圾",
        "lat": str(city.point_a[1]),
        "long": str(city.point_a[0]),
        "attribute[amount]": "small",
        "email": "resident@example.org",
    }
    assert client.post("/open311/v2/requests.json", form).status_code == 200
    city.category.active = False
    city.category.save()

    response = client.post("/open311/v2/requests.json", form)

    assert response.status_code == 404
    assert "service_code" in response.json()[0]["description"]
