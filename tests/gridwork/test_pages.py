"""The registry's pages: masked by default, "show" logged, search, coverage, import, export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import AccessLog
from gridwork.models import Resident
from gridwork.spreadsheets import COLUMNS
from tests.gridwork.registry import ID_A, ID_B, PHONE_A, make_registry

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def registry(city, people):
    return make_registry(city)


def page(client, user, name, *args, **query):
    client.force_login(user)
    url = reverse(f"gridwork:{name}", args=args)
    return client.get(url, query)


def test_my_grid_lists_the_officers_buildings(client, people, registry):
    response = page(client, people.officer_a, "home")
    text = response.content.decode()
    assert response.status_code == 200
    assert "东街1号" in text and "西街9号" not in text
    assert reverse("gridwork:home") in text  # the navigation link


def test_a_building_shows_households_and_masked_residents(client, people, registry):
    response = page(client, people.officer_a, "building", registry.building_a.pk)
    text = response.content.decode()
    assert "王秀英" in text and ID_A[:6] + "********" + ID_A[-4:] in text
    assert ID_A not in text and PHONE_A not in text and "139****5678" in text
    assert page(client, people.officer_b, "building", registry.building_a.pk).status_code == 404


def test_show_personal_data_is_permitted_and_logged(client, people, registry):
    url = reverse("gridwork:resident", args=[registry.resident_a.pk])
    client.force_login(people.officer_a)
    text = client.get(url).content.decode()
    assert ID_A not in text and "Show id number" not in text
    assert client.post(url).status_code == 403
    client.force_login(people.street_leader)
    assert ID_A not in client.get(url).content.decode()
    assert not AccessLog.objects.exists()
    text = client.post(url).content.decode()
    assert ID_A in text and PHONE_A in text
    log = AccessLog.objects.get()
    assert (log.user, log.record_id, log.via) == (
        people.street_leader,
        registry.resident_a.pk,
        "page",
    )


def test_search(client, people, registry):
    url = reverse("gridwork:search")
    client.force_login(people.dispatcher)
    text = client.post(url, {"q": ID_B}).content.decode()
    assert "李建国" in text and ID_B[:6] + "********" + ID_B[-4:] in text
    assert text.count(ID_B) == 1  # only the search box, holding what was typed
    assert "王秀英" in client.post(url, {"q": "王"}).content.decode()
    client.force_login(people.officer_a)
    assert "李建国" not in client.post(url, {"q": ID_B}).content.decode()


def test_coverage_counts_per_grid(client, people, registry, city):
    text = page(client, people.dispatcher, "coverage").content.decode()
    assert city.grid_a.display_name in text and city.grid_b.display_name in text
    assert "100%" in text


@pytest.mark.parametrize("name", ["home", "search", "coverage", "export", "import"])
def test_the_registry_is_not_for_citizens_or_departments(client, people, registry, name):
    for user in (people.citizen, people.clerk):
        assert page(client, user, name).status_code == 403
    client.logout()
    response = client.get(reverse(f"gridwork:{name}"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_export_is_masked_unless_unmasked_and_logged(client, people, registry):
    text = page(client, people.dispatcher, "export").content.decode("utf-8-sig")
    assert "王秀英" in text and "李建国" in text and ID_A not in text
    assert not AccessLog.objects.exists()
    text = page(client, people.dispatcher, "export", unmask="1").content.decode("utf-8-sig")
    assert ID_A in text and ID_B in text
    assert AccessLog.objects.filter(via="export").count() == 2
    # an officer asking to unmask still gets masked rows, and nothing is logged
    AccessLog.objects.all().delete()
    text = page(client, people.officer_a, "export", unmask="1").content.decode("utf-8-sig")
    assert "王秀英" in text and ID_A not in text and not AccessLog.objects.exists()
    response = page(client, people.officer_a, "export", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.max_row == 2


def test_import_dry_run_then_confirm(client, people, city):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(people.officer_a)
    assert client.get(reverse("gridwork:import_template")).status_code == 200
    header = ",".join(c.header for c in COLUMNS)
    good = header + "\n" + "张三,,13900000000,,男,东街8号,,,120.01,30.02,,,\n"
    upload = io.BytesIO(good.encode())
    upload.name = "people.csv"
    response = client.post(reverse("gridwork:import"), {"file": upload})
    assert "1 rows: 1 to create" in response.content.decode()
    assert not Resident.objects.exists()  # a dry run saves nothing
    response = client.post(reverse("gridwork:import_confirm"))
    assert response.status_code == 302
    assert Resident.objects.get().name == "张三"
    # a file with an error: its errors shown, no confirmation offered
    bad = io.BytesIO((header + "\n" + ",,,,,东街8号,,,,,,,\n").encode())
    bad.name = "bad.csv"
    text = client.post(reverse("gridwork:import"), {"file": bad}).content.decode()
    assert "姓名 Name" in text and "required" in text and "Import now" not in text
    assert client.post(reverse("gridwork:import_confirm")).status_code == 302
    assert Resident.objects.count() == 1


def test_pages_speak_chinese_by_default(client, people, registry):
    text = page(client, people.street_leader, "resident", registry.resident_a.pk).content.decode()
    assert "显示身份证号和电话" in text and "身份证号" in text
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = client.get(reverse("gridwork:resident", args=[registry.resident_a.pk])).content
    assert "Show id number and phone" in text.decode()


def test_the_admin_shows_residents_masked_and_checks_what_is_saved(client, people, registry, city):
    client.force_login(people.admin)
    url = reverse("admin:gridwork_resident_change", args=[registry.resident_a.pk])
    text = client.get(url).content.decode()
    assert "王秀英" in text and ID_A not in text and PHONE_A not in text
    assert ID_A[:6] + "********" + ID_A[-4:] in text
    text = client.get(reverse("admin:gridwork_resident_changelist")).content.decode()
    assert "王秀英" in text and ID_A not in text
    assert not AccessLog.objects.exists()
    # a key place added in the admin is placed in its grid
    response = client.post(
        reverse("admin:gridwork_keyplace_add"),
        {
            "kind": "hazard",
            "name": "变电箱",
            "lon": "120.11",
            "lat": "30.02",
            "address": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    from gridwork.models import KeyPlace

    assert KeyPlace.objects.get(name="变电箱").grid == city.grid_b
