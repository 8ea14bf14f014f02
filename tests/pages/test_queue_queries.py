"""The work queue and the API list in a constant, small number of queries, for every persona.

The person's scope (area paths per permission, departments, sharing grants in force, whether
they hold an assignment) is read in one query and remembered for the rest of the request, so
the filter form, the case filter, the dispatch check and the navigation do not each read it.
"""

import pytest
from django.urls import reverse

from governance import workflow
from governance.models import Category
from tests.scenario import token_for

STAFF = ["officer_a", "street_leader", "dispatcher", "clerk", "other_clerk"]


@pytest.fixture
def many_cases(scenario, city, people):
    for n in range(12):
        workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description=f"垃圾 {n}",
            lon=(120.01, 120.07, 120.11)[n % 3],
            lat=30.01,
            answers={"amount": "small"},
        )


@pytest.mark.parametrize("who", STAFF)
def test_the_queue_page_in_four_queries(
    client, many_cases, people, who, django_assert_max_num_queries
):
    client.force_login(getattr(people, who))
    client.get(reverse("governance:queue"))  # the first page fills the caches
    # The scope (one query for the whole request), the per-status counts (they also give the
    # paginator its count), the page of cases, the unread notifications in the header. The
    # session and the account come from Redis (governance.sessions, governance.cached_users),
    # the saved filters too (governance.saved_filters); the category and department lists are
    # per-process copies. (Before: 16-18, the scope alone read five times; then 7.)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("governance:queue"))
    assert response.status_code == 200
    with django_assert_max_num_queries(3):  # the live list fragment: no header
        assert client.get(reverse("governance:queue_list")).status_code == 200


def test_the_queue_area_filter_suggests_the_persons_own_areas(client, city, people, scenario):
    client.force_login(people.street_leader)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("governance:queue")).content.decode()
    assert f'<option value="{city.street_a.code}">' in html
    assert f'<option value="{city.grid_b.code}">' not in html
    # A grid beneath their street can be typed; one outside it is refused, not silently empty.
    shown = client.get(reverse("governance:queue"), {"area": city.grid_a.code}).content.decode()
    assert scenario.case_a.tracking_id in shown
    refused = client.get(reverse("governance:queue"), {"area": city.grid_b.code})
    assert "not one of your areas" in refused.content.decode()


@pytest.mark.parametrize("who", [*STAFF, "citizen"])
def test_the_api_list_in_two_queries_with_a_session(
    client, many_cases, people, who, django_assert_max_num_queries
):
    client.force_login(getattr(people, who))
    client.get("/api/v1/cases/?page_size=2")  # fills the cached session and account
    # the scope, the page of cases (cursor pagination: no count); the session and the account
    # from Redis. (Before: 4.)
    with django_assert_max_num_queries(2):
        first = client.get("/api/v1/cases/?page_size=2")
    assert first.status_code == 200
    if first.json()["next"]:
        with django_assert_max_num_queries(2):
            assert client.get(first.json()["next"]).status_code == 200


@pytest.mark.parametrize("who", [*STAFF, "citizen"])
def test_the_api_list_in_three_queries_with_a_token(
    api, many_cases, people, who, django_assert_max_num_queries
):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(getattr(people, who))}")
    # the token with its user, the scope, the page of cases.
    with django_assert_max_num_queries(3):
        first = api.get("/api/v1/cases/?page_size=2")
    assert first.status_code == 200 and first.json()["results"]
    if first.json()["next"]:
        with django_assert_max_num_queries(3):
            assert api.get(first.json()["next"]).status_code == 200


def test_a_new_category_is_offered_in_the_queue_filter_at_once(client, city, people, english):
    client.force_login(people.dispatcher)
    assert "Pothole" not in client.get(reverse("governance:queue")).content.decode()
    pothole = Category.objects.create(
        family="component", code="component-0999", name="坑洼", name_en="Pothole", general_limit=2
    )
    client.cookies["django_language"] = "en"
    html = client.get(reverse("governance:queue")).content.decode()
    assert f'<option value="{pothole.pk}">Pothole</option>' in html
    pothole.delete()
    assert "Pothole" not in client.get(reverse("governance:queue")).content.decode()


def test_the_queue_filters_by_category(client, scenario, city, people):
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:queue"), {"category": city.urgent_category.pk})
    assert scenario.case_b.tracking_id in html.content.decode()
    assert scenario.case_a.tracking_id not in html.content.decode()
