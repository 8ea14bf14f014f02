"""Staff pages with the Django test client: queue scope, case page, transitions, filing."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import clock, workflow
from governance.models import Case, CaseEvent, Channel, Status
from tests.pages.helpers import png


def _case(city, people, point=None, **extra):
    lon, lat = point or city.point_a
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=lon,
        lat=lat,
        answers={"amount": "large"},
        contact={"name": "王小明", "phone": "13800000001"},
        **extra,
    )


def test_queue_shows_exactly_the_persons_cases(client, city, people):
    a = _case(city, people)
    b = _case(city, people, point=city.point_b)
    client.force_login(people.officer_b)
    html = client.get(reverse("governance:queue")).content.decode()
    assert b.tracking_id in html and a.tracking_id not in html
    assert client.get(reverse("governance:case", args=[a.tracking_id])).status_code == 404
    assert client.get(reverse("governance:case_live", args=[a.tracking_id])).status_code == 404
    listing = client.get(reverse("governance:queue_list")).content.decode()
    assert a.tracking_id not in listing and b.tracking_id in listing
    client.force_login(people.officer_a)
    html = client.get(reverse("governance:queue")).content.decode()
    assert a.tracking_id in html and b.tracking_id not in html
    assert 'data-live="queue"' in html and reverse("governance:queue_list") in html


def test_queue_filters_counts_and_overdue(client, city, people):
    first = _case(city, people)
    second = _case(city, people)
    workflow.file_case(case_id=second.pk, actor=people.dispatcher)
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:queue"), {"status": "filed"}).content.decode()
    assert second.tracking_id in html and first.tracking_id not in html
    assert "status-counts" in html
    Case.objects.filter(pk=first.pk).update(due_at=clock.now().replace(year=2000))
    html = client.get(reverse("governance:queue"), {"overdue": "on"}).content.decode()
    assert first.tracking_id in html and second.tracking_id not in html
    assert 'class="overdue"' in html
    html = client.get(reverse("governance:queue"), {"area": city.grid_b.code}).content.decode()
    assert first.tracking_id not in html


def test_queue_query_count_does_not_grow_with_cases(client, city, people):
    client.force_login(people.dispatcher)
    _case(city, people)
    client.get(reverse("governance:queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("governance:queue"))
    for _ in range(6):
        _case(city, people, point=city.point_b)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("governance:queue"))
    assert len(many) == len(few)


def test_case_page_buttons_are_the_available_actions(client, city, people):
    case = _case(city, people)
    client.force_login(people.officer_a)
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'data-action="file"' not in html  # an officer does not intake
    assert "王小明" not in html  # nor see personal data
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'data-action="file"' in html and 'data-action="reject"' in html
    assert 'data-action="dispatch"' not in html  # not from submitted
    assert "王小明" in html and "13800000001" in html
    assert 'data-live="case"' in html and f'data-tracking-id="{case.tracking_id}"' in html


def test_case_page_queries_for_an_officer_and_a_street_leader(
    client, city, people, django_assert_max_num_queries
):
    case = _case(city, people)
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    url = reverse("governance:case", args=[case.tracking_id])
    # Both: session and user (2); the scoped case: area paths, departments, grants, the case
    # (4); what the person may do, one `access.permitted` for the filed case's seven actions:
    # area paths for six of them, departments, grants for viewing and for personal data, and
    # the one row (10); events, their files, the category's questions, the photos (4).
    # The officer's layout: assignment, area paths twice, unread notifications (4) = 24.
    client.force_login(people.officer_a)
    with django_assert_max_num_queries(24):
        html = client.get(url).content.decode()
    assert 'data-action="note"' in html and 'data-action="dispatch"' not in html
    assert "王小明" not in html
    # The street leader also reads the contact and logs the showing (2), has one area-paths
    # query fewer in the layout, and the dispatch form lists the departments (1) = 26.
    client.force_login(people.street_leader)
    with django_assert_max_num_queries(26):
        html = client.get(url).content.decode()
    assert 'data-action="dispatch"' in html and "王小明" in html


def test_forbidden_transition_posted_by_hand_is_refused_and_changes_nothing(client, city, people):
    case = _case(city, people)
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    events_before = CaseEvent.objects.filter(case=case).count()
    client.force_login(people.officer_a)  # sees the case, may not dispatch
    response = client.post(
        reverse("governance:case_act", args=[case.tracking_id, "dispatch"]),
        {"dispatch-department": city.department.pk},
    )
    assert response.status_code == 403
    assert "dispatch" in response.content.decode() or "派遣" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.FILED and case.assignee_department is None
    assert CaseEvent.objects.filter(case=case).count() == events_before
    # A transition the state does not allow: refused, nothing changed.
    client.force_login(people.dispatcher)
    response = client.post(
        reverse("governance:case_act", args=[case.tracking_id, "close"]), {"close-note": "ok"}
    )
    assert response.status_code == 403  # the dispatcher does not verify
    response = client.post(reverse("governance:case_act", args=[case.tracking_id, "file"]), {})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.FILED


def test_reject_needs_a_reason_shown_next_to_the_field(client, city, people):
    case = _case(city, people)
    client.force_login(people.dispatcher)
    url = reverse("governance:case_act", args=[case.tracking_id, "reject"])
    response = client.post(url, {"reject-reason": ""})
    assert response.status_code == 400
    assert 'id="id_reject-reason_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_full_loop_through_the_case_page(client, city, people):
    case = _case(city, people)
    act = lambda name: reverse("governance:case_act", args=[case.tracking_id, name])  # noqa: E731
    client.force_login(people.dispatcher)
    assert client.post(act("file"), {}).status_code == 302
    assert (
        client.post(act("dispatch"), {"dispatch-department": city.department.pk}).status_code == 302
    )
    client.force_login(people.clerk)
    assert client.post(act("start"), {}).status_code == 302
    response = client.post(act("resolve"), {"resolve-note": "清理完毕", "resolve-files": [png()]})
    assert response.status_code == 302
    client.force_login(people.officer_a)
    assert client.post(act("close"), {"close-note": "核查通过"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.attachments.count() == 1


def test_csrf_is_enforced_on_transitions(city, people):
    case = _case(city, people)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(people.dispatcher)
    response = csrf_client.post(reverse("governance:case_act", args=[case.tracking_id, "file"]), {})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


@pytest.mark.parametrize(
    "name",
    ["governance:case_act", "citizens:request_act"],
)
def test_get_never_changes_state(client, city, people, name):
    case = _case(city, people)
    client.force_login(people.admin)
    for action in ("file", "withdraw", "reject"):
        response = client.get(reverse(name, args=[case.tracking_id, action]))
        assert response.status_code in (404, 405)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert client.get(reverse("governance:bulk_dispatch")).status_code == 405


def test_bulk_dispatch(client, city, people):
    cases = [_case(city, people) for _ in range(3)]
    for case in cases[:2]:
        workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    client.force_login(people.dispatcher)
    response = client.post(
        reverse("governance:bulk_dispatch"),
        {"cases": [c.tracking_id for c in cases], "department": city.other_department.pk},
    )
    assert response.status_code == 302
    statuses = [Case.objects.get(pk=c.pk).status for c in cases]
    assert statuses == [Status.DISPATCHED, Status.DISPATCHED, Status.SUBMITTED]
    assert Case.objects.get(pk=cases[0].pk).assignee_department == city.other_department


def test_bulk_dispatch_by_an_officer_changes_nothing(client, city, people):
    case = _case(city, people)
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    client.force_login(people.officer_a)
    client.post(reverse("governance:bulk_dispatch"), {"cases": [case.tracking_id]})
    case.refresh_from_db()
    assert case.status == Status.FILED


def test_officer_files_a_hotline_case_in_own_grid_only(client, city, people):
    client.force_login(people.officer_a)
    data = {
        "channel": "hotline",
        "category": city.category.pk,
        "description": "来电：垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "urgency": "general",
        "answer_amount": "small",
        "name": "李",
        "phone": "13600000000",
    }
    response = client.post(reverse("governance:file"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.HOTLINE and case.contact.phone == "13600000000"
    data.update(lon=city.point_b[0], lat=city.point_b[1])
    response = client.post(reverse("governance:file"), data)
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_citizen_may_not_open_staff_pages(client, city, people):
    client.force_login(people.citizen)
    assert client.get(reverse("governance:file")).status_code == 403
    assert client.get(reverse("governance:areas")).status_code == 403


def test_area_tree_counts(client, city, people):
    _case(city, people)
    b = _case(city, people, point=city.point_b)
    Case.objects.filter(pk=b.pk).update(due_at=clock.now().replace(year=2000))
    client.force_login(people.street_leader)
    response = client.get(reverse("governance:areas"))
    assert response.status_code == 200
    rows = {row["area"].code: row["counts"] for row in response.context["rows"]}
    assert city.grid_b.code not in rows  # outside the street leader's street
    assert rows[city.street_a.code]["open"] == 1
    client.force_login(people.admin)
    rows = {
        row["area"].code: row["counts"]
        for row in client.get(reverse("governance:areas")).context["rows"]
    }
    assert rows[city.district.code] == {"open": 2, "overdue": 1, "closed": 0}
    assert "area-outlines" in client.get(reverse("governance:areas")).content.decode()
