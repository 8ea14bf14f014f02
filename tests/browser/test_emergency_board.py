"""The incident pages on a 360 px phone, in Chinese: a dispatcher draws the affected area and
declares; the board shows its map without sideways scrolling; the grid officer gives a plan
step's feedback from "my tasks". No inline script or style: no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from emergency import plans
from emergency.models import Incident, IncidentKind, Plan, PlanStep, Task
from governance.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways ({width} px)"


def tap_map(page, selector: str, lon: float, lat: float) -> None:
    point = page.evaluate(
        """([sel, lon, lat]) => {
            const el = document.querySelector(sel);
            const p = el._leafletMap.latLngToContainerPoint([lat, lon]);
            const box = el.getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [selector, lon, lat],
    )
    page.mouse.click(point["x"], point["y"])


def test_declare_by_drawing_then_board_and_my_tasks_on_a_phone(browse, shot, city, people):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD, min_level=1, max_level=4)
    PlanStep.objects.create(
        plan=plan, order=1, title="排查积水点", owner_role=Role.OFFICER, limit=30
    )

    page = browse(user=people.dispatcher, language="zh-hans", **PHONE)
    page.goto("/work/emergency/incidents/new/")
    page.wait_for_selector("#draw-map[data-loaded]", state="attached")
    page.locator("#draw-map").scroll_into_view_if_needed()
    for lon, lat in ((120.01, 30.01), (120.02, 30.01), (120.02, 30.02)):
        tap_map(page, "#draw-map", lon, lat)
        page.wait_for_timeout(350)  # taps, not a double tap
    assert '"Polygon"' in page.locator("textarea[name=polygon]").input_value()
    no_sideways_scroll(page)
    page.locator("input[name=title]").fill("暴雨内涝")
    page.locator("select[name=kind]").select_option("flood")
    page.locator("select[name=level]").select_option("2")
    page.locator("input[name=exercise]").check()
    shot(page, "emergency-01-declare-phone-zh")
    page.locator("form.declare-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("暴雨内涝")
    incident = Incident.objects.get(title="暴雨内涝")
    assert [row.area for row in incident.affected.all()] == [city.grid_a]
    expect(page.locator(".exercise-banner")).to_be_visible()
    page.locator("select[name=plan]").select_option(str(plan.pk))
    page.locator("form.activate-form button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelectorAll('#incident-map path.leaflet-interactive').length > 0"
    )
    no_sideways_scroll(page)
    shot(page, "emergency-02-board-phone-zh")

    officer = browse(user=people.officer_a, language="zh-hans", **PHONE)
    officer.goto("/work/emergency/tasks/")
    expect(officer.locator(".task-title")).to_contain_text("排查积水点")
    no_sideways_scroll(officer)
    officer.locator(".feedback-form textarea").fill("三处积水，已设置警示")
    officer.locator(".feedback-form button[type=submit]").click()
    expect(officer.locator(".message.success")).to_be_visible()
    shot(officer, "emergency-03-my-tasks-phone-zh")
    assert Task.objects.get().feedback == "三处积水，已设置警示"
    assert plans.tasks_for(people.officer_a).get().feedback_at is not None
    assert page.csp_violations == [] and officer.csp_violations == []
