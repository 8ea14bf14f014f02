"""Exporting the registry a person may see, as xlsx or CSV in the import's columns (so an
export can be corrected and imported back): masked, unless the person asked to unmask and may
(then every row shown plain is written to the access log, via "export")."""

from __future__ import annotations

import csv
import io

from governance.models import Area
from gridwork.access import Person
from gridwork.disclosure import Via, masked, unmask
from gridwork.models import Resident
from gridwork.search import residents_search
from gridwork.spreadsheets import COLUMNS

CHUNK = 2000
MAX_EXPORT_ROWS = 200_000


def _values(resident: Resident, personal: dict[str, str]) -> list[str]:
    building = resident.building
    household = resident.household
    return [
        resident.name,
        personal.get("id_number", ""),
        personal.get("phone", ""),
        personal.get("birth_date", ""),
        {"m": "男", "f": "女"}.get(resident.gender, ""),
        building.address if building else "",
        household.unit if household else "",
        household.room if household else "",
        "",
        "",
        resident.grid.code if resident.grid_id else "",
        "户籍" if resident.residence == "registered" else "实有",
        "、".join(resident.tags or []),
    ]


def export_rows(user: Person, *, area: Area | None, unmasked: bool) -> list[list[str]]:
    """The rows (header first) of the residents `user` may see beneath `area`."""
    rows: list[list[str]] = [[c.header for c in COLUMNS]]
    residents = list(residents_search(user=user, area=area, limit=MAX_EXPORT_ROWS))
    for start in range(0, len(residents), CHUNK):
        chunk = residents[start : start + CHUNK]
        plain = unmask(user, chunk, via=Via.EXPORT) if unmasked else {}
        rows += [_values(r, plain.get(r.pk) or masked(r)) for r in chunk]
    return rows


def _safe(row: list[str]) -> list[str]:
    """A leading =, +, - or @ would make a cell a formula in a spreadsheet program."""
    return [("'" + v) if v[:1] in ("=", "+", "-", "@") else v for v in row]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(_safe(row))
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[list[str]], *, title: str = "居民 Residents") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(_safe(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
