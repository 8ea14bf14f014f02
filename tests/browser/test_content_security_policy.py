"""The pages work under the Content-Security-Policy: no violation reported, maps drawn, htmx
and the live script running — on every key page, for each kind of visitor."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance import workflow
from tests.browser.conftest import pin

pytestmark = pytest.mark.django_db(transaction=True)


def _case(city, people):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=120.01,
        lat=30.01,
        answers={"amount": "small"},
        contact={"name": "王小明", "phone": "13800000001"},
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    return case


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.htmx") == "object", f"htmx did not run on {url}"


def _map_drawn(page, selector: str) -> None:
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel); return el && el._leafletMap; }",
        arg=selector,
    )


def test_policy_headers_are_sent(client, city):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "https://tile.openstreetmap.org" in policy
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_key_pages_report_no_violation(browse, city, people):
    case = _case(city, people)
    tracking_id = case.tracking_id

    anonymous = browse()
    _visit(anonymous, "/")
    _visit(anonymous, "/submit/")
    _map_drawn(anonymous, "#pick-map")
    anonymous.select_option("#id_category", str(city.category.pk))
    pin(anonymous, 120.01, 30.01)  # htmx fetches the questions and the nearby cases
    anonymous.wait_for_load_state("networkidle")
    _visit(anonymous, "/public/")
    _visit(anonymous, f"/public/{tracking_id}/")
    _visit(anonymous, "/accounts/login/")
    _visit(anonymous, "/accounts/signup/")

    citizen = browse(people.citizen)
    _visit(citizen, "/requests/")
    _visit(citizen, f"/requests/{tracking_id}/")
    _map_drawn(citizen, "[data-map]")

    staff = browse(people.dispatcher)
    _visit(staff, "/work/queue/")
    _visit(staff, f"/work/cases/{tracking_id}/")
    _visit(staff, "/work/file/")
    _visit(staff, "/work/areas/")
    expect(staff.locator("h1")).to_be_visible()

    for page in (anonymous, citizen, staff):
        assert page.csp_violations == [], page.csp_violations


def test_the_api_documentation_works_under_its_own_policy(browse, city):
    page = browse()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=15_000)
    page.goto("/api/redoc/")
    # Redoc lays out the whole document (half a megabyte) before its first heading: on a busy
    # machine that has taken longer than 15 s.
    expect(page.locator("#redoc-container h1, redoc h1").first).to_be_visible(timeout=45_000)
    assert page.csp_violations == [], page.csp_violations
