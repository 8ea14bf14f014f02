"""The leaders' cockpit in a real browser: a district's dispatcher drills down to a street, reads
a chart's table, opens the cases behind a figure; on a 360 px phone, in Chinese and English,
under the Content-Security-Policy, with nothing fetched from elsewhere but map tiles."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from evaluation import indicators
from evaluation.labels import score_text
from tests.browser.test_phone_and_language import PHONE, no_sideways_scroll
from tests.evaluation.cockpit_city import make_cockpit_city

pytestmark = pytest.mark.django_db(transaction=True)


def only_tiles(page) -> None:
    assert all("tile" in url for url in page.outside_requests), page.outside_requests


def test_a_district_drills_down_to_a_street_and_opens_the_cases_behind_a_figure(
    browse, shot, city, people
):
    cases = make_cockpit_city(city, people)
    page = browse(people.dispatcher, language="en", **PHONE)
    page.goto("/work/dashboard/")
    expect(page.locator("h1")).to_contain_text("Qinghu")
    no_sideways_scroll(page)
    # The heatmap drew its cells (Leaflet, bundled; counted on the server).
    page.wait_for_selector("[data-heatmap][data-heatmap-cells]")
    assert int(page.get_attribute("[data-heatmap]", "data-heatmap-cells")) >= 1
    shot(page, "60-cockpit-district-phone")

    # The ranking chart's table, opened as a reader would, says what the indicators say.
    figure = page.locator('[data-chart="ranking"]')
    figure.locator("summary").click()
    table = figure.locator("table")
    expect(table).to_be_visible()
    ranked = indicators.rank_children(city.district, indicators.parse_period(None))
    rows = table.locator("tbody tr")
    assert rows.count() == len(ranked) == 2
    for index, entry in enumerate(ranked):
        expect(rows.nth(index).locator("th")).to_have_text(entry.key.display_name)
        expect(rows.nth(index).locator("td")).to_contain_text(score_text(entry.figures.score))

    # Drill down: district → street A.
    page.locator(f'[data-drill="{city.street_a.code}"]').click()
    expect(page.locator("h1")).to_contain_text("东街道")
    assert f"area={city.street_a.code}" in page.url
    expect(page.locator(f'[data-drill="{city.community_a.code}"]')).to_be_visible()
    no_sideways_scroll(page)

    # From a number to its cases: the street's reworked count lists the reworked case.
    page.locator('[data-figure-link="reworked"]').click()
    expect(page.locator("h1")).to_contain_text("Reworked")
    expect(page.locator("tr[data-case]")).to_have_count(1)
    expect(page.locator(f'tr[data-case="{cases.reworked_a.tracking_id}"]')).to_be_visible()
    page.locator(f'a:text-is("{cases.reworked_a.tracking_id}")').click()
    expect(page.locator("h1")).to_contain_text(cases.reworked_a.tracking_id)
    assert page.csp_violations == []
    only_tiles(page)


def test_the_cockpit_reads_in_chinese_on_a_phone(browse, shot, city, people):
    make_cockpit_city(city, people)
    page = browse(people.street_leader, language="zh-hans", **PHONE)
    page.goto("/work/dashboard/")
    expect(page.locator("h1")).to_contain_text("驾驶舱")
    expect(page.locator("h1")).to_contain_text("东街道")
    expect(page.locator('[data-section="score"] caption')).to_contain_text("比率")
    expect(page.locator('[data-figures="rates"]')).to_contain_text("按期结案率")
    # Every chart fits the phone's width.
    for box in page.locator("svg.chart-svg").all():
        assert box.bounding_box()["width"] <= 360
    no_sideways_scroll(page)
    shot(page, "61-cockpit-street-phone-zh")
    # The menu leads here.
    page.goto("/work/queue/")
    page.locator(".menu-toggle").click() if page.locator(".menu-toggle").is_visible() else None
    expect(page.locator('.site-nav a[href="/work/dashboard/"]')).to_have_text("驾驶舱")
    assert page.csp_violations == []
    only_tiles(page)


def test_an_officer_is_refused_in_the_browser_too(browse, city, people):
    page = browse(people.officer_a, language="en")
    response = page.goto("/work/dashboard/")
    assert response.status == 403
    expect(page.locator(".message.error")).to_contain_text("cockpit")


def test_the_drawn_heatmap_passes_the_accessibility_check(browse, city, people):
    """Once Leaflet has drawn the map (its zoom buttons are focusable), the map's container is
    a labelled region, not an image holding controls (axe: nested-interactive)."""
    from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG

    make_cockpit_city(city, people)
    page = browse(people.street_leader, language="zh-hans", **PHONE)
    page.context.add_init_script(path=str(AXE))
    page.goto("/work/dashboard/")
    page.wait_for_selector("[data-heatmap][data-heatmap-cells]")
    assert page.locator(
        "[data-heatmap] a, [data-heatmap] button, [data-heatmap] [tabindex]"
    ).count()
    assert page.evaluate(RUN_AXE, WCAG) == []
