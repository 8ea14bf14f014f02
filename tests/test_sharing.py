"""Sharing grants and personal data: who sees what, expiry without a job, and the access log."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance import clock
from governance.access import Action, cases_for, may
from governance.models import AccessLog, SharingGrant
from governance.privacy import contact_for, public_point, reveal
from tests.scenario import PRIVATE_POINT


def test_a_grant_shows_the_granted_categories_under_the_area(scenario, people):
    seen = set(cases_for(people.other_clerk, Action.VIEW))
    assert seen == {scenario.case_a, scenario.case_a2, scenario.private_case}
    assert scenario.case_b not in seen  # another street and an ungranted category
    assert not may(people.other_clerk, Action.SEE_PERSONAL_DATA, scenario.case_a)
    assert not may(people.other_clerk, Action.INTAKE, scenario.case_a)  # see, never act


def test_without_a_grant_a_clerk_sees_only_their_departments_cases(scenario, people):
    assert set(cases_for(people.clerk, Action.VIEW)) == {scenario.case_a2}


def test_a_grant_limited_to_one_category(scenario, people, city):
    scenario.grant.categories.set([scenario.private_category])
    assert set(cases_for(people.other_clerk)) == {scenario.private_case}


def test_a_grant_with_personal_data(scenario, people):
    scenario.grant.with_personal_data = True
    scenario.grant.save()
    assert may(people.other_clerk, Action.SEE_PERSONAL_DATA, scenario.case_a)
    assert not may(people.other_clerk, Action.SEE_PERSONAL_DATA, scenario.case_b)


def test_an_expired_grant_stops_working_without_anyone_acting(scenario, people):
    assert cases_for(people.other_clerk).exists()
    with clock.travel(scenario.grant.expires_at + timedelta(seconds=1)):
        assert not cases_for(people.other_clerk).exists()
    SharingGrant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert not cases_for(people.other_clerk).exists()


def test_a_grant_on_a_retired_area_stops_working(scenario, people, city):
    city.street_a.retired_at = timezone.now()
    city.street_a.save()
    assert not cases_for(people.other_clerk).exists()


def test_contact_for_logs_who_saw_what(scenario, people):
    contact = contact_for(people.street_leader, scenario.case_a, via="page")
    assert contact is not None and contact.phone == "13800000001"
    (log,) = AccessLog.objects.all()
    assert log.user == people.street_leader and log.case == scenario.case_a
    assert log.fields == ["name", "phone", "email"] and log.via == "page"


def test_no_contact_and_no_log_for_those_not_permitted(scenario, people):
    assert contact_for(people.officer_a, scenario.case_a, via="api") is None
    assert contact_for(people.other_clerk, scenario.case_a, via="api") is None
    assert not AccessLog.objects.exists()


def test_the_reporter_seeing_their_own_data_is_not_logged(scenario, people):
    assert contact_for(people.citizen, scenario.case_a, via="page") is not None
    assert not AccessLog.objects.exists()


def test_a_private_location_is_rounded_unless_permitted(scenario, people):
    case = scenario.private_case
    shown = reveal(people.officer_a, case, via="api")
    assert not shown.exact and shown.point == public_point(case) != PRIVATE_POINT
    shown = reveal(people.street_leader, case, via="api")
    assert shown.exact and shown.point == PRIVATE_POINT
    log = AccessLog.objects.get()
    assert "location" in log.fields


def test_an_ordinary_location_is_exact_for_staff(scenario, people):
    shown = reveal(people.officer_a, scenario.case_a, via="api")
    assert shown.exact and shown.contact is None
