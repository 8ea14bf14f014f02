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

from emergency.models import Answer, Notice, Recipient
from emergency.notice_access import Names
from governance.models import Area

PEOPLE_SHOWN = 500


def option_label(option: str) -> str:
    """An answer's words: the standard answers translated, the sender's own as written."""
    try:
        return str(Answer(option).label)
    except ValueError:
        return option


@dataclass
class Row:
    """The counts of one area (or of the whole notice)."""

    key: int = 0
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


def summary(notice: Notice) -> dict[str, Any]:
    """Totals and per-area rows of the notice's roll-call (no names)."""
    options = notice.answer_options()
    grouped = (
        Recipient.objects.filter(notice=notice)
        .order_by()
        .values_list("area_id", "area_path", "answer")
        .annotate(total=Count("pk"), reached=Count("reached_at"), answered=Count("answered_at"))
    )
    totals = Row(name=_("All"))
    rows: dict[int, Row] = {}
    for area_id, path, answer, total, reached, answered in grouped:
        key = area_id or 0
        row = rows.setdefault(key, Row(key=key, path=path or ""))
        row.add(answer, total, reached, answered)
        totals.add(answer, total, reached, answered)
    names = {
        area.pk: area.display_name for area in Area.objects.filter(pk__in=[k for k in rows if k])
    }
    for key, row in rows.items():
        row.name = names.get(key, "") if key else _("Departments and named people")
    ordered = sorted(rows.values(), key=lambda row: (row.key == 0, row.path))
    for row in ordered:
        row.fill_cells(options)
    return {
        "notice": notice,
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


def people(notice: Notice, names: Names, *, area: int | None = None) -> QuerySet:
    """The recipients whose names the viewer may read: those in trouble and those who have not
    answered first, at most PEOPLE_SHOWN."""
    if not names:
        return Recipient.objects.none()
    rows = Recipient.objects.filter(names.q(), notice=notice).select_related("user", "area")
    if area is not None:
        rows = rows.filter(area_id=area or None)
    first = F("answered_at").asc(nulls_first=True)
    return rows.order_by(first, "area_path", "pk")[:PEOPLE_SHOWN]
