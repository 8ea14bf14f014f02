"""In a real browser, on the real pages served by daphne: a case page's actions follow a
status change made elsewhere, without a reload (issue 10: the citizen's page showed "closed"
live but still offered "Withdraw" and no "Rate").

- the citizen's request page: open while the request is new (Withdraw offered); staff take it
  to closed through the API; the actions change to offer Rate and no Withdraw;
- the staff case page: open on an accepted case (Dispatch); another dispatcher dispatches it;
  the button reads Re-dispatch.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from rest_framework.authtoken.models import Token

from tests.browser.policy import watch_policy
from tests.realtime.stack import requirements
from tests.realtime.test_browser import chromium_path, sign_in, wait_live
from tests.realtime.test_e2e import api_post, file_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_available():
    if chromium_path() is None:
        pytest.skip("needs chromium (CI installs it)")


@contextmanager
def english_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            context = browser.new_context(locale="en-GB", extra_http_headers={})
            violations = watch_policy(context)
            page = context.new_page()
            page.violations = violations
            yield page
        finally:
            browser.close()


def _english(page, stack) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": stack.http}])


def _move(stack, token: str, tracking_id: str, name: str, body: dict | None = None) -> None:
    status, answer = api_post(stack, token, f"/api/v1/cases/{tracking_id}/{name}/", body or {})
    assert status == 200, (name, answer)


ACTIONS = '[data-live="case-actions"]'


def test_the_citizens_actions_follow_the_case_to_closed(city, people, stack, browser_available):
    tokens = {
        who: Token.objects.create(user=getattr(people, who)).key
        for who in ("citizen", "street_leader", "clerk", "officer_a")
    }
    tracking_id = file_case(stack, tokens["citizen"], *city.point_a)
    with english_page() as page:
        _english(page, stack)
        sign_in(page, stack, "citizen", f"/requests/{tracking_id}/")
        live = f'{ACTIONS}[data-tracking-id="{tracking_id}"]'
        wait_live(page, live)
        page.evaluate("window.__notReloaded = true")
        assert page.locator(f"{live} details.action-withdraw").count() == 1
        assert page.locator(f"{live} details.action-rate").count() == 0

        _move(stack, tokens["street_leader"], tracking_id, "file")
        _move(stack, tokens["street_leader"], tracking_id, "dispatch")
        _move(stack, tokens["clerk"], tracking_id, "start")
        _move(stack, tokens["clerk"], tracking_id, "resolve", {"note": "已清运"})
        _move(stack, tokens["officer_a"], tracking_id, "close")

        page.wait_for_selector(f"{live} details.action-rate", timeout=10_000)
        assert page.locator(f"{live} details.action-withdraw").count() == 0
        summaries = page.locator(f"{live} summary").all_inner_texts()
        assert "评价" in summaries, summaries  # the citizen reads Chinese (their preference)
        page.wait_for_selector(f'{live}[data-live-status="closed"]', state="attached")
        page.wait_for_selector('[data-live="case"] .status-closed', timeout=10_000)
        assert page.evaluate("window.__notReloaded") is True
        assert page.violations == []


def test_the_staff_case_page_offers_re_dispatch_after_a_dispatch(
    city, people, stack, browser_available
):
    people.dispatcher.preferred_language = "en"  # the dispatcher reads English
    people.dispatcher.save(update_fields=["preferred_language"])
    tokens = {
        who: Token.objects.create(user=getattr(people, who)).key
        for who in ("citizen", "street_leader")
    }
    tracking_id = file_case(stack, tokens["citizen"], *city.point_a)
    _move(stack, tokens["street_leader"], tracking_id, "file")
    with english_page() as page:
        _english(page, stack)
        sign_in(page, stack, "dispatcher", f"/work/cases/{tracking_id}/")
        live = f'{ACTIONS}[data-tracking-id="{tracking_id}"]'
        wait_live(page, live)
        page.evaluate("window.__notReloaded = true")
        dispatch = page.locator(f"{live} details.action-dispatch summary")
        assert dispatch.inner_text() == "Dispatch"

        _move(stack, tokens["street_leader"], tracking_id, "dispatch")
        page.wait_for_function(
            "sel => { const s = document.querySelector(sel);"
            " return s && s.textContent.trim() === 'Re-dispatch'; }",
            arg=f"{live} details.action-dispatch summary",
            timeout=10_000,
        )
        assert page.evaluate("window.__notReloaded") is True
        assert page.violations == []
