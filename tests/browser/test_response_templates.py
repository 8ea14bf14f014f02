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
