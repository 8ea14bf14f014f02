"""The header: every text in it readable (WCAG contrast ≥ 4.5:1), and short on a phone.

Signed in and out, Chinese and English, with and without unread notifications; on a phone
with the menu folded and open, and on a desktop.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

# For each visible element of the header that shows text (its own text nodes, or a form
# control's value), the WCAG 2 contrast ratio of its colour against the background it is drawn
# on (the nearest ancestors' background colours, composited over white).
CONTRASTS = """
() => {
  function rgba(text) {
    const parts = text.match(/rgba?\\(([^)]+)\\)/)[1].split(/[ ,\\/]+/).filter(Boolean);
    const n = parts.map(parseFloat);
    return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
  }
  function over(top, base) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + base[i] * (1 - a));
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  }
  function luminance(c) {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  const header = document.querySelector("header.site-header");
  const found = [];
  header.querySelectorAll("*").forEach(el => {
    if (!el.getClientRects().length) return;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return;
    const own = Array.from(el.childNodes)
      .filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join("");
    const control = el.tagName === "SELECT" || el.tagName === "BUTTON";
    if (!own && !control) return;
    const bg = background(el);
    const fg = over(rgba(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    found.push({
      text: (own || el.textContent.trim()).slice(0, 40), tag: el.tagName,
      ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
    });
  });
  return found;
}
"""


def readable(page) -> list[dict]:
    found = page.evaluate(CONTRASTS)
    assert found, "no text found in the header"
    poor = [f for f in found if f["ratio"] < 4.5]
    print("\nlowest header contrast:", min(found, key=lambda f: f["ratio"]))
    assert not poor, f"header text below 4.5:1: {poor}"
    return found


def header_share(page) -> float:
    height = page.evaluate("document.querySelector('header.site-header').offsetHeight")
    return height / page.viewport_size["height"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_header_text_is_readable_signed_in_and_out(browse, shot, city, people, language):
    Notification.objects.create(
        user=people.citizen,
        kind=NotificationKind.STATUS_CHANGED,
        title="t",
        created_at=timezone.now(),
    )
    for user in (None, people.citizen, people.dispatcher):
        for options in (PHONE, DESKTOP):
            page = browse(user, language=language, **options)
            page.goto("/public/")
            texts = {f["text"] for f in readable(page)}
            if user is not None:
                link = page.locator("header .unread-link")
                expect(link).to_be_visible()
                assert any(t in texts for t in ("Notifications", "通知")), texts
            if options is PHONE:
                page.get_by_role("button", name="Menu" if language == "en" else "菜单").click()
                expect(page.locator("#site-menu nav")).to_be_visible()
                readable(page)
            page.context.close()
    # The citizen has one unread notification: its count is shown, and readable.
    page = browse(people.citizen, language=language, **PHONE)
    page.goto("/public/")
    expect(page.locator("header .unread .badge")).to_be_visible()
    shot(page, f"50-header-phone-{language}")
    readable(page)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_header_is_short_on_a_phone_and_the_menu_works_by_keyboard(browse, city, people, language):
    Notification.objects.create(
        user=people.dispatcher,
        kind=NotificationKind.DUE_SOON,
        title="t",
        created_at=timezone.now(),
    )
    for user in (None, people.citizen, people.dispatcher):
        page = browse(user, language=language, **PHONE)
        for url in ("/", "/submit/", "/work/queue/" if user is people.dispatcher else "/public/"):
            page.goto(url)
            share = header_share(page)
            print(f"\nheader on {url} ({language}, {user or 'anonymous'}): {share:.1%}")
            assert share <= 0.15, f"header is {share:.0%} of a 360×640 screen on {url}"
        toggle = page.locator("header .menu-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#site-menu")).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#site-menu .site-nav a").first).to_be_visible()
        expect(page.locator("#language-select")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#site-menu")).to_be_hidden()
        expect(toggle).to_be_focused()
        page.context.close()


def test_the_menu_is_always_open_on_a_desktop(browse, city, people):
    page = browse(people.citizen, **DESKTOP)
    page.goto("/")
    expect(page.locator("header .menu-toggle")).to_be_hidden()
    expect(page.locator("header").get_by_role("link", name="My requests")).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()


def test_the_staff_pages_are_grouped_and_a_group_opens_on_a_desktop_and_a_phone(
    browse, shot, city, people
):
    """A leader's many pages stay in a short header: the groups open one at a time, close on
    Escape or a click elsewhere; on a phone a group opens inside the folded menu, and the first
    Escape closes the group, not the menu."""
    page = browse(people.street_leader, **DESKTOP)
    page.goto("/work/queue/")
    height = page.evaluate("document.querySelector('header.site-header').offsetHeight")
    assert height <= 110, f"the desktop header is {height}px high (more than two rows)"
    emergency = page.locator(".nav-group summary", has_text="Emergency")
    cases = page.locator(".nav-group summary", has_text="Cases and areas")
    tasks = page.get_by_role("link", name="Emergency tasks")
    expect(tasks).to_be_hidden()
    emergency.click()
    expect(tasks).to_be_visible()
    readable(page)
    shot(page, "51-header-group-desktop")
    cases.click()  # one group at a time
    expect(page.get_by_role("link", name="Areas")).to_be_visible()
    expect(tasks).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Areas")).to_be_hidden()
    expect(cases).to_be_focused()
    emergency.click()
    page.mouse.click(1200, 700)  # a click elsewhere on the page
    expect(tasks).to_be_hidden()
    emergency.click()
    tasks.click()
    expect(page).to_have_url(re.compile(r"/work/emergency/tasks/$"))
    page.context.close()

    page = browse(people.street_leader, **PHONE)
    page.goto("/work/queue/")
    page.get_by_role("button", name="Menu").click()
    page.locator(".nav-group summary", has_text="Emergency").click()
    expect(page.get_by_role("link", name="Emergency tasks")).to_be_visible()
    readable(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Emergency tasks")).to_be_hidden()
    expect(page.locator("#site-menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#site-menu")).to_be_hidden()
