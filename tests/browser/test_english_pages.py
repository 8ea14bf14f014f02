"""In a real browser, English pages show no Chinese data text (issue 10, item 7).

What the server writes is checked in `tests/pages/test_reader_language.py`; this is what the
person reads once the scripts have run: the category's questions loaded on choosing it, the
pin's status naming its grid, the counters, the live parts, the map's controls — the page's
visible text and the names it gives to assistive technology (aria-label, title, alt,
placeholder), on a 360 px phone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import pin
from tests.pages.test_reader_language import ALLOWED_CJK, CJK, case, named, pages  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
READ = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  return parts.join("\\n");
}"""


def settled(page) -> None:
    """Loaded, with the map's outlines and any htmx request in: what is read is all there."""
    page.wait_for_function(
        """() => !document.querySelector(".htmx-request") && [...document.querySelectorAll(
          "[data-outlines-url]")].every(el => el._outlineData)"""
    )


def chinese_read(page) -> list[str]:
    text = page.evaluate(READ)
    for allowed in ALLOWED_CJK:
        text = text.replace(allowed, "")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def test_english_pages_read_no_chinese_data_once_their_scripts_ran(browse, case, people, named):  # noqa: F811
    tabs = {}
    for user, url in pages(case, people):
        if user.pk not in tabs:
            tabs[user.pk] = browse(user, language="en", **PHONE)
        page = tabs[user.pk]
        page.goto(url)
        settled(page)
        assert chinese_read(page) == [], url

    # The report form as it is filled: questions, the pin's grid, the counters.
    page = tabs[people.citizen.pk]
    page.goto("/submit/")
    page.get_by_label("Search categories (Chinese or English)").fill("garbage")
    expect(page.locator("#id_category")).to_have_value(str(named.category.pk))
    expect(page.locator("#questions")).to_contain_text("Your estimate")
    page.get_by_label("Describe the problem").fill("Rubbish")
    pin(page, *named.point_a)
    expect(page.locator("#pin-status")).to_contain_text(named.grid_a.name_en)
    settled(page)
    assert chinese_read(page) == [], "/submit/ filled in"
