"""In a real browser, on the real pages served by daphne: live parts update without a reload.

- the officer's queue (/work/queue/) shows a case filed through the API, and the header's
  unread count follows;
- the citizen's request page (/requests/<id>/) shows a status change made by staff;
- a page whose socket dropped catches up on what it missed once the server is back.

People sign in through the real sign-in page; cases are filed and moved through the real API.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest
from rest_framework.authtoken.models import Token

from tests.browser.policy import watch_policy
from tests.realtime.stack import requirements
from tests.realtime.test_e2e import api_post, file_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]

QUEUE = "/work/queue/"
LIVE_QUEUE = '#queue-list[data-live="queue"]'


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser_available():
    if chromium_path() is None:
        pytest.skip("needs chromium (CI installs it)")


@contextmanager
def chromium(**options):
    """A browser context; opened after the test's database work (Playwright runs a loop)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield browser.new_context(**options)
        finally:
            browser.close()


def sign_in(page, stack, username: str, then: str) -> None:
    """Through the real sign-in page (factories give every persona the password pw-<name>)."""
    page.goto(f"{stack.http}/accounts/login/?next={then}")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', "pw-" + username)
    with page.expect_navigation(timeout=10_000):
        page.click('main form button[type="submit"]')
    assert page.url == stack.http + then, (page.url, page.inner_text("main")[:500])


def wait_live(page, selector: str, state: str = "open", timeout: int = 10_000) -> None:
    page.wait_for_selector(
        f'{selector}[data-live-state="{state}"]', state="attached", timeout=timeout
    )


def queue_row(tracking_id: str) -> str:
    return f'{LIVE_QUEUE} a.case-link:text-is("{tracking_id}")'


def test_the_officers_queue_updates_without_a_reload(city, people, stack, browser_available):
    citizen = Token.objects.create(user=people.citizen).key
    with chromium() as context:
        violations = watch_policy(context)
        page = context.new_page()
        sign_in(page, stack, "officer_a", QUEUE)
        check_queue_updates(page, stack, citizen, city)
        # The live script's sockets and fragments work under the Content-Security-Policy.
        assert violations == []


def check_queue_updates(page, stack, citizen, city):
    wait_live(page, LIVE_QUEUE)
    wait_live(page, '[data-live="unread"]')
    page.evaluate("window.__notReloaded = true")
    assert page.locator(f"{LIVE_QUEUE} a.case-link").count() == 0
    assert page.locator('[data-live="unread"] [data-unread]').count() == 0

    tracking_id = file_case(stack, citizen, *city.point_a)
    page.wait_for_selector(queue_row(tracking_id), timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True
    # the header's unread count followed too (the officer was notified of the new case)
    page.wait_for_selector('[data-live="unread"] [data-unread="1"]', timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True

    # a case in grid B never shows in grid A's officer's queue
    other = file_case(stack, citizen, *city.point_b)
    page.wait_for_timeout(1500)
    assert page.locator(queue_row(other)).count() == 0
    assert page.locator('[data-live="unread"] [data-unread="1"]').count() == 1


def test_the_citizens_request_page_shows_a_status_change_by_staff(
    city, people, stack, browser_available
):
    citizen = Token.objects.create(user=people.citizen).key
    leader = Token.objects.create(user=people.street_leader).key
    with chromium() as context:
        tracking_id = file_case(stack, citizen, *city.point_a)
        page = context.new_page()
        request_page = f"/requests/{tracking_id}/"
        sign_in(page, stack, "citizen", request_page)
        live = f'[data-live="case"][data-tracking-id="{tracking_id}"]'
        wait_live(page, live)
        page.evaluate("window.__notReloaded = true")
        assert page.locator(f"{live} .status-submitted").count() == 1

        status, body = api_post(stack, leader, f"/api/v1/cases/{tracking_id}/file/", {})
        assert status == 200 and body["status"] == "filed", body
        page.wait_for_selector(f"{live} .status-filed", timeout=10_000)
        assert page.evaluate("window.__notReloaded") is True


def test_live_announcements_are_sentences_in_the_pages_language(
    city, people, stack, browser_available
):
    """Not "261129-…: filed": the status's label in the reader's language (here Chinese)."""
    citizen = Token.objects.create(user=people.citizen).key
    leader = Token.objects.create(user=people.street_leader).key
    with chromium(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}) as context:
        tracking_id = file_case(stack, citizen, *city.point_a)
        page = context.new_page()
        request_page = f"/requests/{tracking_id}/"
        sign_in(page, stack, "citizen", request_page)
        wait_live(page, f'[data-live="case"][data-tracking-id="{tracking_id}"]')
        status, body = api_post(stack, leader, f"/api/v1/cases/{tracking_id}/file/", {})
        assert status == 200, body
        announcer = page.locator("#live-announcer")
        page.wait_for_function(
            "id => (document.getElementById('live-announcer') || {}).textContent"
            " && document.getElementById('live-announcer').textContent.includes(id)",
            arg=tracking_id,
            timeout=10_000,
        )
        text = announcer.text_content()
        assert "已立案" in text and "filed" not in text, text


def in_thread(fn, *args, **kwargs):
    """Database work while Playwright's loop runs in this thread: done in another thread."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def work():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def test_a_reconnecting_page_catches_up_on_what_it_missed(city, people, stack, browser_available):
    from governance import workflow

    with chromium() as context:
        page = context.new_page()
        sign_in(page, stack, "officer_a", QUEUE)
        wait_live(page, LIVE_QUEUE)
        page.evaluate("window.__notReloaded = true")

        stack.stop_web()  # the server goes away; the page notices
        wait_live(page, LIVE_QUEUE, "closed")
        case = in_thread(
            workflow.submit_case,
            actor=people.citizen,
            category=city.category,
            description="断线期间提交",
            lon=city.point_a[0],
            lat=city.point_a[1],
            answers={"amount": "small"},
        )
        stack.start_web()  # back: the page reconnects (with backoff) and catches up
        page.wait_for_selector(queue_row(case.tracking_id), timeout=40_000)
        assert page.evaluate("window.__notReloaded") is True
