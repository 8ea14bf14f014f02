"""The emergency issue's end-to-end scenario, in a real browser on the real pages served by
daphne (with the Celery worker relaying the outbox, and Redis as the channel layer):

1. the district dispatcher declares a flood on three areas through the declare page. The small
   test city has one district of 2 streets × 1 community (2 grids each), and an area beneath
   another affected one is folded into it, so the three areas are community A (ticked) and
   the two grids of community B (typed by their codes);
2. activates the flood plan from the board;
3. sends a public notice (CAP fields set) to the officers of those areas from the notice page,
   reached from the board's "Send a notice" link (the incident preselected); the page offers
   areas down to communities, so it targets communities A and B — the same ground;
4. the grid officer, on a 360 px phone, sees it in the notification centre and on "my
   notices" — with their open plan task on the same page — and answers with one tap;
5. the dispatcher's roll-call page, open all along in another browser context, counts the
   answer without a reload (WebSocket);
6. GET /cap/alerts.atom lists the alert, and its CAP document validates against the XSD;
7. the after-action report page and its .xlsx download answer 200 with the incident's title
   and the officer's acknowledgement.
"""

from __future__ import annotations

import io
import os
import urllib.request

import pytest
from openpyxl import load_workbook

from emergency.models import Incident, IncidentKind, Notice, Plan, PlanStep
from governance.models import Role
from tests.browser.policy import watch_policy
from tests.emergency.cap_helpers import texts, valid
from tests.realtime.stack import requirements
from tests.realtime.test_browser import browser_available, chromium, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM reads between
# its steps are ordinary synchronous ones (as in tests/browser/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

__all__ = ["browser_available"]  # the fixture, imported for this module's tests

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
TITLE = "青湖区暴雨内涝"
NOTICE = "暴雨红色预警：请立即到岗"
RECEIVED = ("received", "已收到")


def _english(context, stack) -> None:
    context.add_cookies([{"name": "django_language", "value": "en", "url": stack.http}])


def _get(stack, path: str) -> bytes:
    with urllib.request.urlopen(stack.http + path, timeout=10) as response:
        assert response.status == 200, path
        return response.read()


def test_flood_declared_notice_answered_on_a_phone_and_counted_live(
    city, people, stack, browser_available
):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD, min_level=1, max_level=4)
    PlanStep.objects.create(
        plan=plan, order=1, title="排查积水点", owner_role=Role.OFFICER, limit=60
    )
    with chromium() as context:
        violations = watch_policy(context)
        _english(context, stack)
        desk = context.new_page()
        desk.set_default_timeout(15_000)

        # 1. Declare the flood on three areas.
        sign_in(desk, stack, "dispatcher", "/work/emergency/incidents/new/")
        desk.fill("input[name=title]", TITLE)
        desk.select_option("select[name=kind]", "flood")
        desk.select_option("select[name=level]", "2")
        desk.check(f'input[name=areas][value="{city.community_a.pk}"]')
        desk.fill("input[name=area_codes]", f"{city.grid_b.code},{city.grid_b2.code}")
        desk.click("form.declare-form button[type=submit]")
        desk.wait_for_selector(f"h1:has-text('{TITLE}')")
        incident = Incident.objects.get(title=TITLE)
        assert {row.area for row in incident.affected.all()} == {
            city.community_a,
            city.grid_b,
            city.grid_b2,
        }

        # 2. Activate the plan from the board.
        desk.select_option("select[name=plan]", str(plan.pk))
        desk.click("form.activate-form button[type=submit]")
        desk.wait_for_selector(".message.success")

        # 3. The board's link to the notice page, the incident preselected; a public notice.
        desk.click(f'a[href$="/work/emergency/notices/new/?incident={incident.pk}"]')
        assert desk.input_value("select[name=incident]") == str(incident.pk)
        desk.fill("input[name=title]", NOTICE)
        desk.fill("textarea[name=body]", "低洼地带积水，请立即到岗排查。")
        desk.select_option(
            "select[name=areas]", [str(city.community_a.pk), str(city.community_b.pk)]
        )
        desk.check('input[name=roles][value="officer"]')
        # The public alert's fields appear once the notice is to be public.
        assert not desk.is_visible("select[name=severity]")
        desk.check("input[name=public]")
        assert desk.is_visible("select[name=severity]")
        desk.select_option("select[name=severity]", "Severe")
        desk.select_option("select[name=urgency]", "Immediate")
        desk.select_option("select[name=certainty]", "Observed")
        desk.click("form.notice-form button[type=submit]")
        desk.wait_for_selector("#rollcall-live")
        notice = Notice.objects.get(title=NOTICE)
        assert notice.public and notice.incident == incident
        assert set(notice.recipients.values_list("user__username", flat=True)) == {
            "officer_a",
            "officer_b",
        }
        desk.wait_for_selector("[data-rollcall-state]:not([hidden])")  # the socket is open
        desk.evaluate("window.__notReloaded = true")
        totals = "#rollcall-live .rollcall-totals"
        assert desk.inner_text(f'{totals} [data-total="total"]').strip() == "2"
        assert desk.inner_text(f'{totals} [data-total="answered"]').strip() == "0"

        # 4. The officer, on a phone: the notification centre, then one tap on "my notices".
        phone_context = context.browser.new_context(**PHONE)
        phone_violations = watch_policy(phone_context)
        _english(phone_context, stack)
        phone = phone_context.new_page()
        phone.set_default_timeout(15_000)
        sign_in(phone, stack, "officer_a", "/notifications/")
        assert NOTICE in phone.inner_text("main")
        phone.goto(stack.http + "/work/emergency/my-notices/")
        card = phone.locator(".notice-card", has_text=NOTICE)
        assert "排查积水点" in phone.inner_text("main")  # the plan task, on the same page
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"my notices scrolls sideways ({width} px)"
        card.locator('button[name=answer][value="received"]').tap()
        phone.wait_for_selector(".notice-card .notice-answered")

        # 5. The roll-call counts the answer, live.
        desk.wait_for_function(
            """sel => document.querySelector(sel).textContent.trim() === "1" """,
            arg=f'{totals} [data-total="answered"]',
        )
        assert desk.evaluate("window.__notReloaded") is True

        # 6. The public feed lists it; its CAP document is valid.
        feed = _get(stack, "/cap/alerts.atom").decode()
        assert notice.identifier in feed and NOTICE in feed
        root = valid(_get(stack, f"/cap/alerts/{notice.identifier}.xml"))
        assert texts(root, "/cap:alert/cap:msgType") == ["Alert"]
        assert texts(root, "//cap:info/cap:severity") == ["Severe", "Severe"]
        assert texts(root, "//cap:info/cap:urgency") == ["Immediate", "Immediate"]

        # 7. The after-action report and its spreadsheet.
        report = desk.request.get(f"{stack.http}/work/emergency/incidents/{incident.pk}/report/")
        assert report.status == 200
        text = report.text()
        # The officer's row: their answer, in the reader's language (the person's own setting).
        (row,) = [line for line in text.split("<tr>") if ">officer_a</th>" in line]
        assert TITLE in text and NOTICE in row
        assert any(f"<td>{label}</td>" in row for label in RECEIVED)
        sheet = desk.request.get(f"{stack.http}/work/emergency/incidents/{incident.pk}/report.xlsx")
        assert sheet.status == 200
        cells = {
            str(cell.value)
            for worksheet in load_workbook(io.BytesIO(sheet.body()))
            for row in worksheet.iter_rows()
            for cell in row
            if cell.value is not None
        }
        assert any(TITLE in cell for cell in cells)
        assert "officer_a" in cells and cells & set(RECEIVED)
        phone_context.close()
        assert violations == [] and phone_violations == []
