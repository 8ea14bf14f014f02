"""Scoped access to the registry: the same area permissions and sharing grants as cases."""

import datetime

import pytest
from django.utils import timezone

from governance.models import AccessLog, SharingGrant
from governance.scope import read_scope
from gridwork.access import RecordAction, may, records_for, sees_registry
from gridwork.disclosure import Via, masked, unmask
from gridwork.models import Building, KeyPlace, Organisation, Resident
from tests.gridwork.registry import ID_A, PHONE_A, make_registry


@pytest.fixture
def registry(city, people):
    return make_registry(city)


def names(user, action=RecordAction.VIEW):
    return sorted(records_for(user, Resident, action).values_list("name", flat=True))


def test_records_are_placed_by_the_same_routing_as_cases(city, registry):
    assert registry.building_a.grid == city.grid_a
    assert registry.resident_a.area_path == city.grid_a.path
    assert registry.resident_b.grid == city.grid_b
    assert registry.household_a.area_path == city.grid_a.path
    assert KeyPlace.objects.get().grid == city.grid_a


def test_who_sees_which_residents(people, registry):
    assert names(people.officer_a) == ["王秀英"]
    assert names(people.officer_b) == ["李建国"]
    assert names(people.street_leader) == ["王秀英"]
    assert names(people.dispatcher) == ["李建国", "王秀英"]
    assert names(people.admin) == ["李建国", "王秀英"]
    for nobody in (people.clerk, people.other_clerk, people.citizen, people.other_citizen):
        assert names(nobody) == []


def test_who_may_unmask(people, registry):
    assert names(people.officer_a, RecordAction.UNMASK) == []  # officers see masked
    assert names(people.street_leader, RecordAction.UNMASK) == ["王秀英"]
    assert names(people.dispatcher, RecordAction.UNMASK) == ["李建国", "王秀英"]
    assert not may(people.street_leader, RecordAction.UNMASK, registry.resident_b)


def test_edit_follows_report_cases(people, registry):
    assert may(people.officer_a, RecordAction.EDIT, registry.building_a)
    assert not may(people.officer_a, RecordAction.EDIT, registry.building_b)
    assert not may(people.clerk, RecordAction.EDIT, registry.building_a)


def grant(city, department, *, kinds, personal=False, days=30, area=None):
    return SharingGrant.objects.create(
        department=department,
        area=area or city.street_a,
        registry_kinds=kinds,
        with_personal_data=personal,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def test_a_grant_without_personal_data_shows_residents_masked(city, people, registry):
    grant(city, city.department, kinds=["residents"])
    assert names(people.clerk) == ["王秀英"]
    assert names(people.clerk, RecordAction.UNMASK) == []
    assert names(people.other_clerk) == []  # another department
    # the kinds granted, and no other
    assert not records_for(people.clerk, Building, RecordAction.VIEW).exists()
    assert not records_for(people.clerk, Organisation, RecordAction.VIEW).exists()
    assert unmask(people.clerk, [registry.resident_a], via=Via.API) == {}
    assert masked(registry.resident_a)["id_number"] == ID_A[:6] + "********" + ID_A[-4:]
    assert sees_registry(people.clerk) and not sees_registry(people.other_clerk)


def test_a_grant_with_personal_data_unmasks_and_logs(city, people, registry):
    grant(city, city.department, kinds=["residents", "buildings"], personal=True)
    assert names(people.clerk, RecordAction.UNMASK) == ["王秀英"]
    assert records_for(people.clerk, Building).count() == 1
    shown = unmask(people.clerk, [registry.resident_a, registry.resident_b], via=Via.PAGE)
    assert shown == {
        registry.resident_a.pk: {
            "id_number": ID_A,
            "phone": PHONE_A,
            "birth_date": "1941-03-09",
        }
    }
    log = AccessLog.objects.get()
    assert (log.user, log.case, log.record_type, log.record_id, log.via) == (
        people.clerk,
        None,
        "gridwork.resident",
        registry.resident_a.pk,
        "page",
    )
    assert sorted(log.fields) == ["birth_date", "id_number", "phone"]


def test_an_expired_grant_shows_nothing(city, people, registry):
    grant(city, city.department, kinds=["residents"], personal=True, days=-1)
    assert names(people.clerk) == []


def test_a_grant_of_cases_only_shows_no_registry(city, people, registry):
    made = grant(city, city.department, kinds=[])
    made.categories.add(city.category)
    assert names(people.clerk) == []
    scope = read_scope(people.clerk)
    assert scope.grants[0].categories == (city.category.pk,)
    assert scope.grants[0].registry_kinds == ()


def test_a_registry_grant_without_categories_shares_no_cases(city, people, registry):
    grant(city, city.department, kinds=["residents"])
    (found,) = read_scope(people.clerk).grants
    assert found.categories == () and found.registry_kinds == ("residents",)


def test_organisation_contacts_are_personal_data(people, registry):
    shown = masked(registry.organisation_a)
    assert shown == {"contact_name": "赵**", "contact_phone": "136****4444"}
    assert unmask(people.officer_a, [registry.organisation_a], via=Via.API) == {}
    assert AccessLog.objects.count() == 0
