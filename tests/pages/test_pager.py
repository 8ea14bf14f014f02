"""The one pager of the staff lists (queue, alarms, a grid's things, the registry, patrol
history, an indicator's cases): previous, "page n of m", next. Its links keep the list's other
query parameters (before, each of the six pagers built its links by hand, and only two of
them had the site's pager style)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.gridwork.registry import building, make_registry


def _pager(query: str, number: int, *, of: int = 3) -> str:
    request = RequestFactory().get(f"/somewhere/?{query}")
    page = Paginator(range(of), 1).get_page(number)
    return render_to_string("_pager.html", {"page": page}, request=request)


def test_the_links_keep_the_filters_and_change_only_the_page():
    with translation.override("en"):
        html = _pager("state=active&area=330106&page=2", 2)
    assert 'href="?state=active&amp;area=330106&amp;page=1" rel="prev"' in html
    assert 'href="?state=active&amp;area=330106&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html
    assert 'class="pagination"' in html  # the site's pager style: 44 px targets on a phone


def test_the_first_and_last_pages_offer_one_way_and_a_single_page_no_pager():
    with translation.override("zh-hans"):
        first, last, single = _pager("", 1), _pager("page=3", 3), _pager("", 1, of=1)
    assert 'rel="prev"' not in first and 'href="?page=2" rel="next"' in first
    assert "第 1 页，共 3 页" in first
    assert 'rel="next"' not in last and 'href="?page=2" rel="prev"' in last
    assert single.strip() == ""


@pytest.mark.django_db
def test_the_registry_pages_its_buildings_within_the_chosen_grid(client, city, people, monkeypatch):
    from gridwork.web import pages

    make_registry(city)
    building(city, "东街2号", city.point_a)
    building(city, "东街3号", city.point_a)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    client.force_login(people.officer_a)
    url = reverse("gridwork:home")
    first = client.get(url, {"area": city.grid_a.code}).content.decode()
    assert "第 1 页，共 2 页" in first
    assert f'href="?area={city.grid_a.code}&amp;page=2" rel="next"' in first
    second = client.get(url, {"area": city.grid_a.code, "page": 2}).content.decode()
    assert "东街3号" in second and "东街1号" not in second and "第 2 页，共 2 页" in second
