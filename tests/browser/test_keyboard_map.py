"""The report form by keyboard alone: the map is one labelled control, not 48 tab stops.

The grid outlines are not focusable; Enter (or space) on the focused map pins its centre, marked
by a crosshair; the pin's status names the grid, not raw coordinates ("use my location" too).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


class Keys:
    """A keyboard that counts every key press (a typed text counts one per character)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "sel => document.activeElement && document.activeElement.matches(sel)", selector
        )

    def tab_to(self, selector: str, most: int = 12) -> None:
        for _ in range(most):
            self.press("Tab")
            if self.focused(selector):
                return
        raise AssertionError(f"{selector} not reached in {most} Tab presses")


def ready(page) -> None:
    page.wait_for_function(
        "() => { const el = document.querySelector('#pick-map');"
        " return el && el._leafletMap && el._outlineData; }"
    )


def test_keyboard_only_submission_takes_under_30_key_presses(browse, shot, city, people):
    page = browse(people.citizen, **DESKTOP)
    page.goto("/submit/")
    ready(page)
    keys = Keys(page)
    keys.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keys.press("Enter")
    keys.tab_to("#id_category")
    keys.press("ArrowDown")  # the first category
    assert page.locator("#id_category").input_value() != ""
    keys.tab_to("#id_description")
    keys.type("Pothole")
    keys.tab_to("#pick-map")
    # skip link, Enter, search, category, ↓, description, its 7 letters, the map
    assert keys.count <= 7 + len("Pothole")
    expect(page.locator("#pick-map")).to_have_attribute(
        "aria-label",
        "Map: tap to place the pin, or move it with the arrow keys and press Enter to pin "
        "its centre",
    )
    expect(page.locator("#pick-map .map-crosshair")).to_be_visible()
    shot(page, "51-keyboard-map-crosshair")
    keys.press("ArrowRight")
    keys.press("Enter")
    expect(page.locator("#pin-status")).to_contain_text("Pin placed at")
    assert page.locator("#id_lon").input_value() != ""
    before = keys.count
    keys.tab_to("button[type=submit].big", most=15)
    # The zoom buttons are no tab stops (+ and − zoom the focused map); the attribution link,
    # the two map buttons, the address alternative, urgency and photos are.
    assert keys.count - before <= 8
    keys.press("Enter")
    page.wait_for_url("**/submitted/**")
    case = Case.objects.get()
    assert case.description == "Pothole"
    assert case.reporter == people.citizen
    print(f"\nkeyboard-only submission: {keys.count} key presses")
    assert keys.count < 30, f"{keys.count} key presses"


@pytest.mark.parametrize("url", ["/submit/", "/public/"])
def test_grid_outlines_are_not_tab_stops(browse, city, people, url):
    page = browse(people.citizen, **DESKTOP)
    page.goto(url)
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane path').length >= 4"
    )
    # Nothing in the map's drawing is focusable: no outline, no pin.
    focusable = page.evaluate(
        "() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))"
        ".filter(p => p.tabIndex >= 0 || p.hasAttribute('tabindex')).length"
    )
    assert focusable == 0
    # Walking the whole page by Tab, the map's drawing never takes the focus.
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.tagName"))
    assert "path" not in [t.lower() for t in seen]


def test_pin_status_names_the_grid_not_coordinates(browse, city):
    page = browse(None, **DESKTOP)
    page.goto("/submit/")
    ready(page)
    page.evaluate(
        "() => document.querySelector('#pick-map')._leafletMap.setView([30.01, 120.12], 15,"
        " {animate: false})"
    )
    page.locator("#pick-map").focus()
    page.keyboard.press(" ")
    status = page.locator("#pin-status")
    expect(status).to_have_text("Pin placed at 网格3")
    page.evaluate(
        "() => document.querySelector('#pick-map')._leafletMap.setView([30.2, 120.5], 15,"
        " {animate: false})"
    )
    page.keyboard.press("Enter")
    expect(status).to_have_text("Pin placed outside every grid.")
    expect(page.locator("#pin-outside")).to_be_visible()


def test_use_my_location_shows_the_grid_around_the_point(browse, shot, city):
    page = browse(
        None,
        geolocation={"latitude": 30.01, "longitude": 120.12},
        permissions=["geolocation"],
        **DESKTOP,
    )
    page.goto("/submit/")
    ready(page)
    page.get_by_role("button", name="Use my location").click()
    status = page.locator("#pin-status")
    expect(status).to_contain_text("You are in grid 网格3.")
    expect(page.locator("#pick-map .map-crosshair")).to_be_visible()
    # The map shows the grid's outline around the point, not an empty street-level square.
    shown = page.evaluate(
        "() => { const b = document.querySelector('#pick-map')._leafletMap.getBounds();"
        " return [b.getWest(), b.getEast(), b.getSouth(), b.getNorth()]; }"
    )
    west, east, south, north = shown
    assert west <= 120.1 and east >= 120.15 and south <= 30.0 and north >= 30.05
    shot(page, "52-use-my-location")
