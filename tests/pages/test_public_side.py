"""The public side: the map-first home, the paginated public list, a request's story, its
printable page with a QR code, and a pin outside every grid — as anonymous people see them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import workflow
from governance.places import find_places
from governance.public import PAGE_SIZE

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
OUTSIDE = (121.5, 31.5)  # far from every grid of the test city


def _submit(city, people, *, lon=120.02, lat=30.02, description="路边垃圾没人收", **extra):
    return workflow.submit_case(
        actor=people.citizen,
        category=extra.pop("category", city.category),
        description=description,
        lon=lon,
        lat=lat,
        answers={"amount": "small"} if "answers" not in extra else extra.pop("answers"),
        **extra,
    )


def _get(client, name, *args, lang="zh", **params):
    response = client.get(reverse(name, args=args), params, **(EN if lang == "en" else {}))
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


# --- finding a place --------------------------------------------------------------------------


def test_a_place_is_found_by_its_name_in_either_language_or_in_a_typed_address(city):
    assert [p.code for p in find_places("东街道")] == [city.street_a.code]
    assert [p.code for p in find_places("qinghu")] == [city.district.code]
    # An address names the district and the street: the street is the place meant.
    assert [p.code for p in find_places("青湖区东街道 12 号")] == [city.street_a.code]
    assert find_places("火星基地") == []
    assert len(find_places("网格")) == 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_finds_a_place_and_shows_the_requests_near_it_with_a_legend(
    client, city, people, lang
):
    near = _submit(city, people, lon=120.02, lat=30.02)
    far = _submit(city, people, lon=120.19, lat=30.04)
    html = _get(client, "citizens:home", lang=lang, q="东街道")
    assert near.tracking_id in html and far.tracking_id not in html
    assert ("Showing requests near" if lang == "en" else "附近的诉求") in html
    assert ("Report a problem here" if lang == "en" else "在这里反映问题") in html
    assert "/submit/?lon=120.050000&lat=30.025000" in html  # the street's centre
    # The legend names every status group beside its shape; the points carry the group.
    assert html.count('class="marker-shape marker-') >= 5
    assert ("Being handled" if lang == "en" else "处理中") in html
    assert '"group": "new"' in html


def test_home_says_honestly_when_nothing_matched_and_offers_the_alternatives(client, city):
    html = _get(client, "citizens:home", lang="en", q="Mars base")
    assert "Nothing here is called “Mars base”" in html
    assert "use your location" in html
    several = _get(client, "citizens:home", lang="en", q="网格")
    assert "Which place do you mean?" in several
    assert f"?place={city.grid_a.code}" in several


def test_home_with_my_location_names_the_grid_or_says_outside_every_grid(client, city, people):
    html = _get(client, "citizens:home", lang="en", lon="120.02", lat="30.02")
    assert "You are in grid 网格1." in html
    assert 'data-here="120.02,30.02"' in html
    outside = _get(client, "citizens:home", lang="en", lon=str(OUTSIDE[0]), lat=str(OUTSIDE[1]))
    assert "outside every grid" in outside
    assert "the city's dispatchers will look at it" in outside


def test_home_holds_one_page_of_requests_and_links_to_the_rest(client, city, people):
    for _ in range(PAGE_SIZE + 3):
        _submit(city, people)
    html = _get(client, "citizens:home", lang="en")
    assert html.count('class="case-link"') == PAGE_SIZE
    assert f"See all {PAGE_SIZE + 3} requests" in html


# --- the public list --------------------------------------------------------------------------


def test_the_public_list_is_paginated_with_counts_and_page_links(client, city, people):
    cases = [_submit(city, people) for _ in range(PAGE_SIZE + 5)]
    first = _get(client, "citizens:public", lang="en")
    assert f"Requests 1–{PAGE_SIZE} of {PAGE_SIZE + 5}" in first
    assert 'aria-current="page">1<' in first and "?page=2" in first
    second = _get(client, "citizens:public", lang="en", page="2")
    assert f"Requests {PAGE_SIZE + 1}–{PAGE_SIZE + 5} of {PAGE_SIZE + 5}" in second
    assert second.count('class="case-link"') == 5
    assert cases[0].tracking_id in second  # newest first: the oldest is on the last page


def test_the_public_list_filters_by_category_status_and_area(client, city, people):
    in_a = _submit(city, people, lon=120.02, lat=30.02)
    in_b = _submit(city, people, lon=120.16, lat=30.02, category=city.urgent_category, answers={})
    workflow.file_case(case_id=in_b.pk, actor=people.dispatcher)
    by_area = _get(client, "citizens:public", area=city.street_a.code)
    assert in_a.tracking_id in by_area and in_b.tracking_id not in by_area
    by_category = _get(client, "citizens:public", category=str(city.urgent_category.pk))
    assert in_b.tracking_id in by_category and in_a.tracking_id not in by_category
    by_status = _get(client, "citizens:public", status="filed")
    assert in_b.tracking_id in by_status and in_a.tracking_id not in by_status
    # The area picker lists districts, streets and communities by name.
    assert f'<option value="{city.street_b.code}">' in by_area


def test_the_public_list_puts_the_nearest_first_when_a_place_is_given(client, city, people):
    far = _submit(city, people, lon=120.027, lat=30.027)
    near = _submit(city, people, lon=120.021, lat=30.021)
    beyond = _submit(city, people, lon=120.045, lat=30.045)  # more than about 1 km away
    html = _get(client, "citizens:public", lang="en", lon="120.02", lat="30.02")
    assert html.index(near.tracking_id) < html.index(far.tracking_id)
    assert "nearest first" in html and beyond.tracking_id not in html
    newest = _get(client, "citizens:public", lang="en")
    assert newest.index(beyond.tracking_id) < newest.index(near.tracking_id)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("citizens:public"), params)
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "东街道"}, {"lon": "120.02", "lat": "30.02"}])
def test_the_public_list_costs_the_same_queries_whatever_the_number_of_requests(
    client, city, people, params
):
    for _ in range(3):
        _submit(city, people)
    few = _queries(client, **params)
    for _ in range(PAGE_SIZE + 10):
        case = _submit(city, people)
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
    assert _queries(client, **params) == few
    assert _queries(client, page="2", **params) == few


# --- the story of a request -------------------------------------------------------------------


def _dispatched(city, people):
    case = _submit(city, people, contact={"name": "王小明", "phone": "13800000009"})
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.street_leader, note="派给城管，内部说明")
    workflow.add_note(
        case_id=case.pk, actor=people.admin, text="内部：物业推诿", audience="internal"
    )
    return case


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_public_page_tells_the_story_without_internal_notes_or_personal_data(
    client, city, people, lang
):
    case = _dispatched(city, people)
    html = _get(client, "citizens:public_request", case.tracking_id, lang=lang)
    expected = {
        "en": [
            "Exposed garbage",
            "路边垃圾没人收",
            "The case has been passed to the people who will fix it.",
            "Next: they start the work and report when it is done.",
            "City management",
            "Expected by",
        ],
        "zh": ["暴露垃圾", "路边垃圾没人收", "城管局", "预计完成"],
    }[lang]
    for text in expected:
        assert text in html, text
    for secret in ("内部：物业推诿", "派给城管，内部说明", "王小明", "13800000009"):
        assert secret not in html
    # The due date in the reader's locale, not an ISO string.
    year = str(case.due_at.year) if hasattr(case, "due_at") else ""
    case.refresh_from_db()
    assert year and (f"{case.due_at.year}年" in html if lang == "zh" else "," in html)
    # The share control and the printable page.
    assert f'value="http://testserver/public/{case.tracking_id}/"' in html
    assert reverse("citizens:public_print", args=[case.tracking_id]) in html
    assert 'id="follow"' in html  # the spot the Follow button goes


def test_a_request_outside_every_grid_says_the_city_dispatchers_have_it(client, city, people):
    case = _submit(city, people, lon=OUTSIDE[0], lat=OUTSIDE[1])
    html = _get(client, "citizens:public_request", case.tracking_id, lang="en")
    assert "The city's dispatchers" in html and "assign it to a grid" in html
    client.force_login(people.citizen)
    own = _get(client, "citizens:request", case.tracking_id, lang="en")
    assert "assign it to a grid" in own
    assert "not yet dispatched" not in own
    zh = _get(client, "citizens:request", case.tracking_id)
    assert "市级调度员" in zh


def test_the_reporter_page_says_who_has_it_in_each_state(client, city, people):
    case = _submit(city, people)
    client.force_login(people.citizen)
    assert "The officers of grid 网格1, who will check it." in _get(
        client, "citizens:request", case.tracking_id, lang="en"
    )
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.street_leader)
    live = _get(client, "citizens:request_live", case.tracking_id, lang="en")
    assert "Who has it: City management" in live


def test_the_print_page_has_the_tracking_id_and_a_qr_code_of_the_absolute_link(
    client, city, people
):
    case = _dispatched(city, people)
    html = _get(client, "citizens:public_print", case.tracking_id, lang="en")
    assert case.tracking_id in html
    assert re.search(r'<svg [^>]*class="qr"', html)
    assert "<title>QR code of the link to this request</title>" in html
    assert f"http://testserver/public/{case.tracking_id}/" in html
    assert "内部：物业推诿" not in html and "13800000009" not in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize("name", ["citizens:public_request", "citizens:public_print"])
def test_a_private_category_shows_no_description_address_or_exact_point_anywhere(
    client, city, people, scenario, name
):
    case = scenario.private_case
    case.address = "幸福小区3栋402室"
    case.save(update_fields=["address"])
    for lang in ("zh", "en"):
        html = _get(client, name, case.tracking_id, lang=lang)
        for secret in ("申请上门助餐", "幸福小区", "120.012345", "30.016789", "张三"):
            assert secret not in html, secret
    listed = _get(client, "citizens:public", lang="en")
    home = _get(client, "citizens:home", lang="en", lon="120.0123", lat="30.0168")
    for html in (listed, home):
        assert case.tracking_id in html
        assert "120.012345" not in html and "申请上门助餐" not in html


def test_an_unknown_request_has_no_public_or_print_page(client, city):
    for name in ("citizens:public_request", "citizens:public_print"):
        assert client.get(reverse(name, args=["NOPE"])).status_code == 404


# --- the submit page and a pin outside every grid ---------------------------------------------


def test_report_here_opens_the_submit_page_with_the_pin_and_the_outside_warning(client, city):
    html = _get(client, "citizens:submit", lang="en", lon="120.02", lat="30.02")
    assert 'value="120.02"' in html and 'value="30.02"' in html
    assert 'id="pin-outside"' in html
    assert "the city's dispatchers will look at it and pass it to the right grid" in html
    zh = _get(client, "citizens:submit", lon="bad", lat="30.02")
    assert 'name="lon" id="id_lon"' in zh
