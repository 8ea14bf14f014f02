"""Issue 10, staff productivity: bulk actions beyond dispatch (accept, reject with a reason, an
internal note), each through its workflow function and checked per case; the notice counts
what was done and lists each refused case with its reason."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from governance import workflow
from governance.models import Case, CaseEvent, EventKind, Status

BULK = "governance:bulk_action"


def _case(city, people, point=None):
    lon, lat = point or city.point_a
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=lon,
        lat=lat,
        answers={"amount": "large"},
    )


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_accept_in_bulk_counts_and_lists_the_refused(client, city, people, english):
    a, b = _case(city, people), _case(city, people)
    workflow.file_case(case_id=b.pk, actor=people.dispatcher)  # already accepted
    client.force_login(people.dispatcher)
    response = client.post(
        reverse(BULK),
        {"operation": "accept", "cases": [a.tracking_id, b.tracking_id, "261129-NOSUCH"]},
    )
    assert response.status_code == 302 and response.url == reverse("governance:queue")
    assert Case.objects.get(pk=a.pk).status == Status.FILED
    said = _said(response)
    assert "1 case accepted." in said
    assert "2 cases were not changed:" in said
    assert any(line.startswith(b.tracking_id + ": ") for line in said)
    assert "261129-NOSUCH: There is no such case." in said


def test_reject_in_bulk_needs_a_reason_and_gives_it_to_each(client, city, people, english):
    cases = [_case(city, people) for _ in range(2)]
    ids = [c.tracking_id for c in cases]
    client.force_login(people.dispatcher)
    response = client.post(reverse(BULK), {"operation": "reject", "cases": ids, "reason": " "})
    assert "Write the reason first; nothing was changed." in _said(response)
    assert not Case.objects.filter(status=Status.REJECTED).exists()
    response = client.post(
        reverse(BULK), {"operation": "reject", "cases": ids, "reason": "不属于受理范围"}
    )
    assert "2 cases rejected." in _said(response)
    for case in cases:
        event = CaseEvent.objects.get(case=case, kind=EventKind.REJECTED)
        assert event.note == "不属于受理范围" and event.audience == "reporter"


def test_an_internal_note_in_bulk_stays_internal(client, city, people, english):
    cases = [_case(city, people) for _ in range(2)]
    client.force_login(people.officer_a)
    response = client.post(
        reverse(BULK),
        {"operation": "note", "cases": [c.tracking_id for c in cases], "text": "已电话联系"},
    )
    assert "An internal note was added to 2 cases." in _said(response)
    notes = CaseEvent.objects.filter(kind=EventKind.NOTE, note="已电话联系")
    assert notes.count() == 2 and {n.audience for n in notes} == {"internal"}
    client.force_login(people.citizen)
    html = client.get(reverse("citizens:request", args=[cases[0].tracking_id])).content.decode()
    assert "已电话联系" not in html


@pytest.mark.parametrize("operation", ["accept", "reject", "note", "dispatch"])
def test_an_officer_of_another_grid_changes_nothing_in_bulk(client, city, people, operation):
    case = _case(city, people)
    if operation == "dispatch":
        workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    before = list(case.events.values_list("pk", flat=True))
    client.force_login(people.officer_b)
    data = {"operation": operation, "cases": [case.tracking_id], "reason": "x", "text": "x"}
    response = client.post(reverse(BULK), data)
    assert response.status_code == 302
    assert list(case.events.values_list("pk", flat=True)) == before
    # Told as if the case did not exist: nothing about it leaks.
    assert f"{case.tracking_id}: There is no such case." in _said(response)


def test_an_officer_may_not_accept_in_their_own_grid(client, city, people, english):
    case = _case(city, people)
    client.force_login(people.officer_a)  # sees it, may not accept (intake)
    response = client.post(reverse(BULK), {"operation": "accept", "cases": [case.tracking_id]})
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    assert any(s.startswith(case.tracking_id + ": You may not accept") for s in _said(response))


def test_citizens_own_requests_are_not_theirs_to_act_on_in_bulk(client, city, people, english):
    case = _case(city, people)
    client.force_login(people.citizen)
    response = client.post(
        reverse(BULK), {"operation": "note", "cases": [case.tracking_id], "text": "x"}
    )
    assert not case.events.filter(kind=EventKind.NOTE).exists()
    assert f"{case.tracking_id}: There is no such case." in _said(response)


def test_the_queue_offers_the_bulk_operations_the_person_has(client, city, people, english):
    _case(city, people)
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:queue")).content.decode()
    for value in ("accept", "dispatch", "reject", "note"):
        assert f'name="operation" value="{value}"' in html
    client.force_login(people.officer_a)
    html = client.get(reverse("governance:queue")).content.decode()
    assert 'value="note"' in html and 'value="accept"' not in html
    assert 'value="dispatch"' not in html


def test_bulk_action_is_post_only(client, people):
    client.force_login(people.dispatcher)
    assert client.get(reverse(BULK)).status_code == 405
