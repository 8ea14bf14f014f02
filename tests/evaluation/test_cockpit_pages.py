"""The leaders' cockpit, page by page and persona by persona.

- who opens it (leaders, dispatchers, supervisors, department members, administrators) and who
  is refused (citizens, outsiders, grid officers, anyone asking for an area not theirs);
- drill-down district → street → community → grid through the ranking's links;
- every chart's table says what the indicators say;
- a click on a number lists exactly the cases behind it that the person may open;
- the heatmap counts only the person's cases; the owed-now list is coloured by time used.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation import indicators
from evaluation.labels import percent, score_text
from governance import clock
from governance.access import Action, cases_for
from governance.models import Case
from tests.cases import submit
from tests.evaluation.cockpit_city import make_cockpit_city

DASHBOARD = "/work/dashboard/"


@pytest.fixture
def cockpit_city(city, people):
    return make_cockpit_city(city, people)


@pytest.fixture
def month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def links(html: str, pattern: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html) if pattern in unescape(h)]


def table_rows(html: str, marker: str) -> list[tuple[str, str]]:
    """(label, value) rows of the chart table `data-chart-table="marker"`."""
    start = html.index(f'data-chart-table="{marker}"')
    body = html[start : html.index("</table>", start)]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="n">(.*?)</td>', body, re.S)
    return [(unescape(re.sub(r"<[^>]+>", "", label)).strip(), unescape(v)) for label, v in rows]


# --- who opens it -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["citizen", "other_citizen", "officer_a", "officer_b"])
def test_citizens_outsiders_and_grid_officers_are_refused(english, cockpit_city, people, persona):
    for url in (DASHBOARD, DASHBOARD + "cases/?figure=reported", DASHBOARD + "obligations/"):
        response = client_for(getattr(people, persona)).get(url)
        assert response.status_code == 403, url
        assert "cockpit" in response.content.decode().lower()
    response = client_for(getattr(people, persona)).get(DASHBOARD + "heatmap.json")
    assert response.status_code == 403


def test_someone_not_signed_in_is_sent_to_sign_in(cockpit_city):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert "/login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("street_leader", "东街道"),
        ("dispatcher", "Qinghu"),
        ("clerk", "City management"),
        ("admin", "Minghu"),
    ],
)
def test_leaders_dispatchers_departments_and_administrators_open_their_own_cockpit(
    english, cockpit_city, people, persona, heading
):
    response = client_for(getattr(people, persona)).get(DASHBOARD)
    assert response.status_code == 200
    h1 = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert heading in h1


def test_the_menu_offers_the_cockpit_only_to_those_it_is_for(english, cockpit_city, people):
    cockpit_link = f'href="{DASHBOARD}"'
    assert cockpit_link in client_for(people.street_leader).get("/work/queue/").content.decode()
    assert cockpit_link in client_for(people.clerk).get("/work/queue/").content.decode()
    assert cockpit_link not in client_for(people.officer_a).get("/work/queue/").content.decode()
    assert cockpit_link not in client_for(people.citizen).get("/").content.decode()


def test_a_street_leader_sees_only_their_street_and_what_lies_beneath(
    english, cockpit_city, city, people, month
):
    leader = client_for(people.street_leader)
    for area in (city.street_b, city.district, city.city, city.grid_b):
        assert leader.get(DASHBOARD, {"area": area.code, "period": month}).status_code == 403
        response = leader.get(
            DASHBOARD + "cases/", {"area": area.code, "period": month, "figure": "reported"}
        )
        assert response.status_code == 403
    for area in (city.street_a, city.community_a, city.grid_a2):
        assert leader.get(DASHBOARD, {"area": area.code, "period": month}).status_code == 200
    # An unknown code is refused the same way (nothing tells what exists).
    assert leader.get(DASHBOARD, {"area": "999999"}).status_code == 403
    # A department not theirs: refused.
    response = leader.get(DASHBOARD, {"department": city.department.code})
    assert response.status_code == 403
    response = client_for(people.other_clerk).get(DASHBOARD, {"department": city.department.code})
    assert response.status_code == 403


def test_a_bad_period_is_answered_with_what_a_period_looks_like(english, cockpit_city, people):
    response = client_for(people.dispatcher).get(DASHBOARD, {"period": "2026-13"})
    assert response.status_code == 400
    assert "a month (2026-11)" in response.content.decode()
    response = client_for(people.dispatcher).get(DASHBOARD, {"step": "hour"})
    assert response.status_code == 400


# --- drill-down -------------------------------------------------------------------------------


def test_drill_down_from_district_to_street_to_community_to_grid(
    english, cockpit_city, city, people, month
):
    dispatcher = client_for(people.dispatcher)
    page = dispatcher.get(DASHBOARD, {"area": city.district.code, "period": month})
    html = page.content.decode()
    street_links = re.findall(r'data-drill="(\d+)"', html)
    assert sorted(street_links) == sorted([city.street_a.code, city.street_b.code])
    street_url = f"{DASHBOARD}?area={city.street_a.code}&period={month}"
    assert street_url in links(html, "area=")

    html = dispatcher.get(street_url).content.decode()
    assert re.findall(r'data-drill="(\d+)"', html) == [city.community_a.code]
    assert "aria-current" in html and "Qinghu" in html  # the crumbs lead back up

    html = dispatcher.get(DASHBOARD, {"area": city.community_a.code, "period": month})
    html = html.content.decode()
    assert sorted(re.findall(r'data-drill="(\d+)"', html)) == sorted(
        [city.grid_a.code, city.grid_a2.code]
    )
    grid_page = dispatcher.get(DASHBOARD, {"area": city.grid_a.code, "period": month})
    assert grid_page.status_code == 200
    assert 'data-drill="' not in grid_page.content.decode()  # a grid is the last level


# --- the charts say what the indicators say ---------------------------------------------------


def test_chart_tables_equal_the_indicator_values(english, cockpit_city, city, people, month):
    period = indicators.parse_period(month)
    html = client_for(people.dispatcher).get(DASHBOARD, {"area": city.district.code}).content
    html = html.decode()

    ranked = indicators.rank_children(city.district, period)
    expected = [
        (r.key.display_name, f"{score_text(r.figures.score)} {r.figures.grade or 'not graded'}")
        for r in ranked
    ]
    assert table_rows(html, "ranking") == expected

    evaluation = indicators.evaluate(indicators.Scope.for_area(city.district), period)
    assert evaluation.counts["reported"] == 5
    for name, value in evaluation.counts.items():
        assert re.search(rf'data-figure-link="{name}">{value}</a>', html), name
    for name in ("on_time_closing_rate", "rework_rate", "closing_rate"):
        shown = percent(evaluation.rates[name])
        assert re.search(rf'data-figure-link="{name}">{re.escape(shown)}</a>', html), name
    assert evaluation.counts["reworked"] == 1

    categories = indicators.by_category(indicators.Scope.for_area(city.district), period)
    assert [(label, value.split(" ")[0]) for label, value in table_rows(html, "categories")] == [
        (c.category.display_name, str(c.figures.counts["reported"])) for c in categories
    ]

    points = indicators.series(
        indicators.Scope.for_area(city.district),
        period.first - timedelta(days=330),
        period.last,
        "month",
    )
    trend = dict(table_rows(html, "trend-2"))  # reported per month
    assert trend[period.label] == str(points[-1].figures.counts["reported"])


# --- a number's cases -------------------------------------------------------------------------


def listed(html: str) -> set[str]:
    return set(re.findall(r'<tr data-case="([^"]+)"', html))


def behind(user, scope, month: str, figure: str) -> set[str]:
    condition = indicators.cases_behind(scope, indicators.parse_period(month), figure)
    return set(
        cases_for(user, Action.VIEW, as_staff=True)
        .filter(condition)
        .values_list("tracking_id", flat=True)
    )


@pytest.mark.parametrize(
    "figure", ["reported", "dispatched", "closed", "reworked", "on_time_closing_rate"]
)
def test_a_click_on_a_figure_lists_exactly_the_cases_behind_it(
    english, cockpit_city, city, people, month, figure
):
    html = client_for(people.dispatcher).get(DASHBOARD, {"area": city.district.code}).content
    url = next(u for u in links(html.decode(), "/cases/") if f"figure={figure}" in u)
    page = client_for(people.dispatcher).get(url)
    assert page.status_code == 200
    expected = behind(people.dispatcher, indicators.Scope.for_area(city.district), month, figure)
    assert listed(page.content.decode()) == expected
    assert expected  # every one of these figures has cases in the fixture


def test_the_lists_are_exact_for_known_cases(english, cockpit_city, city, people, month):
    dispatcher = client_for(people.dispatcher)

    def ids(**query) -> set[str]:
        page = dispatcher.get(DASHBOARD + "cases/", {"period": month, **query})
        return listed(page.content.decode())

    c = cockpit_city
    assert ids(area=city.district.code, figure="reported") == {x.tracking_id for x in c.all}
    assert ids(area=city.street_b.code, figure="reported") == {
        c.waiting_b.tracking_id,
        c.handled_b.tracking_id,
    }
    assert ids(area=city.district.code, figure="reworked") == {c.reworked_a.tracking_id}
    assert ids(area=city.district.code, figure="closed") == {c.closed_a.tracking_id}


def test_a_department_sees_its_own_cases_behind_its_figures(
    english, cockpit_city, city, people, month
):
    clerk = client_for(people.clerk)
    page = clerk.get(
        DASHBOARD + "cases/",
        {"department": city.department.code, "period": month, "figure": "dispatched"},
    )
    assert page.status_code == 200
    c = cockpit_city
    assert listed(page.content.decode()) == {
        c.closed_a.tracking_id,
        c.open_a.tracking_id,
        c.reworked_a.tracking_id,
    }


def test_an_unknown_figure_is_refused_plainly(english, cockpit_city, city, people):
    page = client_for(people.dispatcher).get(DASHBOARD + "cases/", {"figure": "password"})
    assert page.status_code == 400
    assert "not a figure" in page.content.decode()


# --- heatmap and owed now ---------------------------------------------------------------------


def test_the_heatmap_counts_the_persons_cases_per_cell(english, cockpit_city, city, people, month):
    data = client_for(people.dispatcher).get(DASHBOARD + "heatmap.json", {"period": month}).json()
    assert sum(cell[4] for cell in data["cells"]) == 5
    assert data["max"] >= 1
    for west, south, east, north, _n in data["cells"]:
        assert city.district.min_lon <= west < east <= city.district.max_lon + 1e-6
        assert city.district.min_lat <= south < north
    street = client_for(people.street_leader).get(DASHBOARD + "heatmap.json", {"period": month})
    # The street leader's map covers their street: its three cases, none of street B's.
    assert sum(cell[4] for cell in street.json()["cells"]) == 3
    assert all(cell[2] <= city.street_a.max_lon + 1e-6 for cell in street.json()["cells"])
    # No case's own point is sent, only cells.
    assert set(street.json()) == {"size", "cells", "max", "bounds"}


def test_owed_now_is_coloured_by_the_share_of_time_used(english, city, people):
    past = timezone.now() - timedelta(days=3)
    with clock.travel(past):
        late = submit(city, people)  # its intake limit passed days ago
    fresh = submit(city, people)
    from evaluation.facts import write_cases

    write_cases([late.pk, fresh.pk])
    html = client_for(people.street_leader).get(DASHBOARD + "obligations/").content.decode()
    rows = re.findall(r'data-case="([^"]+)" data-kind="intake"[^>]*data-colour="(\w+)"', html)
    colours = dict(rows)
    assert colours == {late.tracking_id: "red", fresh.tracking_id: "green"}
    assert 'data-colour-total="red">1<' in html
    assert 'data-colour-total="green">1<' in html
    # The cockpit page carries the same list, marked for live.js to refresh over /ws/queue/.
    page = client_for(people.street_leader).get(DASHBOARD).content.decode()
    assert 'data-live="queue"' in page and "/work/dashboard/obligations/?area=" in page


def test_the_page_reads_in_chinese(cockpit_city, people):
    page = client_for(people.dispatcher, "zh-hans").get(DASHBOARD)
    html = page.content.decode()
    assert "驾驶舱" in html
    assert "按期结案率" in html


def test_the_cockpit_links_the_monthly_report_of_its_area_and_period(
    english, cockpit_city, city, people, month
):
    html = client_for(people.dispatcher).get(
        DASHBOARD, {"area": city.street_a.code, "period": month}
    )
    html = html.content.decode()
    query = f"?period={month}"
    for name in ("evaluation:report", "evaluation:report_xlsx", "evaluation:report_csv"):
        url = reverse(name, args=[city.street_a.code]) + query
        assert f'href="{url}"' in html.replace("&amp;", "&")
    xlsx = client_for(people.dispatcher).get(
        reverse("evaluation:report_xlsx", args=[city.street_a.code]), {"period": month}
    )
    assert xlsx.status_code == 200
    # A department's cockpit has no area report to link.
    html = client_for(people.clerk).get(DASHBOARD).content.decode()
    assert 'data-report="xlsx"' not in html


def test_cases_behind_a_figure_are_never_more_than_the_person_may_open(
    english, cockpit_city, city, people, month
):
    """A department's figure may count cases under areas the clerk cannot open; the list shows
    only those they may, and says how many it leaves out."""
    every = set(Case.objects.values_list("tracking_id", flat=True))
    page = client_for(people.clerk).get(
        DASHBOARD + "cases/",
        {"department": city.department.code, "period": month, "figure": "reported"},
    )
    shown = listed(page.content.decode())
    assert shown <= every
    assert shown <= set(cases_for(people.clerk, Action.VIEW).values_list("tracking_id", flat=True))
    assert reverse("cockpit:dashboard") in page.content.decode()
