"""Issue 10, staff productivity: response templates per category and action, offered on the
case page's action forms only where their audience fits the field (never internal text in a
public or reporter field), inserted with or without a script, in the reporter's language."""

import re

import pytest
from django.urls import reverse

from governance import workflow
from governance.models import Audience, Case, ResponseTemplate
from governance.response_templates import FIELD_AUDIENCES, fits
from governance.web import actions


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def _case(city, people, reporter=None):
    return workflow.submit_case(
        actor=reporter or people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )


def _template(title, audience, *, action="", category=None, en=""):
    return ResponseTemplate.objects.create(
        title=title,
        text=f"{title}的中文",
        text_en=en,
        audience=audience,
        action=action,
        category=category,
    )


def _offered(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r">([^<]+)</option>", match.group(1)) if match else []


def test_the_audience_rule():
    assert fits(Audience.PUBLIC, Audience.PUBLIC) and fits(Audience.PUBLIC, Audience.INTERNAL)
    assert fits(Audience.REPORTER, Audience.REPORTER)
    assert not fits(Audience.INTERNAL, Audience.REPORTER)
    assert not fits(Audience.INTERNAL, Audience.PUBLIC)
    assert not fits(Audience.REPORTER, Audience.PUBLIC)


def test_field_audiences_match_what_each_field_says(db):
    says = {
        str(actions.FOR_STAFF): Audience.INTERNAL,
        str(actions.FOR_REPORTER): Audience.REPORTER,
        str(actions.FOR_EVERYONE): Audience.PUBLIC,
    }
    for (name, field), audience in FIELD_AUDIENCES.items():
        form = actions.StaffNoteForm() if name == "note" else actions.ACTIONS[name].form()
        help_text = str(form.fields[field].help_text)
        if help_text in says:
            assert says[help_text] == audience, (name, field)
        else:  # dispatch instructions and a staff note: internal unless widened
            assert audience == Audience.INTERNAL, (name, field)


def test_only_fitting_templates_are_offered(client, city, people):
    case = _case(city, people)
    _template("内部提醒", Audience.INTERNAL)
    _template("告知居民", Audience.REPORTER, action="reject")
    _template("公开说明", Audience.PUBLIC, action="reject")
    _template("别的类别", Audience.PUBLIC, category=city.urgent_category)
    _template("派遣用", Audience.PUBLIC, action="dispatch")
    client.force_login(people.dispatcher)
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    # The public summary of a rejection: public texts only.
    assert _offered(html, "template-id_reject-public_summary") == ["公开说明"]
    # The reason the reporter reads: reporter and public texts, never the internal one.
    assert _offered(html, "template-id_reject-reason") == ["公开说明", "告知居民"]
    # A staff note: everything for this category and action.
    assert _offered(html, "template-id_note-text") == ["内部提醒"]
    assert "别的类别" not in html and "派遣用" not in html


def test_the_text_is_in_the_reporters_language(client, city, people):
    people.citizen.preferred_language = "en"
    people.citizen.save()
    case = _case(city, people)
    _template("Thanks", Audience.REPORTER, en="Thank you for telling us.")
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert 'data-text="Thank you for telling us."' in html


def test_insert_without_a_script_keeps_what_was_typed(client, city, people):
    case = _case(city, people)
    template = _template("告知居民", Audience.REPORTER, action="reject")
    client.force_login(people.dispatcher)
    url = reverse("governance:case_insert", args=[case.tracking_id, "reject"])
    response = client.post(
        url,
        {
            "insert": "reason",
            "template-reject-reason": template.pk,
            "reject-reason": "已核实",
            "reject-public_summary": "摘要",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已核实\n告知居民的中文</textarea>" in html
    assert "摘要</textarea>" in html
    assert Case.objects.get(pk=case.pk).status == "submitted"  # nothing was run


def test_insert_refuses_an_internal_template_for_a_public_field(client, city, people):
    case = _case(city, people)
    internal = _template("内部提醒", Audience.INTERNAL)
    client.force_login(people.dispatcher)
    url = reverse("governance:case_insert", args=[case.tracking_id, "reject"])
    html = client.post(
        url, {"insert": "public_summary", "template-reject-public_summary": internal.pk}
    ).content.decode()
    summary = re.search(r'<textarea name="reject-public_summary"[^>]*>(.*?)</textarea>', html, re.S)
    assert summary.group(1).strip() == ""
    assert "Choose one of the templates offered for this field." in html


def test_insert_is_for_staff_who_may_take_the_action(client, city, people):
    case = _case(city, people)
    template = _template("告知居民", Audience.REPORTER)
    url = reverse("governance:case_insert", args=[case.tracking_id, "reject"])
    data = {"insert": "reason", "template-reject-reason": template.pk}
    client.force_login(people.officer_b)  # another grid's officer: no such case
    assert client.post(url, data).status_code == 404
    client.force_login(people.citizen)  # its reporter, not staff
    assert client.post(url, data).status_code == 404
    client.force_login(people.officer_a)  # sees it, may not reject
    assert client.post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
