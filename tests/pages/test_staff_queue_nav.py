"""Issue 10, staff productivity: next / previous case within the queue the case was opened
from (its filters and order carried in `?queue=`), with j / k announced on the page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import clock, workflow
from governance.models import Case


def _case(city, people, *, hours: int, point=None):
    lon, lat = point or city.point_a
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=lon,
        lat=lat,
        answers={"amount": "small"},
    )
    Case.objects.filter(pk=case.pk).update(due_at=clock.now() + timedelta(hours=hours))
    return case


@pytest.fixture
def three(city, people):
    # Listed by due time: first, middle, last (made in another order).
    last = _case(city, people, hours=30)
    first = _case(city, people, hours=10)
    middle = _case(city, people, hours=20)
    return first, middle, last


def _page(client, case, query=""):
    url = reverse("governance:case", args=[case.tracking_id])
    client.cookies["django_language"] = "en"
    return client.get(url, {"queue": query}).content.decode()


def _link(case, query=""):
    from urllib.parse import urlencode

    return reverse("governance:case", args=[case.tracking_id]) + "?" + urlencode({"queue": query})


def test_queue_links_carry_the_queue(client, people, three):
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:queue"), {"status": "submitted"}).content.decode()
    url = reverse("governance:case", args=[three[0].tracking_id])
    assert f'{url}?queue=status%3Dsubmitted"' in html


def test_next_and_previous_follow_the_queue_order(client, people, three):
    first, middle, last = three
    client.force_login(people.dispatcher)
    html = _page(client, middle)
    assert f'href="{_link(first).replace("&", "&amp;")}" rel="prev"' in html
    assert f'href="{_link(last).replace("&", "&amp;")}" rel="next"' in html
    assert 'aria-keyshortcuts="j"' in html and "Keys: j for the next case" in html
    assert "queue-keys.js" in html
    html = _page(client, first)
    assert "First in the queue" in html and 'rel="prev"' not in html
    html = _page(client, last)
    assert "Last in the queue" in html and 'rel="next"' not in html


def test_the_filters_are_kept(client, city, people, three):
    first, middle, last = three
    workflow.file_case(case_id=middle.pk, actor=people.dispatcher)  # leaves "submitted"
    client.force_login(people.dispatcher)
    html = _page(client, first, "status=submitted")
    assert _link(last, "status=submitted").replace("&", "&amp;") in html
    # Opened from the queue though it has left the filter: still placed by its due time.
    html = _page(client, middle, "status=submitted")
    assert _link(first, "status=submitted") in html and _link(last, "status=submitted") in html
    # The queue link goes back to the same filtered queue.
    assert f'href="{reverse("governance:queue")}?status=submitted"' in html


def test_no_neighbour_the_person_may_not_see(client, city, people):
    mine = _case(city, people, hours=10)
    _case(city, people, hours=20, point=city.point_b)  # grid B: officer_a does not see it
    client.force_login(people.officer_a)
    html = _page(client, mine)
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_without_the_queue_no_navigation(client, people, three):
    client.force_login(people.dispatcher)
    url = reverse("governance:case", args=[three[1].tracking_id])
    assert 'rel="next"' not in client.get(url).content.decode()


def test_the_navigation_costs_a_bounded_number_of_queries(client, people, three, city):
    client.force_login(people.dispatcher)
    url = reverse("governance:case", args=[three[1].tracking_id])
    query = {"queue": f"status=submitted&category={city.category.pk}"}
    client.get(url)
    client.get(url, query)  # the category list, cached from then on
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    with CaptureQueriesContext(connection) as navigated:
        client.get(url, query)
    assert len(navigated) - len(plain) <= 2  # the two keyset queries
    for _ in range(10):
        _case(city, people, hours=5)
    with CaptureQueriesContext(connection) as more:
        client.get(url, query)
    assert len(more) == len(navigated)


def test_acting_keeps_the_queue(client, people, three):
    _first, middle, last = three
    client.force_login(people.dispatcher)
    html = _page(client, middle, "status=submitted")
    act = reverse("governance:case_act", args=[middle.tracking_id, "file"])
    assert f'action="{act}?queue=status%3Dsubmitted"' in html
    response = client.post(act + "?queue=status%3Dsubmitted", {"file-note": ""})
    assert response.url == _link(middle, "status=submitted")
    html = client.get(response.url).content.decode()
    assert _link(last, "status=submitted") in html  # still walking the same queue
