"""Spreadsheets of the registry: reading an xlsx or CSV upload into rows (size, row and
zip-bomb limits, UTF-8 or GBK), the columns (Chinese and English headers) and the template."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: what it declares unpacked
MAX_RATIO = 200  # unpacked / packed, per member of the zip
MAX_MEMBERS = 200
ENCODINGS = ("utf-8-sig", "gbk")


def max_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 100_000))


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    help: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COLUMNS = (
    Column("name", "姓名", "Name", True),
    Column("id_number", "身份证号", "ID number", help="18 位 / 18 characters"),
    Column("phone", "手机号", "Phone"),
    Column("birth_date", "出生日期", "Birth date", help="YYYY-MM-DD"),
    Column("gender", "性别", "Gender", help="男/女 (m/f)"),
    Column("address", "地址", "Address", True, help="楼栋地址 / the building's address"),
    Column("unit", "单元", "Unit"),
    Column("room", "房号", "Room"),
    Column("lon", "经度", "Longitude", help="新楼栋 / for a new building"),
    Column("lat", "纬度", "Latitude", help="新楼栋 / for a new building"),
    Column("grid", "网格编码", "Grid code", help="无经纬度时 / without a point"),
    Column("residence", "户籍或实有", "Residence", help="户籍/实有 (registered/actual)"),
    Column("tags", "标签", "Tags", help="独居老人、残疾人、低保、留守儿童、重点人员"),
)
BY_KEY = {c.key: c for c in COLUMNS}


class ImportRefused(ValueError):
    """The file as a whole cannot be read (the message says why)."""


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb from the archive's directory, before anything is unpacked: too many
    members, too much declared unpacked, or a member packed too tightly. (Python's zipfile
    never unpacks more than a member declares, so the declared sizes bound the work.)"""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused(_("This is not an xlsx file.")) from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(_("The file has too many parts to be a spreadsheet."))
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES or any(
        m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024
        for m in members
    ):
        raise ImportRefused(_("The file unpacks to far more than it is; it is refused."))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) > 1e6:
        return str(int(value))  # a long number Excel stored as a float
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterable[list[str]]:
    from openpyxl import load_workbook

    check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportRefused(_("The xlsx file cannot be read.")) from None
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterable[list[str]]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(_("The CSV file is neither UTF-8 nor GBK."))
    try:
        for values in csv.reader(io.StringIO(text, newline="")):
            yield [v.strip() for v in values]
    except csv.Error:
        raise ImportRefused(_("The CSV file cannot be read.")) from None


def _column_of(header: str) -> str | None:
    text = " ".join(header.split()).lower()
    for column in COLUMNS:
        if text in (column.key, column.zh.lower(), column.en.lower(), column.header.lower()):
            return column.key
    return None


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of an upload as (row number, {column key: text}); ImportRefused if the file
    cannot be read, is too large, has too many rows or lacks a required column."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 20 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        source = _xlsx_rows(data)
    elif name.endswith(".csv"):
        source = _csv_rows(data)
    else:
        raise ImportRefused(_("Upload an xlsx or CSV file."))
    source = iter(source)
    header = next(source, None)
    if header is None:
        raise ImportRefused(_("The file is empty."))
    keys = [_column_of(h) for h in header]
    missing = [c.header for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportRefused(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    limit = max_rows()
    for number, values in enumerate(source, start=2):
        if not any(values):
            continue
        if len(rows) >= limit:
            raise ImportRefused(_("The file has more than %(limit)d rows.") % {"limit": limit})
        rows.append(
            (number, {k: v for k, v in zip(keys, values, strict=False) if k is not None and v})
        )
    return rows


def template_xlsx() -> bytes:
    """The template: one sheet with the headers (Chinese and English), one of notes."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "居民 Residents"
    sheet.append([c.header for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 16
        sheet.cell(1, index).number_format = "@"
    for row in range(2, 502):  # id numbers and phones as text, never as numbers
        for key in ("id_number", "phone"):
            index = [c.key for c in COLUMNS].index(key) + 1
            sheet.cell(row, index).number_format = "@"
    notes = book.create_sheet("说明 Notes")
    notes.append(["列 Column", "必填 Required", "说明 Notes"])
    for column in COLUMNS:
        notes.append([column.header, "是 yes" if column.required else "", column.help])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
