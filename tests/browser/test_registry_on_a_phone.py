"""The registry on a 360 px phone, in Chinese: a street leader opens their buildings, a
building, a resident (masked), shows the id number (logged); coverage and import fit too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.models import AccessLog
from tests.gridwork.registry import ID_A, make_registry

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways ({width} px)"


def test_a_leader_walks_the_registry_on_a_phone(browse, shot, city, people):
    registry = make_registry(city)
    page = browse(people.street_leader, language="zh-hans", **PHONE)
    page.goto("/registry/")
    no_sideways_scroll(page)
    shot(page, "registry-home-360")
    page.get_by_role("link", name="东街1号").click()
    expect(page.get_by_role("heading", name="东街1号")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("link", name="王秀英").click()
    masked = ID_A[:6] + "********" + ID_A[-4:]
    expect(page.get_by_text(masked)).to_be_visible()
    assert ID_A not in page.content()
    page.get_by_role("button", name="显示身份证号和电话").click()
    expect(page.get_by_text(ID_A)).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "registry-resident-360")
    assert AccessLog.objects.filter(record_id=registry.resident_a.pk).count() == 1
    for path in ("/registry/coverage/", "/registry/import/", "/registry/search/"):
        page.goto(path)
        no_sideways_scroll(page)
    assert not page.csp_violations and not page.outside_requests
