"""Charts drawn on the server as SVG: no chart library, no CDN, no script.

Each chart is a `Chart`: its title, the SVG (scaled to the width of its box, so it reads on a
360 px phone as on a desktop; drawn with presentation attributes only, which the content
security policy allows) and the same figures as a table, which screen readers read and the
page shows under a "figures" disclosure. The SVG itself is `aria-hidden`: the table is its
text. Labels are given translated by the caller.

Three kinds: `bar_chart` (horizontal bars, one per labelled value; a ranking when coloured by
grade), `line_chart` (a trend over periods, gaps where a value is null) and the colour of a
grade (`grade_colour`) shared with the page's badges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360  # viewBox units: one unit is one CSS pixel on a 360 px phone
FONT = 13
ROW = 38  # a bar's label line and the bar beneath it
BAR = 14
LINE_HEIGHT = 200

# Grade colours (A–E, and not graded), dark enough for white text and a 3:1 contrast on white;
# the grade letter is always written beside the colour, never told by colour alone.
GRADE_COLOURS = {
    "A": "#1b7a3a",
    "B": "#4d7c0f",
    "C": "#a16207",
    "D": "#c2410c",
    "E": "#b91c1c",
}
NOT_GRADED = "#6b7280"
NEUTRAL = "#1f5f99"


def grade_colour(grade: str | None) -> str:
    return GRADE_COLOURS.get(grade or "", NOT_GRADED)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    shown: str = ""  # the value as written (e.g. "87.5 %"); str(value) when empty
    colour: str = NEUTRAL
    url: str = ""  # where a click on the bar leads (the cases behind it, or a drill-down)
    note: str = ""  # written after the value (a grade letter)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str, ...] = field(default=())  # per row: the link of its figure, or ""

    @property
    def table(self) -> list[tuple[str, str, str]]:
        """(label, value, link or "") per row: the chart's table."""
        links = self.links or ("",) * len(self.rows)
        return [(label, value, link) for (label, value), link in zip(self.rows, links, strict=True)]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _shown(bar: Bar) -> str:
    return bar.shown or _number(bar.value)


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    label_header: str,
    value_header: str,
    scale_max: float | None = None,
    empty_text: str = "—",
) -> Chart:
    """Horizontal bars, one per `Bar`, longest at `scale_max` (default: the largest value). A
    bar whose value is null is drawn as a dash ("no figure"), not as a zero."""
    values = [b.value for b in bars if b.value is not None]
    top = scale_max if scale_max else max(values, default=0) or 1
    label_width = 0
    parts: list[str] = []
    track = WIDTH - 110  # room for the value (and a note: "not graded") after the longest bar
    for index, bar in enumerate(bars):
        y = index * ROW
        text = escape(bar.label)
        parts.append(f'<text x="0" y="{y + FONT}" font-size="{FONT}" fill="#1a1a1a">{text}</text>')
        value = _shown(bar) + (f" {bar.note}" if bar.note else "")
        if bar.value is None:
            parts.append(
                f'<text x="0" y="{y + FONT + BAR + 4}" font-size="{FONT}" fill="#4a4a4a">'
                f"{escape(empty_text)}</text>"
            )
            continue
        length = max(1.0, track * max(0.0, float(bar.value)) / top)
        rect = (
            f'<rect x="0" y="{y + FONT + 4}" width="{length:.1f}" height="{BAR}" '
            f'fill="{bar.colour}" rx="2"/>'
        )
        if bar.url:
            rect = f'<a href="{escape(bar.url)}" tabindex="-1">{rect}</a>'
        parts.append(rect)
        parts.append(
            f'<text x="{length + 6:.1f}" y="{y + FONT + BAR + 1}" font-size="{FONT}" '
            f'fill="#1a1a1a">{escape(value)}</text>'
        )
        label_width = max(label_width, len(bar.label))
    height = max(ROW, len(bars) * ROW)
    svg = (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
    rows = tuple((b.label, _shown(b) + (f" {b.note}" if b.note else "")) for b in bars)
    return Chart(
        title=title,
        svg=mark_safe(svg),
        headers=(label_header, value_header),
        rows=rows,
        links=tuple(b.url for b in bars),
    )


def line_chart(
    title: str,
    points: Sequence[tuple[str, float | None]],
    *,
    label_header: str,
    value_header: str,
    scale_max: float | None = None,
    unit: str = "",
) -> Chart:
    """A trend: one point per period label, joined where consecutive values are known (a null
    value breaks the line: no figure is not zero). The y axis runs from 0 to `scale_max`
    (default: the largest value), labelled at its ends; the x axis names the first and the
    last period (the table names all)."""
    left, right, top_pad, bottom = 36, 10, 12, 26
    plot_w = WIDTH - left - right
    plot_h = LINE_HEIGHT - top_pad - bottom
    values = [v for _l, v in points if v is not None]
    top = scale_max if scale_max else max(values, default=0) or 1
    step = plot_w / max(1, len(points) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h * (1 - max(0.0, float(v)) / top)

    parts = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - right}" '
        f'y2="{top_pad + plot_h}" stroke="#8a8a8a"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#8a8a8a"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" font-size="11" text-anchor="end" '
        f'fill="#4a4a4a">{escape(_number(top) + unit)}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" font-size="11" text-anchor="end" '
        f'fill="#4a4a4a">0</text>',
    ]
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = xy(i, value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{NEUTRAL}"/>')
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{NEUTRAL}" '
                f'stroke-width="2"/>'
            )
    if points:
        base = LINE_HEIGHT - 6
        parts.append(
            f'<text x="{left}" y="{base}" font-size="11" fill="#4a4a4a">'
            f"{escape(points[0][0])}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{WIDTH - right}" y="{base}" font-size="11" text-anchor="end" '
                f'fill="#4a4a4a">{escape(points[-1][0])}</text>'
            )
    svg = (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {LINE_HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
    rows = tuple(
        (label, _number(value) + (unit if value is not None else "")) for label, value in points
    )
    return Chart(
        title=title,
        svg=mark_safe(svg),
        headers=(label_header, value_header),
        rows=rows,
    )
