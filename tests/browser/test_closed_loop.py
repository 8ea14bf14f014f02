"""The whole loop in a real browser, each person in their own browser session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from governance.models import Case, Status
from tests.browser.conftest import pin

pytestmark = pytest.mark.django_db(transaction=True)


def act(page, button: str, fill=None) -> None:
    """Open an action's form by its button, fill it, submit it."""
    details = page.locator("details.action", has=page.get_by_text(button, exact=True))
    details.locator("summary").click()
    if fill:
        fill(details)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def test_request_goes_round_the_closed_loop(browse, shot, city, people, photo_file):
    # The citizen reports, with a pin on the map and a photo.
    citizen = browse(people.citizen)
    citizen.goto("/submit/")
    citizen.get_by_label("Search categories (Chinese or English)").fill("garbage")
    expect(citizen.locator("#id_category")).to_have_value(str(city.category.pk))
    citizen.locator("input[name=answer_amount][value=large]").check()  # its extra question
    citizen.get_by_label("Describe the problem").fill("Bags of rubbish by the school gate")
    pin(citizen, 120.01, 30.01)
    # The pin's status names its grid, not raw coordinates.
    expect(citizen.locator("#pin-status")).to_contain_text("Pin placed at 网格1")
    assert abs(float(citizen.locator("#id_lat").input_value()) - 30.01) < 0.002
    citizen.get_by_label("Photos").set_input_files(str(photo_file))
    shot(citizen, "01-citizen-submit")
    citizen.get_by_role("button", name="Submit the request").click()
    expect(citizen.locator("h1")).to_contain_text("your request is received")
    tracking_id = citizen.locator("#tracking-id").inner_text()
    case = Case.objects.get(tracking_id=tracking_id)
    assert case.grid == city.grid_a and abs(case.lon - 120.01) < 0.0005
    assert case.attachments.count() == 1
    shot(citizen, "02-citizen-confirmation")

    # The grid's officer finds it in the queue.
    officer = browse(people.officer_a)
    officer.goto("/work/queue/")
    officer.get_by_role("link", name=tracking_id).click()
    expect(officer.locator("h1")).to_contain_text(tracking_id)
    expect(officer.locator(".thumbs img").first).to_be_visible()
    shot(officer, "03-officer-case")

    # An officer of another grid never sees it.
    other = browse(people.officer_b)
    other.goto("/work/queue/")
    expect(other.locator("#queue-list")).not_to_contain_text(tracking_id)
    response = other.goto(f"/work/cases/{tracking_id}/")
    assert response.status == 404

    # The dispatcher accepts it and dispatches it to the city management department.
    dispatcher = browse(people.dispatcher)
    dispatcher.goto(f"/work/cases/{tracking_id}/")
    act(dispatcher, "Accept (file)")
    act(
        dispatcher,
        "Dispatch",
        lambda form: form.get_by_label("Department").select_option(str(city.department.pk)),
    )
    expect(dispatcher.locator(".case-status")).to_contain_text("dispatched")

    # The department starts, then resolves it with a photo of the fix.
    clerk = browse(people.clerk)
    clerk.goto("/work/queue/")
    clerk.get_by_role("link", name=tracking_id).click()
    act(clerk, "Start handling")

    def resolve(form):
        form.get_by_label("What was done").fill("Rubbish removed, bin added")
        form.get_by_label("Photos of the fix").set_input_files(str(photo_file))

    act(clerk, "Report resolved", resolve)
    expect(clerk.locator(".case-status")).to_contain_text("resolved")

    # The officer verifies on site and closes it.
    officer.goto(f"/work/cases/{tracking_id}/")
    act(
        officer,
        "Verified: close",
        lambda form: form.get_by_label("Verification result").fill("Checked: clean"),
    )
    expect(officer.locator(".case-status")).to_contain_text("closed")
    shot(officer, "04-officer-closed")

    # The citizen sees it closed, handled by the department (no person's name), and rates it.
    citizen.goto("/requests/")
    citizen.get_by_role("link", name=tracking_id).click()
    status = citizen.locator("[data-live=case]")
    expect(status).to_contain_text("closed")
    expect(status).to_contain_text(city.department.name_en)
    expect(status).not_to_contain_text("clerk")

    def rate(form):
        form.get_by_label("5").check()
        form.get_by_label("Comment").fill("Quick and tidy")

    act(citizen, "Rate", rate)
    expect(citizen.locator("[data-live=case]")).to_contain_text("Rated 5 of 5")
    shot(citizen, "05-citizen-rated")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == 5
    # Nothing came from anywhere but our own server, except the (unreachable) map tiles.
    for page in (citizen, officer, dispatcher, clerk):
        assert all("tile" in url for url in page.outside_requests), page.outside_requests


def test_forbidden_transition_is_neither_shown_nor_accepted(browse, city, people):
    from governance import workflow

    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    officer = browse(people.officer_a)
    officer.goto(f"/work/cases/{case.tracking_id}/")
    expect(officer.locator("h1")).to_contain_text(case.tracking_id)
    expect(officer.locator("summary", has_text=re.compile("^Dispatch$"))).to_have_count(0)
    expect(officer.locator("form[data-action=dispatch]")).to_have_count(0)
    # Posted by hand from the page, with its CSRF token: refused with a clear message.
    result = officer.evaluate(
        """async (url) => {
            const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token});
            const r = await fetch(url, {method: "POST", body, credentials: "same-origin"});
            return {status: r.status, text: await r.text()};
        }""",
        f"/work/cases/{case.tracking_id}/act/dispatch/",
    )
    assert result["status"] == 403
    assert "You may not dispatch this case. Nothing was changed." in result["text"]
    case.refresh_from_db()
    assert case.status == Status.FILED and case.assignee_department is None
