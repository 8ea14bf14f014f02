"""The notification centre over the API: only one's own, unread count, mark read."""

import pytest

from governance import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description="路边垃圾",
            lon=city.point_a[0],
            lat=city.point_a[1],
            answers={"amount": "small"},
        )
        workflow.file_case(case_id=case.pk, actor=people.dispatcher)
        workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    return case


def test_a_citizen_reads_and_marks_their_own_notifications(api, people, dispatched):
    api.force_authenticate(people.citizen)
    listing = api.get("/api/v1/notifications/").json()["results"]
    assert listing, "the reporter is told of the status changes of their request"
    assert {n["tracking_id"] for n in listing} == {dispatched.tracking_id}
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": len(listing)}

    first = listing[0]["id"]
    assert api.post(f"/api/v1/notifications/{first}/read/").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": len(listing) - 1}
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": len(listing) - 1}
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 0}


def test_other_peoples_notifications_are_not_found(api, people, dispatched):
    api.force_authenticate(people.citizen)
    theirs = api.get("/api/v1/notifications/").json()["results"][0]["id"]
    api.force_authenticate(people.other_citizen)
    assert api.get("/api/v1/notifications/").json()["results"] == []
    assert api.get(f"/api/v1/notifications/{theirs}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs}/read/").status_code == 404
    api.force_authenticate(people.citizen)
    assert api.get("/api/v1/notifications/unread/").json()["unread"] > 0


def test_anonymous_is_asked_to_sign_in(api, dispatched):
    assert api.get("/api/v1/notifications/").status_code == 401


def test_a_malformed_id_gets_the_apis_json_404(api, people, dispatched):
    api.force_authenticate(people.citizen)
    for path in ("/api/v1/notifications/0.07/", "/api/v1/notifications/abc/read/"):
        response = api.get(path) if path.endswith("0.07/") else api.post(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
