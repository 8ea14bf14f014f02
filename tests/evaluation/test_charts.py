"""The cockpit's server-side charts: the SVG draws what its table says, null is not zero, and
nothing a label carries can break out of the drawing."""

from __future__ import annotations

import re

from evaluation import charts


def _bar_lengths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]


def test_bars_are_proportional_to_their_values_and_the_table_lists_them_in_order():
    chart = charts.bar_chart(
        "排名",
        [
            charts.Bar("东街道", 90.0, shown="90.0", colour=charts.grade_colour("A"), note="A"),
            charts.Bar("西街道", 45.0, shown="45.0", colour=charts.grade_colour("D"), note="D"),
        ],
        label_header="Area",
        value_header="Score",
        scale_max=100,
    )
    first, second = _bar_lengths(chart.svg)
    assert abs(first / second - 2) < 0.01
    assert chart.table == [("东街道", "90.0 A", ""), ("西街道", "45.0 D", "")]
    assert 'fill="#1b7a3a"' in chart.svg and 'fill="#c2410c"' in chart.svg
    assert 'aria-hidden="true"' in chart.svg  # the table is the chart's text


def test_a_null_value_is_drawn_as_no_figure_not_as_a_zero_bar():
    chart = charts.bar_chart(
        "t",
        [charts.Bar("有", 10.0), charts.Bar("无", None)],
        label_header="a",
        value_header="b",
        empty_text="no score",
    )
    assert len(_bar_lengths(chart.svg)) == 1
    assert "no score" in chart.svg
    assert chart.rows[1] == ("无", "—")


def test_labels_are_escaped_inside_the_svg():
    chart = charts.bar_chart(
        "t",
        [charts.Bar('<script>alert(1)</script>"', 1.0, url='/x?a=1&b="2"')],
        label_header="a",
        value_header="b",
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert 'href="/x?a=1&amp;b=&quot;2&quot;"' in chart.svg


def test_a_trend_breaks_its_line_at_a_null_and_its_table_has_every_step():
    chart = charts.line_chart(
        "趋势",
        [("2026-09", 50.0), ("2026-10", None), ("2026-11", 80.0), ("2026-12", 90.0)],
        label_header="Month",
        value_header="Score",
        scale_max=100,
    )
    assert chart.svg.count("<circle") == 3
    # One joined segment (Nov–Dec); the lone September point is not joined across the gap.
    assert chart.svg.count("<polyline") == 1
    assert [row[0] for row in chart.rows] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert chart.rows[1][1] == "—"
    assert chart.rows[2][1] == "80"


def test_the_drawing_scales_to_the_width_of_a_phone():
    chart = charts.line_chart("t", [("a", 1.0)], label_header="x", value_header="y")
    assert f'viewBox="0 0 {charts.WIDTH} ' in chart.svg
    assert 'width="100%"' in chart.svg
