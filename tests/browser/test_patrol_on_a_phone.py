"""The issue's "Done when" for patrols, on a 360 px phone: an officer starts a patrol, walks,
loses the network for a stretch (the points stay on the phone), gets it back (they are sent),
and the track on the server is whole; then checks in at a key place with a photo, reports a
case from the spot, and ends the patrol."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gridwork import patrolling
from gridwork.models import CheckIn, Patrol, PatrolReport
from tests.gridwork.patrols import START, key_place

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
STEP = 0.00026  # about 25 m of longitude: past the page's 20 m, within the noise of ±30 m
ACCURACY = 30


def here(i: int) -> dict:
    return {"longitude": round(START[0] + STEP * i, 7), "latitude": START[1], "accuracy": ACCURACY}


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_an_officer_patrols_through_a_gap_checks_in_and_reports(
    browse, shot, city, people, photo_file
):
    place = key_place(city)
    page = browse(
        people.officer_a,
        language="en",
        permissions=["geolocation"],
        geolocation=here(0),
        **PHONE,
    )
    context = page.context
    page.goto("/patrol/")
    page.get_by_role("button", name="Start patrol").click()
    expect(page.locator("#patrol-status")).to_have_text("On patrol.")
    expect(page.locator("#patrol-sent")).to_have_text("1")

    # Walking, online: each position is sent as it is kept.
    for i in (1, 2):
        context.set_geolocation(here(i))
        expect(page.locator("#patrol-sent")).to_have_text(str(i + 1))

    # A gap in coverage: the points are kept on the phone.
    context.set_offline(True)
    expect(page.locator("#patrol-network")).to_contain_text("offline")
    for i in (3, 4, 5):
        context.set_geolocation(here(i))
        expect(page.locator("#patrol-waiting")).to_have_text(str(i - 2))
    assert text_of(page, "#patrol-sent") == "3"
    kept = page.evaluate(
        "id => JSON.parse(localStorage.getItem('patrol.' + id + '.queue') || '[]').length"
        " + ((JSON.parse(localStorage.getItem('patrol.' + id + '.inflight')) || {}).points"
        " || []).length",
        Patrol.objects.get().pk,
    )
    assert kept == 3
    shot(page, "patrol-offline-360")

    # Back online: what was kept is sent, and the track on the server is whole.
    context.set_offline(False)
    expect(page.locator("#patrol-sent")).to_have_text("6", timeout=20_000)
    expect(page.locator("#patrol-waiting")).to_have_text("0")
    patrol = Patrol.objects.get()
    track = patrolling.track_of(patrol)
    assert [round(p.lon, 7) for p in track] == [here(i)["longitude"] for i in range(6)]
    assert patrol.refused_count == 0
    assert patrol.distance_m > 100

    # Check in at the key place close by, with a note and a photo.
    page.get_by_role("button", name="Find key places within 100 m").click()
    expect(page.get_by_label("Key place", exact=True)).to_contain_text("加油站")
    page.get_by_label("Note", exact=True).fill("油罐区正常")
    page.get_by_label("Photos").first.set_input_files(str(photo_file))
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.locator("#checkin-result")).to_have_text("Checked in at 加油站.")
    visit = CheckIn.objects.get()
    assert visit.key_place == place and visit.note == "油罐区正常"
    assert visit.photos.count() == 1

    # Report from the spot: the category, its question, one tap.
    page.get_by_label("Category", exact=True).select_option(city.category.code)
    page.get_by_label("Amount", exact=True).select_option("small")
    page.get_by_role("button", name="Report from here").click()
    expect(page.locator("#report-result a")).to_contain_text("Reported: case")
    report = PatrolReport.objects.get()
    assert report.patrol == patrol and report.case.channel == "patrol"
    assert report.case.grid == city.grid_a
    shot(page, "patrol-reported-360")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the patrol page scrolls sideways ({width} px)"

    page.get_by_role("button", name="End patrol").click()
    expect(page.locator("#patrol-status")).to_have_text("Patrol ended.")
    patrol.refresh_from_db()
    assert patrol.status == "ended" and patrol.point_count == 6
    assert not page.csp_violations
    assert all("tile" in url for url in page.outside_requests), page.outside_requests

    # The track afterwards, on the patrol's own page.
    page.goto(f"/patrol/{patrol.pk}/")
    expect(page.locator("#patrol-point-count")).to_have_text("6")
    assert page.evaluate("document.querySelectorAll('#track-map path.leaflet-interactive').length")


def test_the_patrol_pages_have_no_accessibility_violations(browse, city, people):
    """axe-core (as tests/browser/test_accessibility.py runs it) on the patrol pages with
    content: the officer's page on patrol, the history, a patrol's track, the live map."""
    from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG
    from tests.gridwork.patrols import plant_patrol

    planted = plant_patrol(city, people)
    found = []
    for user, paths in (
        (people.officer_a, ["/patrol/", "/patrol/history/", f"/patrol/{planted.patrol.pk}/"]),
        (people.street_leader, ["/patrol/live/", f"/patrol/{planted.patrol.pk}/"]),
    ):
        for language in ("zh-hans", "en"):
            page = browse(user, language=language, **PHONE)
            page.context.add_init_script(path=str(AXE))
            for path in paths:
                page.goto(path)
                found += [
                    f"{path} ({language}): {v['rule']} {v['nodes']}"
                    for v in page.evaluate(RUN_AXE, WCAG)
                ]
            assert not page.csp_violations
            page.context.close()
    assert not found, "\n".join(found)
