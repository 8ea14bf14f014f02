"""Residents from a community's spreadsheet: xlsx or CSV, a template, a dry run, row errors.

`read_table` turns an upload into rows (refusing oversized files, zip bombs, unknown
encodings and missing columns); `plan_import` checks every row — a missing or bad value, an id
number whose check character or birth date is wrong, a place outside the importer's areas, a
duplicate of another row (by id number, or by name and address without one) — and says what
would be created or updated; `commit_import` writes the plan in one transaction with
`bulk_create`, and only when it has no errors: nothing is saved from a file with an error.
Duplicates are found by the id number's keyed hash (`gridwork.idnumbers`), never by the plain
number, and by address.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from governance import clock
from governance.models import Area, Level
from governance.scope import remembering_scopes
from gridwork.access import Person, RecordAction, may_at, records_for
from gridwork.idnumbers import (
    PHONE_PATTERN,
    InvalidIdNumber,
    id_hash,
    normalise_phone,
    phone_hash,
    validate_id_number,
)
from gridwork.models import Building, Gender, Household, Residence, Resident, Tag
from gridwork.placement import place
from gridwork.spreadsheets import BY_KEY, ImportRefused

BATCH = 2000
TAG_NAMES = {
    "独居老人": Tag.ELDERLY_ALONE,
    "残疾人": Tag.DISABILITY,
    "低保": Tag.LOW_INCOME,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "重点人员": Tag.KEY_GROUP,
}
GENDERS = {"男": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE}
GENDERS |= {"女": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE}
RESIDENCES = {"户籍": Residence.REGISTERED, "registered": Residence.REGISTERED}
RESIDENCES |= {"实有": Residence.ACTUAL, "actual": Residence.ACTUAL, "": Residence.ACTUAL}
LANDLINE = re.compile(r"^0\d{9,11}$")


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the column's header, or "" for the row as a whole
    reason: str


@dataclass
class PlannedRow:
    row: int
    action: str  # "create" or "update"
    resident: Resident
    address: str
    unit: str
    room: str
    building: Building | None  # None: a new building, in `new_buildings` by address


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_buildings: dict[str, Building] = field(default_factory=dict)
    total: int = 0

    @property
    def creates(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def updates(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")

    @property
    def ok(self) -> bool:
        return not self.errors and self.total > 0


# --- planning ------------------------------------------------------------------------------


def _date(text: str) -> datetime.date:
    try:  # the template's own form, without strptime's locale lookups (100,000 rows)
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _float(text: str, limit: float) -> float:
    number = float(text)
    if not -limit <= number <= limit:
        raise ValueError(text)
    return number


def _tags(text: str) -> list[str]:
    tags = []
    for part in re.split(r"[,，、;；\s]+", text):
        if not part:
            continue
        tag = TAG_NAMES.get(part) or (part if part in Tag.values else None)
        if tag is None:
            raise ValueError(part)
        tags.append(str(tag))
    return sorted(set(tags))


class _Row:
    """One row being checked: its errors are collected, not raised."""

    def __init__(self, number: int, values: dict[str, str], errors: list[RowError]):
        self.number, self.values, self.errors = number, values, errors
        self.failed = False

    def error(self, key: str, reason: str) -> None:
        self.failed = True
        column = BY_KEY[key].header if key in BY_KEY else ""
        self.errors.append(RowError(self.number, column, str(reason)))

    def get(self, key: str, max_length: int = 200) -> str:
        value = self.values.get(key, "")
        if len(value) > max_length:
            self.error(key, _("longer than %(n)d characters") % {"n": max_length})
            return ""
        return value


def _resident_of(row: _Row, hashed: dict[str, str]) -> Resident:
    name = row.get("name", 50)
    if not name:
        row.error("name", _("required"))
    resident = Resident(name=name)
    born = row.get("birth_date")
    if born:
        try:
            resident.birth_date = _date(born)
        except ValueError:
            row.error("birth_date", _("not a date (YYYY-MM-DD)"))
    number = row.get("id_number", 30)
    if number:
        try:
            resident.id_number = validate_id_number(number, birth_date=resident.birth_date)
        except InvalidIdNumber as error:
            row.error("id_number", str(error))
        else:
            resident.id_hash = hashed.get(number) or id_hash(resident.id_number)
            if resident.birth_date is None:
                n = resident.id_number
                resident.birth_date = datetime.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    phone = row.get("phone", 30)
    if phone:
        resident.phone = normalise_phone(phone)
        if not (PHONE_PATTERN.match(resident.phone) or LANDLINE.match(resident.phone)):
            row.error("phone", _("not a phone number"))
        resident.phone_hash = phone_hash(resident.phone)
    gender = row.get("gender").lower()
    if gender:
        if gender not in GENDERS:
            row.error("gender", _("男 or 女 (m or f)"))
        resident.gender = GENDERS.get(gender, "")
    residence = row.get("residence").lower()
    if residence not in RESIDENCES:
        row.error("residence", _("户籍 or 实有 (registered or actual)"))
    resident.residence = RESIDENCES.get(residence, Residence.ACTUAL)
    try:
        resident.tags = _tags(row.get("tags"))
    except ValueError as error:
        row.error("tags", _("unknown tag: %(tag)s") % {"tag": error})
    return resident


def _new_building(row: _Row, address: str, grids: dict[str, Area | None]) -> Building | None:
    building = Building(address=address)
    lon, lat = row.get("lon"), row.get("lat")
    grid_code = row.get("grid", 15)
    grid = None
    if lon or lat:
        try:
            building.lon, building.lat = _float(lon, 180), _float(lat, 90)
        except ValueError:
            row.error("lon" if not lon else "lat", _("not a coordinate"))
            return None
    elif grid_code:
        if grid_code not in grids:
            grids[grid_code] = (
                Area.objects.active().filter(code=grid_code, level=Level.GRID).first()
            )
        grid = grids[grid_code]
        if grid is None:
            row.error("grid", _("no such grid"))
            return None
    else:
        row.error("lon", _("a new building needs a point (longitude, latitude) or a grid code"))
        return None
    place(building, grid=grid)
    if building.grid_id is None:
        row.error("lon", _("the point is outside every grid"))
        return None
    return building


def _existing(user: Person, hashes: list[str]) -> dict[str, tuple[Resident | None, bool]]:
    """Residents already registered with these id hashes: (the resident if the importer may
    edit them, else None; whether one exists at all) — another area's is never shown."""
    found: dict[str, tuple[Resident | None, bool]] = {}
    editable = records_for(user, Resident, RecordAction.EDIT)
    for start in range(0, len(hashes), BATCH):
        chunk = hashes[start : start + BATCH]
        for h in Resident.objects.filter(id_hash__in=chunk).values_list("id_hash", flat=True):
            found[h] = (None, True)
        for resident in editable.filter(id_hash__in=chunk):
            found[resident.id_hash] = (resident, True)
    return found


def _buildings(user: Person, addresses: list[str]) -> dict[str, Building]:
    found: dict[str, Building] = {}
    # What a planned row needs of its building (its place; the rest stays in the database).
    editable = (
        records_for(user, Building, RecordAction.EDIT)
        .only("pk", "address", "grid_id", "area_path")
        .order_by("pk")
    )
    for start in range(0, len(addresses), BATCH):
        for building in editable.filter(address__in=addresses[start : start + BATCH]):
            found.setdefault(building.address, building)
    return found


def plan_import(user: Person, rows: list[tuple[int, dict[str, str]]]) -> Plan:
    """What importing `rows` would do, and every error (row, column, reason). Reads the
    database (existing buildings and id hashes) but writes nothing."""
    with remembering_scopes():  # the importer's scope read once, not once per row
        return _plan(user, rows)


def _plan(user: Person, rows: list[tuple[int, dict[str, str]]]) -> Plan:
    plan = Plan(total=len(rows))
    errors = plan.errors
    # Each id number hashed once: for the duplicates' query here, for the rows below.
    hashed = {v["id_number"]: id_hash(v["id_number"]) for _, v in rows if v.get("id_number")}
    existing = _existing(user, sorted(set(hashed.values())))
    buildings = _buildings(user, sorted({v.get("address", "")[:200] for _, v in rows}))
    grids: dict[str, Area | None] = {}
    seen_ids: dict[str, int] = {}
    seen_places: dict[tuple[str, str, str, str], int] = {}
    for number, values in rows:
        row = _Row(number, values, errors)
        resident = _resident_of(row, hashed)
        address = row.get("address")
        unit, room = row.get("unit", 20), row.get("room", 20)
        if not address:
            row.error("address", _("required"))
        action = "create"
        if resident.id_hash:
            first = seen_ids.setdefault(resident.id_hash, number)
            if first != number:
                row.error("id_number", _("the same id number as row %(row)d") % {"row": first})
            known, exists = existing.get(resident.id_hash, (None, False))
            if known is not None:
                action = "update"
                resident.pk, resident.created_at = known.pk, known.created_at
                for kept in KEPT_WHEN_BLANK:  # a blank cell keeps what is registered
                    if not getattr(resident, kept):
                        setattr(resident, kept, getattr(known, kept))
            elif exists:
                row.error("id_number", _("already registered outside your areas"))
        else:
            key = (resident.name, address, unit, room)
            first = seen_places.setdefault(key, number)
            if first != number:
                row.error("name", _("the same name and address as row %(row)d") % {"row": first})
        building = buildings.get(address)
        if address and building is None and not row.failed:
            new = plan.new_buildings.get(address)
            if new is None:
                new = _new_building(row, address, grids)
                if new is not None and may_at(user, RecordAction.EDIT, new.area_path):
                    plan.new_buildings[address] = new
                elif new is not None:
                    row.error("address", _("outside your areas"))
        if not row.failed:
            plan.rows.append(PlannedRow(number, action, resident, address, unit, room, building))
    if not rows:
        errors.append(RowError(0, "", _("The file has no rows.")))
    return plan


# --- committing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int
    buildings: int
    households: int


KEPT_WHEN_BLANK = ("phone", "phone_hash", "birth_date", "gender", "tags")
UPDATED_FIELDS = [
    "name",
    "phone",
    "phone_hash",
    "birth_date",
    "gender",
    "residence",
    "tags",
    "household",
    "building",
    "grid",
    "area_path",
    "updated_at",
]


def commit_import(user: Person, plan: Plan) -> Imported:
    """Write `plan` (from `plan_import`) in one transaction; refused (ImportRefused) if it has
    any error — nothing is saved from a file with an error."""
    if not plan.ok:
        raise ImportRefused(_("The file has errors; nothing was imported."))
    with remembering_scopes():
        return _commit(user, plan)


def _commit(user: Person, plan: Plan) -> Imported:
    try:
        with transaction.atomic():
            new = list(plan.new_buildings.values())
            Building.objects.bulk_create(new, batch_size=BATCH)
            by_address = {b.address: b for b in new}
            for planned in plan.rows:
                planned.building = planned.building or by_address[planned.address]
            households = _households(plan)
            now = clock.now()
            creates, updates = [], []
            for planned in plan.rows:
                resident, building = planned.resident, planned.building
                resident.building = building
                resident.household = households[(building.pk, planned.unit, planned.room)]
                resident.grid_id, resident.area_path = building.grid_id, building.area_path
                resident.updated_at = now
                (updates if planned.action == "update" else creates).append(resident)
            _insert(Resident, creates)
            # The updates as one INSERT … ON CONFLICT (id) DO UPDATE per batch: every updated
            # row is whole (planned from the registered one), and `bulk_update`'s CASE per
            # field and row is quadratic in the batch (65 s for 1,800 rows at a million).
            Resident.objects.bulk_create(
                updates,
                batch_size=BATCH,
                update_conflicts=True,
                unique_fields=["pk"],
                update_fields=UPDATED_FIELDS,
            )
            # Re-check after writing: everything written lies where the importer may edit.
            written = [r.area_path for r in creates + updates]
            if any(not may_at(user, RecordAction.EDIT, path) for path in set(written)):
                raise ImportRefused(_("Some rows lie outside your areas; nothing was imported."))
    except IntegrityError:
        raise ImportRefused(
            _("Another import registered some of these people meanwhile; nothing was imported.")
        ) from None
    return Imported(len(creates), len(updates), len(new), len(households))


def _insert(model: type[Model], records: list, *, ids: bool = False) -> None:
    """New rows, written as they are: on PostgreSQL one COPY (for 100,000 rows, no SQL text to
    build, send and parse), elsewhere `bulk_create`. With `ids`, the rows get their ids first,
    drawn from the table's sequence in one query, for the rows that refer to them."""
    if connection.vendor != "postgresql" or not records:
        model._default_manager.bulk_create(records, batch_size=BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if ids or not f.primary_key]
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(records)],
            )
            for record, (pk,) in zip(records, cursor.fetchall(), strict=True):
                record.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for record in records:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields]
                )


def _households(plan: Plan) -> dict[tuple[int, str, str], Household]:
    wanted = {(p.building.pk, p.unit, p.room): p.building for p in plan.rows}
    found: dict[tuple[int, str, str], Household] = {}
    ids = sorted({pk for pk, _, _ in wanted})
    for start in range(0, len(ids), BATCH):
        for household in Household.objects.filter(building_id__in=ids[start : start + BATCH]):
            key = (household.building_id, household.unit, household.room)
            if key in wanted:
                found[key] = household
    missing = [
        Household(building=building, unit=unit, room=room, area_path=building.area_path)
        for (pk, unit, room), building in wanted.items()
        if (pk, unit, room) not in found
    ]
    _insert(Household, missing, ids=True)  # the residents below refer to them
    for household in missing:
        found[(household.building_id, household.unit, household.room)] = household
    return found
