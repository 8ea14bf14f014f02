"""The monthly report of an area: printable page, CSV and xlsx with the same rows, for those
who see the area only."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.evaluation.story import tell


@pytest.fixture
def story(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tell(city, people)


def test_the_printable_report_ranks_the_streets(client, city, people, story, english):
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "en"
    page = client.get(f"/work/evaluation/reports/{city.district.code}/?period=2026-11")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Evaluation report of Qinghu, 2026-11" in text
    assert text.index(city.street_a.name) < text.index(city.street_b.name)
    assert "64.3" in text and "50.0%" in text  # the score; on-time closing rate
    assert "not graded" in text  # street B: nothing to count
    index = client.get("/work/evaluation/reports/?period=2026-11")
    assert f"/work/evaluation/reports/{city.district.code}/report.xlsx?period=2026-11" in (
        index.content.decode()
    )


def test_csv_and_xlsx_carry_the_same_rows(client, city, people, story, english):
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "en"
    url = f"/work/evaluation/reports/{city.district.code}/report"
    answer = client.get(url + ".csv?period=2026-11")
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[2][:3] == ["Rank", "Code", "Name"]
    assert rows[3][1] == city.district.code and rows[3][3] == "9"  # the total: 9 reported
    assert rows[4][:2] == ["1", city.street_a.code]
    assert rows[4][-2:] == ["64.3", "C"]
    assert rows[5][-1] == "not graded"

    answer = client.get(url + ".xlsx?period=2026-11")
    assert answer["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[3][:2] == [None, city.district.code]
    assert values[4][0] == 1 and values[4][-2:] == [64.3, "C"]
    column = values[2].index("Closed on time")
    assert values[4][column] == 0.5  # a number, shown as a percentage


@pytest.mark.parametrize("persona", ["street_leader", "officer_a", "clerk", "citizen"])
def test_a_report_of_an_area_one_does_not_see_is_not_found(client, city, people, persona):
    client.force_login(getattr(people, persona))
    for suffix in ("", "report.csv", "report.xlsx"):
        answer = client.get(f"/work/evaluation/reports/{city.district.code}/{suffix}")
        assert answer.status_code == 404


def test_a_bad_period_is_a_clear_refusal(client, city, people, english):
    client.force_login(people.dispatcher)
    client.cookies["django_language"] = "en"
    answer = client.get(f"/work/evaluation/reports/{city.district.code}/?period=soon")
    assert answer.status_code == 400
    assert "a month (2026-11)" in answer.content.decode()
