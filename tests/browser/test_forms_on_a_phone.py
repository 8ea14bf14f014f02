"""Forms and pages on a 360×640 phone: live counters on long texts, no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_areas_page_does_not_scroll_sideways(browse, shot, city, people, language):
    page = browse(people.dispatcher, language=language, **PHONE)
    response = page.goto("/work/areas/")
    assert response.status == 200
    expect(page.locator("table.areas")).to_be_visible()
    shot(page, f"53-phone-areas-{language}")
    assert page_width(page) <= 360, f"/work/areas/ is {page_width(page)}px wide at 360px"


def test_long_texts_have_live_counters_and_are_never_cut(browse, shot, city, people):
    page = browse(people.citizen, **PHONE)
    page.goto("/submit/")
    description = page.locator("#id_description")
    counter = page.locator("#id_description-count")
    expect(counter).to_have_text("Characters left: 4000")
    description.press_sequentially("abc")
    expect(counter).to_have_text("Characters left: 3997")
    expect(page.locator("#id_address-count")).to_have_text("Characters left: 300")
    # A long paste is kept whole and the counter says by how much it is too long.
    description.fill("x" * 4005)
    expect(counter).to_have_text("Too long by 5 characters: at most 4000")
    assert len(description.input_value()) == 4005
    # Screen readers are told the limit with the field, and the count once typing pauses.
    described = description.get_attribute("aria-describedby")
    assert "id_description-count-limit" in described
    expect(page.locator("#id_description-count-limit")).to_have_text("At most 4000 characters.")
    shot(page, "54-phone-counter-over")
    # Sent anyway, the server refuses it with a message next to the field, text intact.
    page.get_by_label("Category:", exact=True).select_option(str(city.urgent_category.pk))
    page.evaluate(
        "() => { document.getElementById('id_lon').value = '120.12';"
        " document.getElementById('id_lat').value = '30.01'; }"
    )
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#id_description_error")).to_contain_text("at most 4000 characters")
    assert len(page.locator("#id_description").input_value()) == 4005
    expect(page.locator("#id_description-count")).to_have_text(
        "Too long by 5 characters: at most 4000"
    )
    assert not Case.objects.exists()
    assert page_width(page) <= 360


def test_counters_speak_chinese(browse, city):
    page = browse(None, language="zh-hans", **PHONE)
    page.goto("/submit/")
    expect(page.locator("#id_description-count")).to_have_text("还可输入 4000 个字")


def test_category_shows_the_required_marker(browse, city):
    page = browse(None, **PHONE)
    page.goto("/submit/")
    marker = page.evaluate(
        "() => getComputedStyle(document.querySelector('label[for=id_category]'), '::after')"
        ".content"
    )
    assert "*" in marker


def test_anonymous_contact_errors_show_in_one_round(browse, city):
    page = browse(None, **PHONE)
    page.goto("/submit/")
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Submit the request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    for label in ("Category", "Describe the problem", "Address or landmark", "Phone"):
        expect(summary.get_by_role("link", name=label)).to_be_visible()
