"""The monthly evaluation report of an area: the area and its children ranked, as the table
leaders send upward — the same rows as a printable page, CSV and xlsx."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.indicators import Evaluation, Period, Ranked, Scope, evaluate, rank_children
from governance import clock
from governance.models import Area

# The report's columns: (key, heading). Counts, then rates (as percentages), score, grade.
COLUMNS: list[tuple[str, object]] = [
    ("reported", gettext_lazy("Reported")),
    ("filed", gettext_lazy("Filed")),
    ("dispatched", gettext_lazy("To handle")),
    ("resolved", gettext_lazy("Handled")),
    ("to_close", gettext_lazy("To close")),
    ("closed", gettext_lazy("Closed")),
    ("reworked", gettext_lazy("Reworked")),
    ("overdue_open", gettext_lazy("Overdue, open")),
    ("filed_on_time_rate", gettext_lazy("Filed on time")),
    ("on_time_handling_rate", gettext_lazy("Handled on time")),
    ("closing_rate", gettext_lazy("Closing rate")),
    ("on_time_closing_rate", gettext_lazy("Closed on time")),
    ("rework_rate", gettext_lazy("Rework rate")),
    ("satisfaction_rate", gettext_lazy("Satisfaction")),
    ("score", gettext_lazy("Score")),
    ("grade", gettext_lazy("Grade")),
]
RATE_KEYS = frozenset(k for k, _h in COLUMNS if k.endswith("_rate"))


@dataclass
class Row:
    rank: int | None
    code: str
    name: str
    values: dict[str, object]  # column key → number, rate (0–1) or None, grade text

    def cells(self) -> list[object]:
        return [self.values.get(key) for key, _heading in COLUMNS]


@dataclass
class Report:
    area: Area
    period: Period
    as_of: datetime
    total: Evaluation
    rows: list[Row]

    @property
    def title(self) -> str:
        return _("Evaluation report of %(area)s, %(period)s") % {
            "area": self.area.display_name,
            "period": self.period.label,
        }

    def headings(self) -> list[str]:
        return [str(_("Rank")), str(_("Code")), str(_("Name"))] + [str(h) for _k, h in COLUMNS]


def _values(counts: dict, rates: dict, score: float | None, grade: str | None) -> dict:
    return {**counts, **rates, "score": score, "grade": grade}


def monthly_report(area: Area, period: Period) -> Report:
    """The area's figures and its children's, ranked, as of now."""
    as_of = clock.now()
    total = evaluate(Scope.for_area(area), period, as_of=as_of, compare=False)
    ranked: list[Ranked] = rank_children(area, period, as_of=as_of)
    rows = [
        Row(
            r.rank,
            r.key.code,
            r.key.display_name,
            _values(r.figures.counts, r.figures.rates, r.figures.score, r.figures.grade),
        )
        for r in ranked
    ]
    return Report(area, period, as_of, total, rows)


def _total_row(report: Report) -> Row:
    return Row(
        None,
        report.area.code,
        _("%(area)s (total)") % {"area": report.area.display_name},
        _values(report.total.counts, report.total.rates, report.total.score, report.total.grade),
    )


def display(key: str, value: object) -> str:
    """A cell as people read it: rates as percentages, no data as "—", no grade as "not
    graded"."""
    if key == "grade":
        return str(value) if value else str(_("not graded"))
    if value is None:
        return "—"
    if key in RATE_KEYS:
        return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
    return str(value)


def _safe(text: str) -> str:
    """A spreadsheet cell that cannot run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(report.title)])
    writer.writerow(
        [
            _("Period: %(start)s – %(end)s (end excluded); as of %(as_of)s")
            % {
                "start": report.period.start.isoformat(),
                "end": report.period.end.isoformat(),
                "as_of": timezone.localtime(report.as_of).isoformat(timespec="seconds"),
            }
        ]
    )
    writer.writerow(report.headings())
    for row in [_total_row(report), *report.rows]:
        writer.writerow(
            [row.rank if row.rank is not None else "", row.code, _safe(row.name)]
            + [display(key, row.values.get(key)) for key, _h in COLUMNS]
        )
    return "\ufeff" + out.getvalue()  # the BOM: spreadsheet programs read it as UTF-8


def as_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = report.period.label[:31]
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _("As of %(as_of)s")
            % {"as_of": timezone.localtime(report.as_of).strftime("%Y-%m-%d %H:%M")}
        ]
    )
    sheet.append(report.headings())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in [_total_row(report), *report.rows]:
        cells: list[object] = [row.rank, row.code, row.name]
        for key, _heading in COLUMNS:
            value = row.values.get(key)
            if key == "grade":
                value = value or str(_("not graded"))
            cells.append(value)
        sheet.append(cells)
        for index, (key, _heading) in enumerate(COLUMNS, start=4):
            if key in RATE_KEYS:
                sheet.cell(row=sheet.max_row, column=index).number_format = "0.0%"
    sheet.column_dimensions["C"].width = 24
    sheet.freeze_panes = "D4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
