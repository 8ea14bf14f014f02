"""The case page opened from the queue, by keyboard: j / k go to the next / previous case of
that queue; typed into a field they are only letters. At 360 px, in zh and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from governance import clock, workflow
from governance.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}}


def _case(city, people, hours: int) -> Case:
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    Case.objects.filter(pk=case.pk).update(due_at=clock.now() + timedelta(hours=hours))
    return case


def arrived(page, case: Case) -> None:
    """On `case`'s page, its scripts run (a key pressed before would go nowhere)."""
    expect(page.locator("h1")).to_contain_text(case.tracking_id)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_j_and_k_walk_the_queue(browse, shot, city, people, language):
    first, second, third = (_case(city, people, h) for h in (10, 20, 30))
    page = browse(people.dispatcher, language=language, **PHONE)
    page.goto("/work/queue/?status=submitted")
    page.locator(f'a.case-link:has-text("{first.tracking_id}")').click()
    arrived(page, first)
    shot(page, f"case-queue-nav-360-{language}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.keyboard.press("j")
    arrived(page, second)
    page.keyboard.press("j")
    arrived(page, third)
    page.keyboard.press("k")
    expect(page.locator("h1")).to_contain_text(second.tracking_id)
    # Typing j inside a text field types a letter and stays on the case.
    page.locator("details.action-file summary").click()
    field = page.locator("#id_file-note")
    field.focus()
    page.keyboard.press("j")
    expect(field).to_have_value("j")
    expect(page.locator("h1")).to_contain_text(second.tracking_id)
    assert not page.csp_violations


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_tools_fit_a_phone(browse, shot, city, people, language):
    from governance.models import SavedFilter

    _case(city, people, 10)
    SavedFilter.objects.create(
        owner=people.dispatcher, name="待受理 submitted", query="status=submitted"
    )
    page = browse(people.dispatcher, language=language, **PHONE)
    page.goto("/work/queue/")
    page.wait_for_load_state("load")
    expect(page.locator(".chip a")).to_have_text("待受理 submitted")
    # The area picker asks for suggestions as one types.
    with page.expect_response(lambda r: "/work/queue/areas/" in r.url) as answer:
        page.locator("#id_area").fill("网格")
    assert answer.value.ok
    expect(page.locator("#queue-areas option")).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"queue-tools-360-{language}")
    assert not page.csp_violations
