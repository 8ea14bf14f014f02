"""The submit flow on a 360 px phone, and the Chinese interface."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow
from governance.models import Case
from tests.browser.conftest import pin

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def test_anonymous_submit_on_a_phone(browse, shot, city, people, photo_file):
    existing = workflow.submit_case(
        actor=people.other_citizen,
        category=city.category,
        description="x",
        lon=120.0101,
        lat=30.0101,
        answers={"amount": "small"},
    )
    page = browse(
        None,
        permissions=["geolocation"],
        geolocation={"longitude": 120.0102, "latitude": 30.0102},
        **PHONE,
    )
    page.goto("/")
    no_sideways_scroll(page)
    shot(page, "10-phone-home")
    page.get_by_role("link", name="Report a problem").first.click()
    page.wait_for_load_state("load")
    page.get_by_label("Category:", exact=True).select_option(str(city.category.pk))
    page.get_by_label("少量").check()  # the demo value list has Chinese names only
    page.get_by_label("Describe the problem").fill("Rubbish on the pavement")
    page.get_by_role("button", name="Use my location").click()
    # The pin's status names the grid it fell in (not raw coordinates); the pin is where we are.
    expect(page.locator("#pin-status")).to_contain_text("You are in grid 网格1.")
    assert abs(float(page.locator("#id_lat").input_value()) - 30.0102) < 1e-6
    # An open case of the same kind within 50 m is offered before submitting.
    offer = page.locator(".nearby")
    expect(offer).to_contain_text(existing.tracking_id)
    expect(offer.get_by_role("link", name="Follow it instead")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_label("Phone").fill("13700000009")
    page.get_by_label("Photos").set_input_files(str(photo_file))
    shot(page, "11-phone-submit")
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#tracking-id")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "12-phone-confirmation")
    case = Case.objects.get(tracking_id=page.locator("#tracking-id").inner_text())
    assert case.contact.phone == "13700000009" and case.grid == city.grid_a


def test_phone_errors_are_next_to_their_fields_and_announced(browse, shot, city):
    page = browse(None, **PHONE)
    page.goto("/submit/")
    page.get_by_role("button", name="Submit the request").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the errors below.")
    description = page.get_by_label("Describe the problem")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_description_error")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "13-phone-errors")


def test_phone_pin_by_tapping_the_map(browse, city):
    page = browse(None, **PHONE)
    page.goto("/submit/")
    pin(page, 120.11, 30.01)
    expect(page.locator("#pin-status")).to_contain_text("Pin placed at")
    lon = float(page.locator("#id_lon").input_value())
    lat = float(page.locator("#id_lat").input_value())
    assert abs(lon - 120.11) < 0.002 and abs(lat - 30.01) < 0.002  # within a finger's width


def test_chinese_interface(browse, shot, city, people):
    page = browse(people.citizen, language="zh-hans")
    page.goto("/submit/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("反映问题")
    expect(page.get_by_label("描述问题")).to_be_visible()
    expect(page.get_by_role("button", name="提交")).to_be_visible()
    expect(page.locator("#id_category optgroup").first).to_have_attribute("label", "部件")
    page.get_by_label("搜索类别（中文或英文）").fill("垃圾")
    expect(page.get_by_role("group", name="数量")).to_be_visible()  # the extra question
    shot(page, "20-chinese-submit")
    # The language switch turns the page English, and back.
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("h1")).to_have_text("Report a problem")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("h1")).to_have_text("反映问题")
    page.goto("/work/queue/")  # a citizen has no queue of cases
    expect(page.locator("h1")).to_have_text("工作队列")
