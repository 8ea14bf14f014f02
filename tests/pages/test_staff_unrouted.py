"""Issue 10, defect 2 (staff half): the city's unrouted queue is a real queue.

A case whose pin is outside every grid waits at the city; the dispatchers of the city's
districts see it (through `cases_for`, nothing else), are told when one arrives, find it with
the queue's "outside every grid" filter, accept it and route it to one of their grids.
"""

import pytest
from django.urls import reverse

from citizens.models import User
from governance import workflow
from governance.access import Action, cases_for, may
from governance.errors import InvalidInput, NotPermitted
from governance.models import Assignment, Case, EventKind
from notifications.models import Notification

OUTSIDE = (121.5, 31.5)


def _unrouted(city, people):
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="路灯坏了",
        lon=OUTSIDE[0],
        lat=OUTSIDE[1],
        answers={"amount": "small"},
    )


def test_district_dispatchers_see_and_work_the_unrouted_queue(city, people):
    case = _unrouted(city, people)
    assert case.grid is None
    assert list(cases_for(people.dispatcher)) == [case]
    for action in (Action.INTAKE, Action.DISPATCH, Action.SEE_PERSONAL_DATA):
        assert may(people.dispatcher, action, case)
    # Not what the grid's own staff do, and nobody below the district.
    assert not may(people.dispatcher, Action.VERIFY, case)
    for person in (people.officer_a, people.officer_b, people.street_leader, people.clerk):
        assert not may(person, Action.VIEW, case)
    assert not may(people.other_citizen, Action.VIEW, case)


def test_dispatchers_of_another_city_do_not_see_it(city, people):
    from governance.models import Area, Level

    other_city = Area.objects.create(code="339990", name="别市", level=Level.CITY)
    district = Area.objects.create(
        code="339991", name="别区", level=Level.DISTRICT, parent=other_city
    )
    outsider = User.objects.create_user("far_dispatcher", password="x")
    Assignment.objects.create(user=outsider, area=district, role="dispatcher")
    case = _unrouted(city, people)
    assert not may(outsider, Action.VIEW, case)


def test_district_dispatchers_are_told_when_an_unrouted_case_arrives(
    city, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _unrouted(city, people)
    told = set(Notification.objects.filter(case=case).values_list("user__username", flat=True))
    assert "dispatcher" in told
    assert not told & {"officer_a", "officer_b", "street_leader"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_filters_outside_every_grid(client, city, people, language):
    unrouted = _unrouted(city, people)
    routed = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = language
    html = client.get(reverse("governance:queue"), {"unrouted": "on"}).content.decode()
    assert unrouted.tracking_id in html and routed.tracking_id not in html
    assert ("不在任何网格内" if language == "zh-hans" else "Outside every grid") in html
    html = client.get(reverse("governance:queue")).content.decode()
    assert unrouted.tracking_id in html and routed.tracking_id in html


def test_a_dispatcher_routes_an_unrouted_case_to_their_grid(client, city, people):
    case = _unrouted(city, people)
    client.force_login(people.dispatcher)
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'data-action="route"' in page
    url = reverse("governance:case_act", args=[case.tracking_id, "route"])
    response = client.post(url, {"route-grid": city.grid_b.code, "route-note": "靠近B"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.grid == city.grid_b and case.area_path == city.grid_b.path
    routed = case.events.get(kind=EventKind.ROUTED)
    assert routed.audience == "reporter" and routed.data["grid"] == city.grid_b.code
    assert case.events.get(note="靠近B").audience == "internal"
    # Now the grid's officer has it; a routed case is not routed again.
    assert may(people.officer_b, Action.VIEW, case)
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'data-action="route"' not in page


def test_routing_is_refused_outside_the_dispatchers_grids_and_to_others(city, people):
    from governance.models import Area, Level

    case = _unrouted(city, people)
    other_city = Area.objects.create(code="339990", name="别市", level=Level.CITY)
    with pytest.raises(InvalidInput):
        workflow.route_case(case_id=case.pk, actor=people.dispatcher, grid=other_city)
    with pytest.raises(NotPermitted):
        workflow.route_case(case_id=case.pk, actor=people.officer_a, grid=city.grid_a)
    with pytest.raises(NotPermitted):
        workflow.route_case(case_id=case.pk, actor=people.street_leader, grid=city.grid_a)
    assert Case.objects.get(pk=case.pk).grid is None


def test_the_reporter_reads_the_grid_it_was_routed_to(client, city, people):
    case = _unrouted(city, people)
    workflow.route_case(case_id=case.pk, actor=people.dispatcher, grid=city.grid_a, note="内部")
    client.force_login(people.citizen)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("citizens:request", args=[case.tracking_id])).content.decode()
    name = city.grid_a.name_en or city.grid_a.name
    assert f"Now in the queue of grid {name}." in html
    assert "内部" not in html


def test_a_grid_may_be_named_instead_of_coded(client, city, people):
    case = _unrouted(city, people)
    city.grid_a.name_en = "Eastgate"
    city.grid_a.save()
    client.force_login(people.dispatcher)
    url = reverse("governance:case_act", args=[case.tracking_id, "route"])
    assert client.post(url, {"route-grid": "eastgate"}).status_code == 302
    assert Case.objects.get(pk=case.pk).grid == city.grid_a
