"""The public side in a real browser on a 360 px phone: the map-first home (find a place →
marks with a legend), "use my location", a pin outside every grid, and the printed page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow
from tests.browser.conftest import pin
from tests.browser.test_phone_and_language import PHONE, no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def _cases(city, people):
    cases = [
        workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description="路边堆放垃圾",
            lon=lon,
            lat=30.02,
            answers={"amount": "small"},
            contact={"name": "王小明", "phone": "13800000001"},
        )
        for lon in (120.02, 120.03, 120.04)
    ]
    workflow.file_case(case_id=cases[1].pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=cases[1].pk, actor=people.street_leader)
    return cases


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_finds_a_place_and_shows_its_requests_with_a_legend(
    browse, shot, city, people, language
):
    _cases(city, people)
    page = browse(language=language, **PHONE)
    page.goto("/")
    page.fill("#place-q", "东街道")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    expect(page.locator(".place-found")).to_contain_text("东街道")
    marks = page.locator(".map .status-marker")
    expect(marks).to_have_count(3)
    # Two kinds of mark: a new request (circle) and one being handled (square).
    expect(page.locator(".map .status-marker .marker-new")).to_have_count(2)
    expect(page.locator(".map .status-marker .marker-progress")).to_have_count(1)
    legend = page.locator(".map-legend li")
    expect(legend).to_have_count(5)
    expect(legend.nth(1)).to_contain_text("Being handled" if language == "en" else "处理中")
    expect(page.locator(".public-rows > li")).to_have_count(3)
    no_sideways_scroll(page)
    shot(page, f"60-phone-home-place-{language}")
    assert page.csp_violations == []


def test_use_my_location_on_the_home_page_names_the_grid(browse, shot, city, people):
    _cases(city, people)
    page = browse(
        language="en",
        geolocation={"longitude": 120.011, "latitude": 30.011},
        permissions=["geolocation"],
        **PHONE,
    )
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**/?lon=*")
    expect(page.locator(".place-found")).to_have_text("You are in grid 网格1.")
    expect(page.locator(".map .here-marker")).to_have_count(1)
    page.get_by_role("link", name="Report a problem here").click()
    page.wait_for_url("**/submit/?lon=*")
    expect(page.locator("#pin-status")).to_contain_text("Pin placed at 网格1")
    no_sideways_scroll(page)


def test_a_pin_outside_every_grid_is_warned_at_once_and_still_taken(browse, shot, city, people):
    page = browse(
        language="en",
        geolocation={"longitude": 120.011, "latitude": 30.011},
        permissions=["geolocation"],
        **PHONE,
    )
    page.goto("/submit/")
    warning = page.locator("#pin-outside")
    expect(warning).to_be_hidden()
    page.wait_for_function("() => document.querySelector('#pick-map')._outlineData")
    pin(page, 120.25, 30.02)  # east of the district: no grid
    expect(page.locator("#pin-status")).to_have_text("Pin placed outside every grid.")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("the city's dispatchers will look at it")
    shot(page, "61-phone-pin-outside")
    pin(page, 120.02, 30.02)
    expect(page.locator("#pin-status")).to_have_text("Pin placed at 网格1")
    expect(warning).to_be_hidden()
    # "Use my location": the grid's name and the cross for "pin the centre", no coordinates.
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#pin-status")).to_contain_text("You are in grid 网格1.")
    expect(page.locator("#pick-map .map-crosshair")).to_be_visible()
    assert "120.02" not in page.locator("#pin-status").inner_text()
    shot(page, "62-phone-use-my-location")
    no_sideways_scroll(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_print_page_prints_the_tracking_id_story_and_qr_code(
    browse, shot, city, people, language
):
    case = _cases(city, people)[1]
    page = browse(language=language, **PHONE)
    page.goto(f"/public/{case.tracking_id}/")
    expect(page.locator(".story-now")).to_be_visible()
    page.locator(".share a[href$='/print/']").click()
    page.wait_for_url("**/print/")
    no_sideways_scroll(page)
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", ".breadcrumb", "button"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("h1")).to_contain_text(case.tracking_id)
    expect(page.locator("svg.qr")).to_be_visible()
    box = page.locator("svg.qr").bounding_box()
    assert box and box["width"] >= 100, box
    expect(page.locator(".qr-link")).to_have_text(
        f"{page.url.split('/public/')[0]}/public/{case.tracking_id}/"
    )
    shot(page, f"63-print-request-{language}")
    assert page.pdf().startswith(b"%PDF")
    assert page.csp_violations == []
