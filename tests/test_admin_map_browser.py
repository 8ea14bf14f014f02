"""The area map in a real browser: outlines drawn from our data with no tile server reachable."""

from __future__ import annotations

import json
import shutil

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.browser.policy import watch_policy
from tests.factories import square

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine"),
]


def test_outlines_show_without_tiles_and_follow_the_text(
    live_server, city, people, client, settings, monkeypatch
):
    from playwright.sync_api import sync_playwright

    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens there
    client.force_login(people.admin)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    url = live_server.url + reverse("admin:governance_area_change", args=[city.grid_a.pk])
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the live server shares the db

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context()
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": live_server.url,
                }
            ]
        )
        violations = watch_policy(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        paths = page.locator("#area-map path.leaflet-interactive")
        # grid A (with its hole), its community (parent) and its sibling grid A2
        paths.first.wait_for()
        assert paths.count() == 3
        assert page.locator("#area-map path[stroke='#c53030']").count() == 1
        # The outlines are no keyboard tab stops (bindTooltip's focus listeners made them so);
        # their names still show to a pointer.
        page.locator("#area-map").focus()
        for _ in range(6):
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.tagName.toLowerCase()") != "path"
        box = page.locator("#area-map path[stroke='#2b6cb0']").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.locator("#area-map .leaflet-tooltip").first.is_visible()

        field = page.locator("#id_boundary")
        field.fill("{not json")
        assert "not valid GeoJSON" in page.locator(".area-map-status").inner_text()
        field.fill(json.dumps(square(120.0, 30.0, 120.05, 30.06)))
        assert page.locator(".area-map-status").inner_text() == ""
        assert page.locator("#area-map path[stroke='#c53030']").count() == 1
        assert errors == []
        # The admin and its map work under the Content-Security-Policy; only the tiles of the
        # test's unreachable tile server (not in the policy) are refused.
        assert [v for v in violations if "127.0.0.1:9" not in v] == []
        browser.close()
