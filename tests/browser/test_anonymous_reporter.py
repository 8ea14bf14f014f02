"""An anonymous reporter on a phone is never left in the dark: they file, get a confirmation
mail, open its one-time link in another browser, follow the request to its close and rate it
there; the tracking page and the link pages fit a 360 px screen in English and Chinese."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from config.celery import app as celery_app
from governance import workflow
from governance.models import Case, Status
from tests.browser.conftest import pin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def eager_tasks():
    """Deliveries run in the server's process even when REDIS_URL names a broker (no worker
    runs in the test): the mails land in this process's outbox."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LINK = re.compile(r"https?://[^/\s]+(/track/link/[\w-]+/)")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways ({width} px)"


def test_anonymous_phone_user_files_follows_the_mail_link_and_rates_after_close(
    browse, shot, city, people, settings, live_server
):
    settings.SITE_URL = live_server.url  # the links in the mails lead to this test server
    reporter = browse(**PHONE)
    reporter.goto("/submit/")
    reporter.get_by_label("Search categories (Chinese or English)").fill("garbage")
    expect(reporter.locator("#id_category")).to_have_value(str(city.category.pk))
    reporter.locator("input[name=answer_amount][value=large]").check()
    reporter.get_by_label("Describe the problem").fill("Rubbish bags left by the bus stop")
    pin(reporter, 120.01, 30.01)
    reporter.get_by_label("E-mail").fill("walker@example.com")
    reporter.get_by_role("button", name="Submit the request").click()
    expect(reporter.locator("h1")).to_contain_text("your request is received")
    expect(reporter.locator("#confirmation-sent")).to_contain_text("by e-mail")
    tracking_id = reporter.locator("#tracking-id").inner_text()
    no_sideways_scroll(reporter)
    shot(reporter, "i10-track-01-submitted-phone-en")

    # The confirmation mail names the request and carries a one-time link.
    [confirmation] = [m for m in mail.outbox if m.to == ["walker@example.com"]]
    assert tracking_id in confirmation.subject
    path = LINK.search(confirmation.body).group(1)

    # Read on another device: a fresh browser with no session opens the link.
    other = browse(**PHONE)
    other.goto(path)
    no_sideways_scroll(other)
    shot(other, "i10-track-02-link-phone-en")
    other.get_by_role("button", name="Open my request").click()
    expect(other.locator("h1")).to_contain_text(tracking_id)
    expect(other.get_by_text("Withdraw", exact=False).first).to_be_visible()
    no_sideways_scroll(other)

    # The link works once: a second browser is offered a fresh one, not an error.
    late = browse(**PHONE)
    late.goto(path)
    expect(late.locator("h1")).to_contain_text("already used or has expired")
    expect(late.get_by_role("button", name="Send me a new link")).to_be_visible()
    no_sideways_scroll(late)
    shot(late, "i10-track-03-link-used-phone-en")

    # Staff take it round the loop; each change reaches the reporter's mailbox.
    case = Case.objects.get(tracking_id=tracking_id)
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="Bags collected")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a, note="All clean")
    mails = [m for m in mail.outbox if m.to == ["walker@example.com"]]
    # Six status messages, and after closing the satisfaction callback (回访) with its own link.
    updates = [m for m in mails if "/callback/" not in m.body]
    assert len(updates) == 6 and len(mails) == 7
    closed = updates[-1]
    assert "closed" in closed.subject and "All clean" in closed.body

    # The closed mail's link, in yet another fresh browser: rate the result there.
    rater = browse(**PHONE)
    rater.goto(LINK.search(closed.body).group(1))
    rater.get_by_role("button", name="Open my request").click()
    expect(rater.locator("[data-live=case]")).to_contain_text("closed")
    rater.locator("details.action", has=rater.get_by_text("Rate", exact=True)).locator(
        "summary"
    ).click()
    form = rater.locator("details.action", has=rater.get_by_text("Rate", exact=True))
    form.get_by_label("4").check()
    form.locator("button[type=submit]").click()
    expect(rater.locator("[data-live=case]")).to_contain_text("Rated 4 of 5")
    no_sideways_scroll(rater)
    shot(rater, "i10-track-04-rated-phone-en")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == 4
    for page in (reporter, other, late, rater):
        assert page.csp_violations == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_tracking_page_on_a_phone(browse, shot, city, people, language):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    page = browse(language=language, **PHONE)
    page.goto("/")
    page.locator("main a[href='/track/']").first.click()
    page.locator("#tracking-id-input").fill("000000-000000")
    page.locator("#tracking-id-input").press("Enter")
    expect(page.locator("#tracking-id-error")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, f"i10-track-05-track-error-phone-{language}")
    page.locator("#tracking-id-input").fill(" ".join(case.tracking_id.lower()))
    page.locator("#tracking-id-input").press("Enter")
    expect(page.locator("body")).to_contain_text(case.tracking_id)
    assert f"/public/{case.tracking_id}/" in page.url
    assert page.csp_violations == []
