"""The queue's search box and the API's `q`: a hotline caller quoting a tracking id, a street,
words of the description or their phone is found, within what the person may see, and a phone
(or a private category's text) is never an oracle for those not permitted to see it."""

import pytest
from django.urls import reverse

from governance.models import AccessLog
from tests.scenario import token_for


def _queue(client, q, **extra):
    return client.get(reverse("governance:queue"), {"q": q, **extra})


def _listed(response, case) -> bool:
    """Whether the queue lists `case` (a link to it, carrying the queue for next / previous;
    the search text itself is echoed)."""
    url = reverse("governance:case", args=[case.tracking_id])
    html = response.content.decode()
    return f'href="{url}"' in html or f'href="{url}?queue=' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_offers_a_search_box(client, people, scenario, language):
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = language
    html = client.get(reverse("governance:queue")).content.decode()
    assert 'type="search"' in html and 'name="q"' in html
    assert ("搜索" if language == "zh-hans" else "Search") in html


def test_an_exact_tracking_id_opens_the_case(client, people, scenario):
    client.force_login(people.dispatcher)
    tracking_id = scenario.case_b.tracking_id
    for typed in (tracking_id, f"  {tracking_id.lower()} "):
        response = _queue(client, typed)
        assert response.status_code == 302
        assert response["Location"] == reverse("governance:case", args=[tracking_id])


def test_a_tracking_id_outside_the_persons_scope_finds_nothing(client, people, scenario):
    client.force_login(people.officer_a)
    response = _queue(client, scenario.case_b.tracking_id)
    assert response.status_code == 200
    assert not _listed(response, scenario.case_b)


def test_the_start_of_a_tracking_id_lists_the_matches(client, people, scenario):
    client.force_login(people.dispatcher)
    response = _queue(client, scenario.case_b.tracking_id[:10])
    assert _listed(response, scenario.case_b)
    assert _listed(response, scenario.case_a) == scenario.case_a.tracking_id.startswith(
        scenario.case_b.tracking_id[:10]
    )


def test_words_of_the_description_find_the_case_in_every_status(client, people, scenario):
    from governance import workflow

    workflow.withdraw_case(case_id=scenario.case_b.pk, actor=people.other_citizen)
    client.force_login(people.dispatcher)
    response = _queue(client, "井盖")
    assert _listed(response, scenario.case_b)  # withdrawn, still found by a search
    assert not _listed(response, scenario.case_a)


def test_a_phone_finds_cases_only_where_personal_data_may_be_seen(client, people, scenario):
    client.force_login(people.dispatcher)  # sees personal data in the district
    response = _queue(client, "138-0000-0002")
    assert _listed(response, scenario.case_b)
    assert not _listed(response, scenario.case_a)
    logged = AccessLog.objects.filter(user=people.dispatcher, case=scenario.case_b)
    assert logged.filter(fields=["phone"]).exists()
    # An officer sees case_a but not its personal data: the phone matches nothing.
    client.force_login(people.officer_a)
    assert _listed(_queue(client, "垃圾堆"), scenario.case_a)
    assert not _listed(_queue(client, "13800000001"), scenario.case_a)
    assert not AccessLog.objects.filter(user=people.officer_a).exists()


def test_a_phone_stored_with_spaces_is_found_by_its_digits(client, people, scenario):
    from governance.models import CaseContact

    CaseContact.objects.filter(case=scenario.case_b).update(phone="138 0000 0002")
    client.force_login(people.dispatcher)
    assert _listed(_queue(client, "13800000002"), scenario.case_b)
    assert _listed(_queue(client, "0000 0002"), scenario.case_b)


def test_a_private_categorys_description_is_no_oracle(client, people, scenario):
    # The clerk of the other department sees the private case through a grant without
    # personal data: its description does not find it.
    client.force_login(people.other_clerk)
    assert _listed(_queue(client, "", status="all"), scenario.private_case)
    assert not _listed(_queue(client, "助餐"), scenario.private_case)
    client.force_login(people.dispatcher)
    assert _listed(_queue(client, "助餐"), scenario.private_case)
    assert AccessLog.objects.filter(user=people.dispatcher, case=scenario.private_case).exists()


def test_the_api_list_searches_the_same_way(api, people, scenario):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.officer_a)}")

    def ids(q):
        return {c["id"] for c in api.get("/api/v1/cases/", {"q": q}).json()["results"]}

    assert ids("13800000001") == set()
    assert scenario.case_a.tracking_id in ids("垃圾堆")
    assert ids(scenario.case_a.tracking_id[:9]) >= {scenario.case_a.tracking_id}
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.dispatcher)}")
    assert scenario.case_b.tracking_id in ids("13800000002")
    logged = AccessLog.objects.filter(user=people.dispatcher, case=scenario.case_b, via="api")
    assert logged.exists()


def test_the_api_schema_documents_the_search(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    (q,) = [p for p in parameters if p["name"] == "q"]
    assert "tracking id" in q["description"] and "reporter's phone" in q["description"]


@pytest.mark.parametrize("who", ["officer_a", "dispatcher", "other_clerk"])
def test_a_search_keeps_the_queue_query_count(
    client, people, scenario, who, django_assert_max_num_queries
):
    client.force_login(getattr(people, who))
    client.get(reverse("governance:queue"))
    # As without a search (6, and the saved filters' chips: 7), plus the one INSERT of the
    # access log when a phone matched.
    with django_assert_max_num_queries(8):
        assert _queue(client, "13800000001").status_code == 200
    with django_assert_max_num_queries(7):
        assert _queue(client, "垃圾").status_code == 200
