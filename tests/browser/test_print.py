"""A request prints cleanly: tracking id and facts, no header, navigation or buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow

pytestmark = pytest.mark.django_db(transaction=True)


def _case(city, people):
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="路边堆放垃圾",
        lon=120.01,
        lat=30.01,
        answers={"amount": "small"},
    )


@pytest.mark.parametrize("whose", ["public", "own"])
def test_a_request_prints_without_header_navigation_or_buttons(browse, city, people, whose):
    case = _case(city, people)
    url = f"/public/{case.tracking_id}/" if whose == "public" else f"/requests/{case.tracking_id}/"
    page = browse(people.citizen)
    page.goto(url)
    expect(page.locator("header.site-header")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", "nav", ".breadcrumb"):
        expect(page.locator(hidden).first).to_be_hidden()
    visible_buttons = page.evaluate(
        "() => Array.from(document.querySelectorAll('button, [role=button], input[type=submit]'))"
        ".filter(b => b.getClientRects().length).map(b => b.textContent.trim())"
    )
    assert visible_buttons == []
    expect(page.locator("h1")).to_contain_text(case.tracking_id)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".facts")).to_be_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
