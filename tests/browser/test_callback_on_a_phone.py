"""回访 on a phone: the reporter opens the callback e-mail's link on a 360 px screen, answers
"not resolved" in Chinese, sees that the case is reopened; the link then says it is used."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from config.celery import app as celery_app
from governance import workflow
from governance.models import Case, CaseContact, CaseEvent, EventKind, Status

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LINK = re.compile(r"https?://[^/\s]+(/callback/[\w-]+/)")


@pytest.fixture(autouse=True)
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways ({width} px)"


def test_a_reporter_answers_the_callback_from_the_e_mail_on_a_phone(
    browse, shot, city, people, settings, live_server
):
    settings.SITE_URL = live_server.url
    case = workflow.submit_case(
        actor=people.officer_a,
        category=city.category,
        description="来电反映：路边垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "large"},
        channel="hotline",
        contact={"name": "王", "email": "wang@example.com"},
        contact_language="zh-hans",
    )
    assert CaseContact.objects.get(case=case).language == "zh-hans"
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="清理完毕")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)

    [message] = [m for m in mail.outbox if "/callback/" in m.body]
    assert message.to == ["wang@example.com"] and case.tracking_id in message.subject
    path = LINK.search(message.body).group(1)

    page = browse(language="zh-hans", **PHONE)
    page.goto(path)
    expect(page.locator("h1")).to_contain_text(case.tracking_id)
    no_sideways_scroll(page)
    shot(page, "i12-callback-01-question-phone-zh")
    page.locator("input[name=resolved][value=no]").check()
    page.locator("input[name=satisfied][value=no]").check()
    page.locator("textarea[name=comment]").fill("垃圾又堆起来了")
    page.locator("form.callback-answer-form button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    expect(page.locator(".message.success")).to_contain_text("重新")
    no_sideways_scroll(page)
    shot(page, "i12-callback-02-reopened-phone-zh")

    case.refresh_from_db()
    assert case.status == Status.FILED
    [entry] = CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK)
    assert entry.data["channel"] == "link" and entry.note == "垃圾又堆起来了"

    again = browse(language="en", **PHONE)
    again.goto(path)
    expect(again.locator("h1")).to_contain_text("already answered")
    no_sideways_scroll(again)
    assert Case.objects.get(pk=case.pk).status == Status.FILED
    assert page.csp_violations == [] and again.csp_violations == []
