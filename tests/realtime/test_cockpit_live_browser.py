"""In a real browser, on the cockpit served by daphne: what is owed now follows the cases live.

A case whose intake limit passed days ago shows red; the district's dispatcher accepts and
dispatches it through the real API, the case event reaches the cockpit over the existing queue
socket (/ws/queue/), and the case's row turns green (a fresh handling obligation) without a
reload. A case filed meanwhile appears green, and one in another district never appears.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from evaluation.facts import write_cases
from governance import clock
from tests.browser.policy import watch_policy
from tests.cases import submit
from tests.realtime.stack import requirements
from tests.realtime.test_browser import browser_available, chromium, sign_in, wait_live
from tests.realtime.test_e2e import api_post, file_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]

COCKPIT = "/work/dashboard/"
LIVE = '[data-live="queue"][data-obligations]'
MONTH_MS = 30 * 24 * 3600 * 1000

__all__ = ["browser_available"]  # the fixture, imported for this module's tests


def row(tracking_id: str) -> str:
    return f'{LIVE} [data-obligation][data-case="{tracking_id}"]'


def test_a_row_recolours_when_its_case_moves(city, people, stack, browser_available):
    with clock.travel(timezone.now() - timedelta(days=3)):
        late = submit(city, people)  # its intake limit passed days ago
    write_cases([late.pk])
    dispatcher = Token.objects.create(user=people.dispatcher).key
    citizen = Token.objects.create(user=people.citizen).key
    with chromium() as context:
        violations = watch_policy(context)
        page = context.new_page()
        page.clock.install()  # the browser's clock, real time until the test moves it
        sign_in(page, stack, "dispatcher", COCKPIT)
        wait_live(page, LIVE)
        page.evaluate("window.__notReloaded = true")
        assert page.get_attribute(row(late.tracking_id), "data-colour") == "red"
        assert page.inner_text(f'{LIVE} [data-colour-total="red"]') == "1"

        status, body = api_post(stack, dispatcher, f"/api/v1/cases/{late.tracking_id}/file/", {})
        assert status == 200, body
        status, body = api_post(
            stack, dispatcher, f"/api/v1/cases/{late.tracking_id}/dispatch/", {}
        )
        assert status == 200, body
        # The intake is met; the case now owes its handling, with all its time ahead: green.
        page.wait_for_selector(
            f'{row(late.tracking_id)}[data-kind="handling"][data-colour="green"]', timeout=15_000
        )
        assert page.locator(f'{row(late.tracking_id)}[data-colour="red"]').count() == 0
        assert page.inner_text(f'{LIVE} [data-colour-total="red"]') == "0"

        new = file_case(stack, citizen, *city.point_b)
        page.wait_for_selector(f'{row(new)}[data-kind="intake"][data-colour="green"]')
        assert page.evaluate("window.__notReloaded") is True

        # The timer recolours without any event: the browser's clock runs a month ahead, past
        # the deadline, and the page's own 20 s tick (fired by the jump) turns the row red. A
        # live refresh that lands meanwhile is recoloured by the same clock, so it stays red.
        page.clock.fast_forward(MONTH_MS)
        page.wait_for_selector(f'{row(new)}[data-colour="red"]', timeout=30_000)
        assert violations == []
