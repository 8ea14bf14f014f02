"""The registry's REST API: scoped, masked, `?unmask=1` only where permitted and logged."""

import pytest

from governance.models import AccessLog
from tests.gridwork.registry import CONTACT_PHONE, ID_A, ID_B, PHONE_A, make_registry

BASE = "/api/v1/gridwork/"


@pytest.fixture
def registry(city, people):
    return make_registry(city)


def get(api, user, url):
    api.force_authenticate(user)
    return api.get(BASE + url)


def test_anonymous_is_refused(api, registry):
    for url in ("buildings/", "households/", "residents/", "key-places/", "organisations/"):
        assert api.get(BASE + url).status_code in (401, 403)


def test_an_officer_lists_their_grid_masked(api, people, registry):
    body = get(api, people.officer_a, "residents/").json()
    assert [r["name"] for r in body["results"]] == ["王秀英"]
    (row,) = body["results"]
    assert row["id_number"] == ID_A[:6] + "********" + ID_A[-4:]
    assert row["phone"] == "139****5678"
    assert row["birth_date"] == "1941-**-**"
    assert row["masked"] is True and row["grid"] == registry.building_a.grid.code
    # asking to unmask changes nothing for an officer, and logs nothing
    body = get(api, people.officer_a, "residents/?unmask=1").json()
    assert ID_A not in str(body) and PHONE_A not in str(body)
    assert not AccessLog.objects.exists()


def test_another_grids_record_is_not_found(api, people, registry):
    assert get(api, people.officer_b, f"residents/{registry.resident_a.pk}/").status_code == 404
    assert get(api, people.clerk, f"buildings/{registry.building_a.pk}/").status_code == 404


def test_unmasking_one_record_needs_the_permission(api, people, registry):
    url = f"residents/{registry.resident_a.pk}/?unmask=1"
    assert get(api, people.officer_a, url).status_code == 403
    response = get(api, people.street_leader, url)
    assert response.status_code == 200
    assert response.json()["id_number"] == ID_A and response.json()["phone"] == PHONE_A
    log = AccessLog.objects.get()
    assert (log.user, log.record_id, log.via) == (
        people.street_leader,
        registry.resident_a.pk,
        "api",
    )


def test_unmasking_a_list_logs_each_row_shown(api, people, registry):
    body = get(api, people.dispatcher, "residents/?unmask=1").json()
    assert {r["id_number"] for r in body["results"]} == {ID_A, ID_B}
    assert AccessLog.objects.filter(record_type="gridwork.resident").count() == 2
    # without ?unmask the same person gets masked values and no log
    AccessLog.objects.all().delete()
    body = get(api, people.dispatcher, "residents/").json()
    assert ID_A not in str(body) and not AccessLog.objects.exists()


def test_search_by_id_number_phone_and_name(api, people, registry):
    def found(query):
        body = get(api, people.dispatcher, f"residents/?q={query}").json()
        return [r["name"] for r in body["results"]]

    assert found(ID_B) == ["李建国"]
    assert found(PHONE_A) == ["王秀英"]
    assert found("王") == ["王秀英"]
    assert found(ID_A[:10]) == []  # a partial id number finds nothing
    # an officer finds nothing outside their grid, whatever they search for
    api.force_authenticate(people.officer_a)
    assert api.get(BASE + f"residents/?q={ID_B}").json()["results"] == []


def test_area_filter(api, people, city, registry):
    body = get(api, people.dispatcher, f"buildings/?area={city.street_b.code}").json()
    assert [b["address"] for b in body["results"]] == ["西街9号"]
    assert get(api, people.dispatcher, "buildings/?area=nope").json()["results"] == []


def test_organisation_contact_is_masked(api, people, registry):
    body = get(api, people.officer_a, "organisations/").json()
    (row,) = body["results"]
    assert row["contact_phone"] == "136****4444" and row["contact_name"] == "赵**"
    body = get(api, people.street_leader, f"organisations/{registry.organisation_a.pk}/?unmask=1")
    assert body.json()["contact_phone"] == CONTACT_PHONE


def test_households_and_key_places(api, people, registry):
    body = get(api, people.officer_a, "households/").json()
    assert [(h["room"], h["head_name"]) for h in body["results"]] == [("101", "王秀英")]
    body = get(api, people.officer_a, "key-places/").json()
    assert [k["name"] for k in body["results"]] == ["加油站"]
    assert get(api, people.officer_b, "key-places/").json()["results"] == []


def test_the_schema_lists_the_registry(api, people):
    api.force_authenticate(people.admin)
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/gridwork/residents/" in schema["paths"]


def test_an_officer_adds_a_resident_to_a_building_of_their_grid(api, people, registry, city):
    from gridwork.idnumbers import fictitious_id_number

    number = fictitious_id_number(area_code="339901", sequence=77)
    api.force_authenticate(people.officer_a)
    data = {
        "name": "新居民",
        "id_number": number,
        "phone": "13700001111",
        "building": registry.building_a.pk,
        "household": registry.household_a.pk,
        "tags": ["disability"],
    }
    response = api.post(BASE + "residents/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] != number and body["phone"] == "137****1111"  # answered masked
    from gridwork.models import Resident

    made = Resident.objects.get(pk=body["id"])
    assert made.id_number == number and made.grid == city.grid_a and made.id_hash
    # the same id number again: refused, without saying where it is registered
    response = api.post(BASE + "residents/", data, format="json")
    assert response.status_code == 400 and "id_number" in response.json()["errors"]


def test_writes_are_refused_outside_the_persons_areas(api, people, registry):
    api.force_authenticate(people.officer_b)
    response = api.post(
        BASE + "residents/", {"name": "x", "building": registry.building_a.pk}, format="json"
    )
    assert response.status_code == 400  # building A is not one officer B may see
    response = api.patch(
        BASE + f"residents/{registry.resident_a.pk}/", {"name": "y"}, format="json"
    )
    assert response.status_code == 404
    api.force_authenticate(people.clerk)
    response = api.post(BASE + "buildings/", {"address": "x", "lon": 120.01, "lat": 30.01})
    assert response.status_code == 403
    # a building moved out of the officer's grid is refused, and nothing changes
    api.force_authenticate(people.officer_a)
    url = BASE + f"buildings/{registry.building_a.pk}/"
    assert api.patch(url, {"lon": 120.11}, format="json").status_code == 403
    registry.building_a.refresh_from_db()
    assert registry.building_a.lon == 120.01


def test_a_bad_id_number_is_a_field_error(api, people, registry):
    api.force_authenticate(people.officer_a)
    response = api.post(
        BASE + "residents/",
        {"name": "x", "id_number": "11010519491231002Y", "building": registry.building_a.pk},
        format="json",
    )
    assert response.status_code == 400 and "id_number" in response.json()["errors"]


def test_an_officer_adds_and_removes_a_key_place(api, people, city):
    api.force_authenticate(people.officer_a)
    response = api.post(
        BASE + "key-places/", {"kind": "hazard", "name": "井", "lon": 120.02, "lat": 30.02}
    )
    assert response.status_code == 201 and response.json()["grid"] == city.grid_a.code
    pk = response.json()["id"]
    api.force_authenticate(people.officer_b)
    assert api.delete(BASE + f"key-places/{pk}/").status_code == 404
    api.force_authenticate(people.officer_a)
    assert api.delete(BASE + f"key-places/{pk}/").status_code == 204


@pytest.mark.parametrize("point", [(120.0, -180), (400, 30), ("nan", 30)])
def test_a_point_out_of_range_is_a_field_error(api, people, point):
    api.force_authenticate(people.officer_a)
    response = api.post(
        BASE + "key-places/", {"kind": "hazard", "name": "x", "lon": point[0], "lat": point[1]}
    )
    assert response.status_code == 400
