"""The incident pages: who gets which page (and who a 404, 403 or the sign-in), and what the
board's buttons do."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from django.utils import translation

from emergency import incidents, linking, plans
from emergency.models import (
    Answer,
    Incident,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
    Notice,
    Plan,
    PlanStep,
    Recipient,
    StepLimitUnit,
    Task,
)
from governance import clock
from governance.models import Role
from notifications.models import Notification
from tests.cases import submit
from tests.factories import square

pytestmark = pytest.mark.django_db


@pytest.fixture
def flood(city, people):
    return incidents.declare_incident(
        by=people.street_leader,
        title="暴雨内涝",
        title_en="Rainstorm flooding",
        kind=IncidentKind.FLOOD,
        level=2,
        areas=[city.community_a],
        exercise=True,
        categories=[city.category],
    )


@pytest.fixture
def activated(city, people, flood):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD, min_level=1, max_level=4)
    PlanStep.objects.create(
        plan=plan,
        order=1,
        title="排查积水点",
        owner_role=Role.OFFICER,
        limit=30,
        limit_unit=StepLimitUnit.MINUTES,
    )
    activation, _created = plans.activate_plan(incident=flood, plan=plan, by=people.street_leader)
    return activation.tasks.get()


def board_pages(incident: Incident) -> list[str]:
    return [
        reverse("emergency:incident", args=[incident.pk]),
        reverse("emergency:incident_map", args=[incident.pk]),
        reverse("emergency:report", args=[incident.pk]),
        reverse("emergency:report_xlsx", args=[incident.pk]),
    ]


def test_visitors_are_sent_to_sign_in_everywhere(client, flood, activated):
    pages = [
        reverse("emergency:incidents"),
        reverse("emergency:declare"),
        reverse("emergency:my_tasks"),
        *board_pages(flood),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert "/login" in response["Location"] or "signin" in response["Location"]
    response = client.post(
        reverse("emergency:incident_status", args=[flood.pk]), {"status": "closed"}
    )
    assert response.status_code == 302
    flood.refresh_from_db()
    assert flood.status == IncidentStatus.REPORTED


def test_citizens_and_clerks_are_refused(client, people, flood):
    for person in (people.citizen, people.clerk):
        client.force_login(person)
        assert client.get(reverse("emergency:incidents")).status_code == 403
        assert client.get(reverse("emergency:declare")).status_code == 403
        for page in board_pages(flood):
            assert client.get(page).status_code == 404, page
    client.force_login(people.citizen)
    assert client.get(reverse("emergency:my_tasks")).status_code == 403


def test_an_officer_of_another_street_sees_nothing_of_it(client, people, flood, activated):
    client.force_login(people.officer_b)
    listed = client.get(reverse("emergency:incidents"))
    assert listed.status_code == 200
    assert "暴雨内涝" not in listed.content.decode()
    for page in board_pages(flood):
        assert client.get(page).status_code == 404, page
    for name in ("incident_status", "incident_note", "link_cases", "together", "activate"):
        response = client.post(reverse(f"emergency:{name}", args=[flood.pk]), {"status": "closed"})
        assert response.status_code == 404, name
    feedback = reverse("emergency:task_feedback", args=[activated.pk])
    assert client.post(feedback, {"feedback": "x"}).status_code == 404
    assert flood.events.count() == 2  # declared, plan activated


def test_the_officer_in_the_area_sees_the_board_and_may_not_manage(client, people, flood):
    client.force_login(people.officer_a)
    page = client.get(reverse("emergency:incident", args=[flood.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "暴雨内涝" in text
    assert "level-orange" in text and "exercise" in text
    assert reverse("emergency:incident_status", args=[flood.pk]) not in text
    refused = client.post(
        reverse("emergency:incident_status", args=[flood.pk]), {"status": "confirmed"}
    )
    assert refused.status_code == 403
    flood.refresh_from_db()
    assert flood.status == IncidentStatus.REPORTED
    client.post(reverse("emergency:incident_note", args=[flood.pk]), {"text": "积水30厘米"})
    assert flood.events.filter(kind=IncidentEventKind.NOTE, note="积水30厘米").exists()


def test_the_list_shows_open_incidents_first_with_the_exercise_badge(client, people, flood):
    closed = incidents.declare_incident(
        by=people.street_leader,
        title="已结束",
        kind=IncidentKind.FIRE,
        level=4,
        areas=[city_grid(people)],
    )
    incidents.change_status(incident_id=closed.pk, by=people.street_leader, to="closed")
    client.force_login(people.street_leader)
    text = client.get(reverse("emergency:incidents")).content.decode()
    assert text.index("暴雨内涝") < text.index("已结束")
    assert "EXERCISE" in text or "演练" in text


def city_grid(people):
    return people.officer_a.assignments.get().area


def test_declaring_on_the_page_with_areas_or_a_drawing(client, city, people):
    client.force_login(people.dispatcher)
    form = client.get(reverse("emergency:declare"))
    assert form.status_code == 200
    response = client.post(
        reverse("emergency:declare"),
        {
            "title": "燃气泄漏",
            "kind": IncidentKind.GAS,
            "level": 3,
            "areas": [city.street_b.pk],
            "area_codes": city.grid_a.code,
        },
    )
    incident = Incident.objects.get(title="燃气泄漏")
    assert response.status_code == 302
    assert response["Location"] == reverse("emergency:incident", args=[incident.pk])
    assert {row.area for row in incident.affected.all()} == {city.street_b, city.grid_a}
    client.post(
        reverse("emergency:declare"),
        {
            "title": "画出的范围",
            "kind": IncidentKind.FLOOD,
            "level": 4,
            "polygon": json.dumps(square(120.16, 30.01, 120.18, 30.02)),
        },
    )
    drawn = Incident.objects.get(title="画出的范围")
    assert [row.area for row in drawn.affected.all()] == [city.grid_b2]


def test_a_refused_declaration_says_why_and_declares_nothing(client, city, people):
    client.force_login(people.street_leader)
    response = client.post(
        reverse("emergency:declare"),
        {"title": "越界", "kind": IncidentKind.GAS, "level": 3, "area_codes": city.grid_b.code},
    )
    assert response.status_code == 200
    assert not Incident.objects.exists()
    response = client.post(
        reverse("emergency:declare"), {"title": "无范围", "kind": "gas", "level": 3}
    )
    assert response.status_code == 200
    assert not Incident.objects.exists()


def test_the_manager_moves_status_links_and_handles_cases_from_the_board(
    client, city, people, flood
):
    case = submit(city, people)
    client.force_login(people.street_leader)
    page = client.get(reverse("emergency:incident", args=[flood.pk])).content.decode()
    assert case.tracking_id in page  # suggested
    client.post(reverse("emergency:link_cases", args=[flood.pk]), {"cases": [case.pk]})
    assert list(flood.cases.all()) == [case]
    client.post(
        reverse("emergency:together", args=[flood.pk]), {"action": "file", "note": "统一受理"}
    )
    case.refresh_from_db()
    assert case.status == "filed"
    client.post(reverse("emergency:incident_status", args=[flood.pk]), {"status": "confirmed"})
    flood.refresh_from_db()
    assert flood.status == IncidentStatus.CONFIRMED
    refused = client.post(
        reverse("emergency:incident_status", args=[flood.pk]), {"status": "reported"}, follow=True
    )
    assert (
        "Nothing was changed" in refused.content.decode()
        or "未作任何更改" in refused.content.decode()
    )
    flood.refresh_from_db()
    assert flood.status == IncidentStatus.CONFIRMED
    geojson = client.get(reverse("emergency:incident_map", args=[flood.pk])).json()
    layers = [f["properties"]["layer"] for f in geojson["features"]]
    assert layers == ["areas", "cases"]
    client.post(reverse("emergency:unlink_case", args=[flood.pk, case.pk]))
    assert not flood.cases.exists()


def test_activating_on_the_board_and_feedback_on_my_tasks(client, people, flood):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD, min_level=1, max_level=4)
    PlanStep.objects.create(
        plan=plan, order=1, title="排查积水点", owner_role=Role.OFFICER, limit=30
    )
    client.force_login(people.street_leader)
    client.post(reverse("emergency:activate", args=[flood.pk]), {"plan": plan.pk})
    client.post(reverse("emergency:activate", args=[flood.pk]), {"plan": plan.pk})
    task = Task.objects.get()
    [told] = Notification.objects.filter(user=people.officer_a, kind="emergency_task")
    assert told.params["title_en"] == "排查积水点 (EXERCISE · Rainstorm flooding)"
    client.force_login(people.officer_a)
    page = client.get(reverse("emergency:my_tasks")).content.decode()
    assert "排查积水点" in page
    assert reverse("emergency:task_feedback", args=[task.pk]) in page
    response = client.post(
        reverse("emergency:task_feedback", args=[task.pk]),
        {"feedback": "三处积水", "back": "tasks"},
    )
    assert response["Location"] == reverse("emergency:my_tasks")
    task.refresh_from_db()
    assert task.feedback == "三处积水"
    client.force_login(people.clerk)
    assert "排查积水点" not in client.get(reverse("emergency:my_tasks")).content.decode()


def test_the_report_page_and_xlsx_hold_the_steps_cases_and_timeline(
    client, city, people, flood, activated
):
    from openpyxl import load_workbook

    case = submit(city, people)
    linking.link_cases(incident_id=flood.pk, by=people.street_leader, case_ids=[case.pk])
    plans.record_feedback(task_id=activated.pk, by=people.officer_a, text="三处积水")
    now = clock.now()
    notice = Notice.objects.create(
        incident=flood, title="立即转移", body="请转移", sent_at=now, recipient_count=2
    )
    Recipient.objects.create(
        notice=notice,
        user=people.officer_a,
        area=city.grid_a,
        last_sent_at=now,
        answer="on_my_way",
        answered_at=now,
    )
    Recipient.objects.create(notice=notice, user=people.street_leader, last_sent_at=now)
    incidents.change_status(incident_id=flood.pk, by=people.street_leader, to="closed")
    client.force_login(people.street_leader)
    page = client.get(reverse("emergency:report", args=[flood.pk])).content.decode()
    assert "排查积水点" in page and "三处积水" in page and case.tracking_id in page
    assert "立即转移" in page and "1/2" in page
    response = client.get(reverse("emergency:report_xlsx", args=[flood.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    steps = [list(row) for row in book.worksheets[2].iter_rows(values_only=True)]
    assert steps[1][1] == "1. 排查积水点" and steps[1][4] == "三处积水"
    cases = [list(row) for row in book.worksheets[3].iter_rows(values_only=True)]
    assert cases[1][0] == case.tracking_id
    with translation.override("zh-hans"):  # the reader's language (the site's default)
        answer_in_chinese = str(Answer.ON_MY_WAY.label)
    acks = [list(row) for row in book.worksheets[4].iter_rows(values_only=True)][1:]
    assert [(row[1], row[5]) for row in acks] == [
        ("officer_a", answer_in_chinese),
        ("street_leader", None),
    ]
    timeline = [row[1] for row in book.worksheets[1].iter_rows(values_only=True)][1:]
    assert len(timeline) == flood.events.count() == 5


def test_the_board_reads_a_bounded_number_of_queries(
    client, city, people, flood, activated, django_assert_max_num_queries
):
    cases = [submit(city, people) for _ in range(5)]
    linking.link_cases(
        incident_id=flood.pk, by=people.street_leader, case_ids=[c.pk for c in cases]
    )
    client.force_login(people.street_leader)
    page = reverse("emergency:incident", args=[flood.pk])
    client.get(page)
    with django_assert_max_num_queries(20):
        assert client.get(page).status_code == 200
    more = [submit(city, people) for _ in range(10)]
    linking.link_cases(incident_id=flood.pk, by=people.street_leader, case_ids=[c.pk for c in more])
    with django_assert_max_num_queries(20):
        assert client.get(page).status_code == 200


def test_the_manager_changes_the_affected_areas_and_an_officer_may_not(client, city, people, flood):
    page = reverse("emergency:incident_areas", args=[flood.pk])
    client.force_login(people.officer_a)
    assert client.get(page).status_code == 403
    client.force_login(people.officer_b)
    assert client.get(page).status_code == 404
    client.force_login(people.street_leader)
    assert client.get(page).status_code == 200
    refused = client.post(page, {"area_codes": city.grid_b.code})
    assert refused.status_code == 200  # the form again, saying why
    response = client.post(page, {"areas": [city.street_a.pk], "note": "扩大范围"})
    assert response.status_code == 302
    assert [row.area for row in flood.affected.all()] == [city.street_a]
    assert flood.events.last().kind == IncidentEventKind.AREAS
