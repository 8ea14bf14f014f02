"""Import of residents from xlsx/CSV: template round trip, row errors, nothing saved on error,
duplicates by id hash and address, GBK CSV, zip bombs."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from gridwork.idnumbers import fictitious_id_number, id_hash
from gridwork.importing import commit_import, plan_import
from gridwork.models import Building, Household, Resident
from gridwork.spreadsheets import COLUMNS, ImportRefused, read_table, template_xlsx
from tests.gridwork.registry import ID_A, make_registry

pytestmark = pytest.mark.usefixtures("english")

HEADERS = [c.header for c in COLUMNS]


def idn(seq, year=1960):
    return fictitious_id_number(
        area_code="339901", birth_date=datetime.date(year, 5, 6), sequence=seq
    )


def row(**values):
    keys = [c.key for c in COLUMNS]
    return [str(values.get(k, "")) for k in keys]


def as_xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(rows, encoding="utf-8-sig", headers=HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def run(user, data, name):
    plan = plan_import(user, read_table(data, name))
    return plan


def test_the_template_round_trips(city, people):
    template = template_xlsx()
    book = load_workbook(io.BytesIO(template))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    assert "姓名 Name" in HEADERS and "身份证号 ID number" in HEADERS
    # the template filled in and imported
    sheet = book.worksheets[0]
    sheet.append(row(name="张三", id_number=idn(1), address="东街2号", lon=120.01, lat=30.02))
    out = io.BytesIO()
    book.save(out)
    plan = run(people.officer_a, out.getvalue(), "residents.xlsx")
    assert plan.errors == [] and plan.creates == 1
    done = commit_import(people.officer_a, plan)
    assert (done.created, done.buildings, done.households) == (1, 1, 1)
    resident = Resident.objects.get()
    assert resident.grid == city.grid_a and resident.birth_date == datetime.date(1960, 5, 6)
    assert resident.id_hash == id_hash(idn(1))


def test_row_errors_name_row_column_and_reason_and_nothing_is_saved(city, people):
    bad_check = idn(2)[:17] + ("0" if idn(2)[17] != "0" else "1")
    rows = [
        row(name="好人", id_number=idn(3), address="东街3号", lon=120.01, lat=30.02),
        row(name="", id_number=bad_check, address="东街3号", phone="12345"),
        row(name="钱七", id_number=idn(4), birth_date="1961-01-01", address="东街3号"),
        row(name="孙八", address="西街1号", lon=120.11, lat=30.01),  # officer_b's grid
        row(name="周九", address="东街4号", gender="x", tags="unknown"),
    ]
    plan = run(people.officer_a, as_csv(rows), "people.csv")
    found = {(e.row, e.column) for e in plan.errors}
    assert (3, "姓名 Name") in found
    assert (3, "身份证号 ID number") in found
    assert (3, "手机号 Phone") in found
    assert (4, "身份证号 ID number") in found  # birth date does not match
    assert (5, "地址 Address") in found  # outside the officer's grid
    assert (6, "性别 Gender") in found and (6, "标签 Tags") in found
    reasons = {(e.row, e.column): e.reason for e in plan.errors}
    assert "check character" in reasons[(3, "身份证号 ID number")]
    assert "does not match" in reasons[(4, "身份证号 ID number")]
    with pytest.raises(ImportRefused):
        commit_import(people.officer_a, plan)
    assert not Resident.objects.exists() and not Building.objects.exists()


def test_duplicates_within_the_file_and_against_the_database(city, people):
    registry = make_registry(city)
    rows = [
        row(name="甲", id_number=idn(5), address="东街1号"),
        row(name="甲", id_number=idn(5).lower(), address="东街1号"),  # same number
        row(name="乙", address="东街1号", room="202"),
        row(name="乙", address="东街1号", room="202"),  # same name and address
        row(name="王秀英", id_number=ID_A, address="东街1号", room="102", phone="13900001111"),
    ]
    plan = run(people.officer_a, as_xlsx(rows), "x.xlsx")
    assert {(e.row, e.column) for e in plan.errors} == {(3, "身份证号 ID number"), (5, "姓名 Name")}
    assert "row 2" in plan.errors[0].reason
    plan = run(people.officer_a, as_xlsx([rows[0], rows[2], rows[4]]), "x.xlsx")
    assert plan.errors == [] and (plan.creates, plan.updates) == (2, 1)
    commit_import(people.officer_a, plan)
    updated = Resident.objects.get(pk=registry.resident_a.pk)
    assert updated.phone == "13900001111" and updated.household.room == "102"
    assert updated.tags == ["elderly_alone"]  # a blank cell keeps what is registered
    assert Building.objects.filter(address="东街1号").count() == 1  # found by address
    assert Resident.objects.filter(id_hash=id_hash(ID_A)).count() == 1


def test_a_person_registered_in_another_area_is_not_revealed(city, people):
    registry = make_registry(city)
    number = registry.resident_b.id_number  # in grid B
    plan = run(
        people.officer_a, as_csv([row(name="x", id_number=number, address="东街1号")]), "a.csv"
    )
    (error,) = plan.errors
    assert error.reason == "already registered outside your areas"
    assert "李建国" not in str(plan.errors)


def test_gbk_csv_and_chinese_only_headers(city, people):
    headers = [c.zh for c in COLUMNS]
    data = as_csv([row(name="赵六", address="东街5号", grid=city.grid_a.code)], "gbk", headers)
    plan = run(people.officer_a, data, "gbk.csv")
    assert plan.errors == []
    commit_import(people.officer_a, plan)
    assert Resident.objects.get().name == "赵六"
    assert Household.objects.get().area_path == city.grid_a.path


def test_files_refused_as_a_whole(people, city, settings):
    with pytest.raises(ImportRefused, match="Columns missing"):
        read_table(as_csv([["x"]], headers=["foo"]), "a.csv")
    with pytest.raises(ImportRefused, match="xlsx or CSV"):
        read_table(b"whatever", "a.txt")
    with pytest.raises(ImportRefused, match="UTF-8 nor GBK"):
        read_table(b"\xff\xfe\x00\xd8" * 10, "a.csv")
    settings.REGISTRY_IMPORT_MAX_ROWS = 2
    rows = [row(name=f"n{i}", address="东街1号") for i in range(3)]
    with pytest.raises(ImportRefused, match="more than 2 rows"):
        read_table(as_csv(rows), "a.csv")


def test_a_zip_bomb_is_refused_before_unpacking(people):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(ImportRefused, match="unpacks"):
        read_table(out.getvalue(), "bomb.xlsx")


def test_waiting_import_files_are_purged(settings, tmp_path):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from gridwork.import_store import STORE, purge_stale_imports
    from gridwork.tasks import purge_import_files

    assert purge_stale_imports() == 0  # nothing stored yet
    default_storage.save(STORE + "old", ContentFile(b"x"))
    assert purge_stale_imports() == 0  # not old yet
    assert purge_stale_imports(older_than=dt.timedelta(seconds=-1)) == 1
    assert purge_import_files.apply().get() == 0  # idempotent: nothing left


def test_a_large_file_is_written_whole_in_batches_and_updates_keep_what_they_should(city, people):
    """More rows than one batch (the creates go by COPY on PostgreSQL, the updates by one
    upsert per batch): every resident placed, housed and hashed; an updated resident keeps
    their id number, hash and registration date and gets the new phone."""
    registry = make_registry(city)
    registered = Resident.objects.get(pk=registry.resident_a.pk)
    n = 2_600
    rows = [
        row(
            name=f"居民{i}",
            id_number=idn(i % 1000, year=1950 + i // 1000),
            birth_date=f"{1950 + i // 1000}-05-06",
            phone=f"139{i:08d}",
            address="东街1号",
            unit=str(1 + i % 2),
            room=f"{1 + i % 30:02d}01",
            tags="独居老人" if i % 10 == 0 else "",
        )
        for i in range(n)
    ]
    rows.append(row(name="王秀英", id_number=ID_A, address="东街1号", phone="13900002222"))
    plan = run(people.officer_a, as_csv(rows), "big.csv")
    assert plan.errors == [] and (plan.creates, plan.updates) == (n, 1)
    done = commit_import(people.officer_a, plan)
    assert (done.created, done.updated, done.buildings) == (n, 1, 0)

    created = Resident.objects.exclude(pk__in=[registry.resident_a.pk, registry.resident_b.pk])
    assert created.count() == n
    assert created.filter(grid=city.grid_a, area_path=city.grid_a.path).count() == n
    assert created.filter(household__isnull=True).count() == 0
    one = created.get(id_hash=id_hash(idn(7, year=1950)))
    assert (one.name, one.phone) == ("居民7", "13900000007")
    assert one.birth_date == datetime.date(1950, 5, 6)
    assert one.household.room == "0801" and one.household.unit == "2"
    assert created.filter(tags=["elderly_alone"]).count() == n // 10
    # 30 (unit, room) pairs in the file, the registered one (1, 101), and the updated
    # resident's row without unit or room.
    assert Household.objects.filter(building=registry.building_a).count() == 30 + 2

    updated = Resident.objects.get(pk=registry.resident_a.pk)
    assert updated.phone == "13900002222"
    assert (updated.id_number, updated.id_hash) == (ID_A, id_hash(ID_A))
    assert updated.created_at == registered.created_at
    assert updated.updated_at > registered.updated_at
    assert updated.tags == ["elderly_alone"]  # blank in the file: kept
