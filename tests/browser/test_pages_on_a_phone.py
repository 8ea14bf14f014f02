"""Every key page fits a 360 px phone, is keyboard usable, and is kept as a screenshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow
from tests.browser.test_phone_and_language import PHONE, no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def test_key_pages_fit_a_phone(browse, shot, city, people):
    cases = [
        workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description="堆放垃圾 " * 20,
            lon=lon,
            lat=30.01,
            answers={"amount": "small"},
            contact={"name": "王小明", "phone": "13800000001"},
        )
        for lon in (120.01, 120.02, 120.03)
    ]
    workflow.file_case(case_id=cases[0].pk, actor=people.dispatcher)
    tracking_id = cases[0].tracking_id
    pages = {
        people.dispatcher: [
            ("30-phone-queue", "/work/queue/"),
            ("31-phone-case", f"/work/cases/{tracking_id}/"),
            ("32-phone-file", "/work/file/"),
            ("33-phone-areas", "/work/areas/"),
        ],
        people.citizen: [
            ("34-phone-my-requests", "/requests/"),
            ("35-phone-request", f"/requests/{tracking_id}/"),
            ("36-phone-public", "/public/"),
            ("37-phone-profile", "/accounts/profile/"),
        ],
    }
    for user, visits in pages.items():
        page = browse(user, language="zh-hans", **PHONE)
        for name, url in visits:
            response = page.goto(url)
            assert response.status == 200, url
            expect(page.locator("h1")).to_be_visible()
            no_sideways_scroll(page)
            shot(page, name)


def test_queue_map_and_keyboard(browse, shot, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=120.01,
        lat=30.01,
        answers={"amount": "small"},
    )
    page = browse(people.officer_a)
    page.goto("/work/queue/")
    # The skip link is the first stop of the keyboard and leads to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # The same cases on a map, with the grid outlines drawn from our own boundaries.
    page.get_by_text("Show these cases on a map").click()
    marker = page.locator("path.case-marker")
    expect(marker).to_have_count(1)
    expect(page.locator("path.leaflet-interactive:not(.case-marker)")).to_have_count(4)  # grids
    marker.click(force=True)
    expect(page.get_by_role("link", name=case.category.name_en)).to_be_visible()
    shot(page, "40-queue-map")


def test_pin_by_keyboard(browse, city):
    page = browse(None)
    page.goto("/submit/")
    page.wait_for_function("document.querySelector('#pick-map')._leafletMap")
    page.locator("#pick-map").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Pin the centre of the map").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pin-status")).to_contain_text("Pin placed at")
    assert page.locator("#id_lon").input_value() != ""
