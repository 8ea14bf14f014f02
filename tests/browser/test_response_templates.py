"""The response-template picker in a real browser at 360 px: "Insert" fills the field in place
(the script), editable before sending; the staff case page shows before/after photos."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow
from governance.models import Audience, ResponseTemplate

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_insert_a_template_with_the_script(browse, shot, city, people, language):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    ResponseTemplate.objects.create(
        title="不属实",
        text="经现场核实，问题不存在。",
        text_en="Checked on site: there is no such problem.",
        audience=Audience.REPORTER,
        action="reject",
    )
    page = browse(people.dispatcher, language=language, **PHONE)
    page.goto(f"/work/cases/{case.tracking_id}/")
    page.wait_for_load_state("load")
    page.locator("details.action-reject summary").click()
    reason = page.locator("#id_reject-reason")
    reason.fill("你好")
    page.locator("details.action-reject .template-picker button").first.click()
    expect(reason).to_have_value("你好\n经现场核实，问题不存在。")  # the reporter's language
    expect(page).to_have_url(f"{page.url.split('/work/')[0]}/work/cases/{case.tracking_id}/")
    shot(page, f"case-template-picker-360-{language}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not page.csp_violations


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_before_and_after_are_stacked_on_a_phone(browse, shot, city, people, language):
    from tests.pages.test_staff_before_after import _resolved

    case = _resolved(city, people)
    page = browse(people.officer_a, language=language, **PHONE)
    page.goto(f"/work/cases/{case.tracking_id}/")
    pair = page.locator(".before-after-pair figure")
    expect(pair).to_have_count(2)
    first, second = pair.nth(0).bounding_box(), pair.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1  # stacked, not squeezed
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pair.nth(0).scroll_into_view_if_needed()
    shot(page, f"case-before-after-360-{language}")
    wide = browse(people.officer_a, language=language, viewport={"width": 1024, "height": 800})
    wide.goto(f"/work/cases/{case.tracking_id}/")
    boxes = [wide.locator(".before-after-pair figure").nth(i).bounding_box() for i in (0, 1)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2  # side by side
