"""The roll-call of a notice: reached, answered and each answer, in total and per area.

`summary(notice)` is what the roll-call page, its live script and the incident board's partial
(`templates/emergency/_rollcall.html`) show: one grouped query over the notice's recipients,
one for the areas' names; `people(notice, names)` lists the recipients whose names the
viewer may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from emergency import targeting
from emergency.models import Answer, Notice, Recipient
from emergency.notice_access import Names
from governance.models import Area

PEOPLE_SHOWN = 500
GRID_DEPTH = 5  # path segments of a grid: city/district/street/community/grid


def option_label(option: str) -> str:
    """An answer's words: the standard answers translated, the sender's own as written."""
    try:
        return str(Answer(option).label)
    except ValueError:
        return option


@dataclass
class Row:
    """The counts of one area (or of the whole notice)."""

    key: int = 0  # the area's id (0: departments and named people)
    name: str = ""
    path: str = ""
    total: int = 0
    reached: int = 0
    answered: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    cells: list[tuple[str, int]] = field(default_factory=list)

    def add(self, answer: str, total: int, reached: int, answered: int) -> None:
        self.total += total
        self.reached += reached
        self.answered += answered
        if answer:
            self.answers[answer] = self.answers.get(answer, 0) + answered

    def fill_cells(self, options: list[str]) -> None:
        """Each offered answer's count, in the offered order (the table's cells)."""
        self.cells = [(option, self.answers.get(option, 0)) for option in options]

    def as_dict(self, options: list[str]) -> dict[str, Any]:
        return {
            "area": self.key,
            "name": self.name,
            "path": self.path,
            "total": self.total,
            "reached": self.reached,
            "answered": self.answered,
            "answers": {option: self.answers.get(option, 0) for option in options},
        }


def _row_depth(notice: Notice, within: Area | None) -> int:
    """The depth (path segments) of the area looked into, or of the target's highest area: the
    rows are one level beneath (a city-wide notice: a row per district, not 20,000 grids)."""
    if within is not None:
        return within.path.count("/") - 1
    paths = targeting.target_paths(notice.target)
    return min((path.count("/") - 1 for path in paths), default=GRID_DEPTH - 1)


def _row_path(path: str, depth: int) -> str:
    parts = [part for part in path.strip("/").split("/") if part]
    return "/" + "/".join(parts[:depth]) + "/" if parts else ""


def summary(notice: Notice, *, within: Area | None = None) -> dict[str, Any]:
    """Totals and per-area rows of the notice's roll-call (no names): a row per area one level
    beneath the target's highest area (or beneath `within`, only its recipients), each
    counting everybody reached at or beneath it; who was reached through a higher area has a
    row of their own area; departments and named people one row (key 0)."""
    options = notice.answer_options()
    recipients = Recipient.objects.filter(notice=notice)
    if within is not None:
        recipients = recipients.filter(area_path__startswith=within.path)
    grouped = (
        recipients.order_by()
        .values_list("area_path", "answer")
        .annotate(total=Count("pk"), reached=Count("reached_at"), answered=Count("answered_at"))
    )
    depth = min(_row_depth(notice, within) + 1, GRID_DEPTH)
    totals = Row(name=_("All"))
    rows: dict[str, Row] = {}
    for path, answer, total, reached, answered in grouped:
        key = _row_path(path or "", depth)
        rows.setdefault(key, Row(path=key)).add(answer, total, reached, answered)
        totals.add(answer, total, reached, answered)
    areas = {a.path: a for a in Area.objects.filter(path__in=[k for k in rows if k])}
    for key, row in rows.items():
        area = areas.get(key)
        row.key = area.pk if area else 0
        row.name = area.display_name if area else (key or _("Departments and named people"))
    ordered = sorted(rows.values(), key=lambda row: (row.path == "", row.path))
    for row in ordered:
        row.fill_cells(options)
    return {
        "notice": notice,
        "within": within,
        "options": [(option, option_label(option)) for option in options],
        "totals": totals,
        "rows": ordered,
        "answer_columns": [
            {
                "option": option,
                "label": option_label(option),
                "count": totals.answers.get(option, 0),
            }
            for option in options
        ],
    }


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    options = [option for option, _label in data["options"]]
    return {
        "notice": data["notice"].pk,
        "options": [{"value": value, "label": label} for value, label in data["options"]],
        "totals": data["totals"].as_dict(options),
        "areas": [row.as_dict(options) for row in data["rows"]],
    }


def people(notice: Notice, names: Names, *, within: Area | None = None) -> QuerySet:
    """The recipients whose names the viewer may read (within an area, if given): who has not
    answered first, at most PEOPLE_SHOWN."""
    if not names:
        return Recipient.objects.none()
    rows = Recipient.objects.filter(names.q(), notice=notice).select_related("user", "area")
    if within is not None:
        rows = rows.filter(area_path__startswith=within.path)
    first = F("answered_at").asc(nulls_first=True)
    return rows.order_by(first, "area_path", "pk")[:PEOPLE_SHOWN]
