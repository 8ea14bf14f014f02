"""Playwright driving the system Chromium against a live server of the project.

Skipped only where /usr/bin/chromium is not installed (CI installs it). Screenshots of the key
pages go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from tests.browser.policy import watch_policy

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install the Debian chromium package to run browser tests",
        allow_module_level=True,
    )

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# ordinary synchronous ones, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")  # a session-long driver would leave its event loop running
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browse(chromium, live_server):
    """browse(user=None, language="en", **context options) → a page on the live server.

    Requests to any other host are refused (no CDN; the tile server is unreachable here) and
    recorded in page.outside_requests; Content-Security-Policy violations in
    page.csp_violations.
    """
    contexts = []
    host = urlparse(live_server.url).netloc

    def open_page(user=None, language: str = "en", **options):
        context = chromium.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
            )
        context.add_cookies(cookies)
        outside: list[str] = []

        def route(route):
            if urlparse(route.request.url).netloc == host:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        violations = watch_policy(context)
        page = context.new_page()
        page.csp_violations = violations
        page.set_default_timeout(10_000)
        page.outside_requests = outside
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def photo_file(tmp_path) -> Path:
    path = tmp_path / "photo.jpg"
    image = Image.new("RGB", (320, 240), (120, 160, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def pin(page, lon: float, lat: float, selector: str = "#pick-map") -> None:
    """Click the picker map where (lon, lat) is, as a person would tap it."""
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel); return el && el._leafletMap; }",
        arg=selector,
    )
    page.evaluate(
        """([sel, lon, lat]) => {
            const map = document.querySelector(sel)._leafletMap;
            map.setView([lat, lon], 15, {animate: false});
        }""",
        [selector, lon, lat],
    )
    page.locator(selector).scroll_into_view_if_needed()
    point = page.evaluate(
        """([sel, lon, lat]) => {
            const el = document.querySelector(sel);
            const p = el._leafletMap.latLngToContainerPoint([lat, lon]);
            const box = el.getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [selector, lon, lat],
    )
    page.mouse.click(point["x"], point["y"])
