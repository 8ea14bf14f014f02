"""Going offline at submit loses nothing: the report is kept in the browser and sent again.

The submit page (and the staff filing page) keep a draft of the form in localStorage as the
person types — not the photos, not the contact fields — offer it back on the next visit, and
when the POST cannot reach the server keep the person on the page with a "Send again".
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.models import Case
from tests.browser.conftest import pin
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('draft:'))"


def fill_report(page, city, text: str) -> None:
    page.get_by_label("Search categories (Chinese or English)").fill("garbage")
    expect(page.locator("#id_category")).to_have_value(str(city.category.pk))
    page.locator("input[name=answer_amount][value=large]").check()
    page.get_by_label("Describe the problem").fill(text)
    pin(page, 120.01, 30.01)
    expect(page.locator("#pin-status")).to_contain_text("网格1")


def test_offline_submit_keeps_the_report_and_sends_it_again(browse, shot, city, people):
    page = browse(people.citizen, **PHONE)
    page.context.add_init_script(path=str(AXE))
    page.goto("/submit/")
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.locator("#draft-note")).to_contain_text("not the contact details")
    fill_report(page, city, "Broken glass on the playground")
    page.get_by_label("Address or landmark").fill("Gate 2, East Park")

    # The network drops as the person submits: they stay on the page, told, nothing lost.
    page.context.set_offline(True)
    page.get_by_role("button", name="Submit the request").click()
    message = page.locator("#draft-offline")
    expect(message).to_be_visible()
    expect(message).to_contain_text("The report was not sent")
    expect(message).to_be_focused()
    expect(page.get_by_label("Describe the problem")).to_have_value(
        "Broken glass on the playground"
    )
    shot(page, "60-offline-submit-kept")
    assert page.evaluate(RUN_AXE, WCAG) == []
    assert Case.objects.count() == 0
    assert len(page.evaluate(DRAFT_KEYS)) == 1

    # The page is reloaded (back online) later: the draft is offered, with its time.
    page.context.set_offline(False)
    page.reload()
    offer = page.locator("#draft-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Restore your unsent report from")
    expect(page.get_by_label("Describe the problem")).to_have_value("")
    shot(page, "61-draft-offered")
    assert page.evaluate(RUN_AXE, WCAG) == []
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_label("Describe the problem")).to_have_value(
        "Broken glass on the playground"
    )
    expect(page.locator("#id_category")).to_have_value(str(city.category.pk))
    expect(page.locator("input[name=answer_amount][value=large]")).to_be_checked()
    expect(page.get_by_label("Address or landmark")).to_have_value("Gate 2, East Park")
    expect(page.locator("#pin-status")).to_contain_text("Pin placed at 网格1")
    assert abs(float(page.locator("#id_lat").input_value()) - 30.01) < 0.002
    expect(offer).to_contain_text("Add the photos again")

    # Offline once more, then "Send again" once the network is back: sent, draft gone.
    page.context.set_offline(True)
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#draft-offline")).to_be_visible()
    page.context.set_offline(False)
    page.get_by_role("button", name="Send again").click()
    expect(page.locator("h1")).to_contain_text("your request is received")
    case = Case.objects.get()
    assert case.description == "Broken glass on the playground"
    assert case.answers.get("amount") == "large" or "large" in str(case.answers)
    assert case.grid == city.grid_a and case.address == "Gate 2, East Park"
    assert page.evaluate(DRAFT_KEYS) == []
    page.goto("/submit/")
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.locator("#draft-offer")).to_be_hidden()
    assert page.csp_violations == []


def test_the_draft_keeps_no_contact_and_can_be_discarded_in_chinese(browse, shot, city):
    page = browse(None, language="zh-hans", **PHONE)
    page.goto("/submit/")
    page.locator("#id_description").fill("路灯不亮")
    page.locator("#id_phone").fill("13800001111")
    page.locator("#id_name").fill("王五")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")
    page.wait_for_timeout(600)  # the save after the last key
    kept = page.evaluate(f"() => localStorage.getItem(({DRAFT_KEYS})()[0])")
    assert "路灯不亮" in kept
    assert "13800001111" not in kept and "王五" not in kept
    page.reload()
    expect(page.locator("#draft-offer")).to_contain_text("恢复您")
    shot(page, "62-draft-offered-zh")
    page.get_by_role("button", name="丢弃").click()
    expect(page.locator("#draft-offer")).to_be_hidden()
    assert page.evaluate(DRAFT_KEYS) == []
    page.reload()
    expect(page.locator("#draft-offer")).to_be_hidden()


def test_errors_from_the_server_still_show_as_a_page(browse, city, people):
    """A refused report (no description) is the server's page with its errors, as without
    script: the fetch only takes over when the network is down."""
    page = browse(people.citizen)
    page.goto("/submit/")
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert Case.objects.count() == 0


def test_the_staff_filing_page_keeps_its_own_draft_without_the_callers_contact(
    browse, city, people
):
    page = browse(people.officer_a)
    page.goto("/work/file/")
    page.locator("#id_description").fill("Caller reports a blocked drain")
    page.locator("#id_phone").fill("13700002222")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")
    page.wait_for_timeout(600)
    key = page.evaluate(f"() => ({DRAFT_KEYS})()[0]")
    assert key.startswith("draft:/work/file/:")
    assert "13700002222" not in page.evaluate("k => localStorage.getItem(k)", key)
    page.goto("/submit/")  # another page: another draft, nothing offered here
    expect(page.locator("#draft-offer")).to_be_hidden()
    page.goto("/work/file/")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator("#id_description")).to_have_value("Caller reports a blocked drain")
    expect(page.locator("#id_phone")).to_have_value("")


def test_a_submit_sent_to_sign_in_again_keeps_the_draft(browse, city, people):
    """An expired session at submit leads to the sign-in page: the draft waits for the return."""
    from django.conf import settings

    page = browse(people.officer_a)
    page.goto("/work/file/")
    page.locator("#id_description").fill("Caller reports a broken bench")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.get_by_role("button", name="File the case").click()
    page.wait_for_url("**/accounts/login/**")
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    assert Case.objects.count() == 0
