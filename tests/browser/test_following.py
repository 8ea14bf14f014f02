"""Following a request on a 360 px phone: from the submit form's duplicate hint (issue 10)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from citizens.following import subscribing
from citizens.models import Subscription
from governance import workflow
from tests.browser.conftest import pin

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_from_the_duplicate_hint_a_neighbour_follows_the_request(
    browse, shot, city, people, language
):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    page = browse(people.other_citizen, language=language, **PHONE)
    page.goto("/submit/")
    page.locator("#id_category").select_option(str(city.category.pk))
    pin(page, *city.point_a)
    hint = page.locator("#nearby")
    # The hint is fetched after the pin settles: on a loaded CI machine (two test workers, the
    # browser and the live server on two cores) that took longer than the default 5 s once.
    expect(hint.get_by_role("link", name=case.tracking_id)).to_be_visible(timeout=15_000)
    shot(page, f"60-phone-duplicate-hint-{language}")
    follow_label = "Follow it instead" if language == "en" else "改为关注这件"
    hint.get_by_role("link", name=follow_label).first.click()
    expect(page.locator("h1")).to_contain_text(case.tracking_id)
    assert page_width(page) <= 360
    shot(page, f"61-phone-follow-page-{language}")
    page.get_by_role("button", name="Follow" if language == "en" else "关注", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".follow-count")).to_contain_text("1")
    assert page_width(page) <= 360
    shot(page, f"62-phone-following-{language}")
    row = Subscription.objects.get()
    assert row.user == people.other_citizen and row.source == "duplicate"
    assert subscribing.me_too_count(case) == 1
    assert not page.csp_violations


def test_anonymous_follow_and_area_alert_forms_fit_a_phone(browse, shot, city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    page = browse(None, **PHONE)
    page.goto(f"/public/{case.tracking_id}/")
    page.get_by_label("Your e-mail address").fill("walker@example.com")
    page.get_by_role("button", name="Follow by e-mail").click()
    expect(page.locator(".messages")).to_contain_text("walker@example.com")
    assert page_width(page) <= 360
    shot(page, "63-phone-follow-by-email")
    page.goto("/alerts/")
    page.get_by_label("in a circle on the map").check()
    pin(page, *city.point_a, selector="#alert-map")
    expect(page.locator("#id_lon")).not_to_have_value("")
    page.get_by_label("Radius (metres)").fill("800")
    page.get_by_label("Your e-mail address").fill("near@example.com")
    page.get_by_role("button", name="Start the alert").click()
    expect(page.locator(".messages")).to_contain_text("near@example.com")
    assert page_width(page) <= 360
    shot(page, "64-phone-area-alert")
    row = Subscription.objects.get(email="near@example.com")
    assert row.target == "circle" and row.radius_m == 800 and row.confirmed_at is None
    assert not page.csp_violations
