"""Item 8: every showing of personal data goes through governance/privacy.py, which redacts it
for who may not see it and logs each showing to anyone but the reporter.

The leaks fixed here: the API showed a private-location case's address (and description) to
staff without the personal-data permission, in the list and the detail; the list's addresses
for permitted staff, the API timeline's reporter names, and the admin's contact list and
change pages were shown without an access-log row; searching the admin by a private address
or a contact's phone told the unpermitted that such a case exists.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import workflow
from governance.models import AccessLog, CaseContact
from tests.scenario import token_for

pytestmark = pytest.mark.django_db

ADDRESS = "幸福里7号楼302室"
DESCRIPTION = "独居老人申请上门助餐"


@pytest.fixture
def private(scenario, people):
    """Two more private-location requests of the citizen's in grid A, with an address."""
    return [
        workflow.submit_case(
            actor=people.citizen,
            category=scenario.private_category,
            description=f"{DESCRIPTION} {n}",
            lon=120.013579 + n / 1000,
            lat=30.036482,
            address=f"{ADDRESS} {n}",
            contact={"name": "机密张三", "phone": "13912345678"},
        )
        for n in range(2)
    ]


def _as(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return api


def _rows(response) -> dict[str, dict]:
    return {row["id"]: row for row in response.json()["results"]}


def test_the_api_list_hides_private_addresses_from_staff_without_the_permission(
    api, scenario, people, private
):
    rows = _rows(_as(api, people.officer_a).get("/api/v1/cases/"))
    for case in private:
        assert rows[case.tracking_id]["address"] == ""
        assert rows[case.tracking_id]["description"] == ""
    assert rows[scenario.case_a.tracking_id]["description"] == "垃圾堆在路边"  # not private
    assert ADDRESS not in api.get("/api/v1/cases/").content.decode()
    assert not AccessLog.objects.exists()


def test_the_api_list_logs_each_private_address_it_shows_in_one_insert(
    api, scenario, people, private
):
    _as(api, people.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        rows = _rows(api.get("/api/v1/cases/"))
    for case in private:
        assert rows[case.tracking_id]["address"] == case.address
    inserts = [q for q in queries if q["sql"].startswith("INSERT") and "accesslog" in q["sql"]]
    assert len(inserts) == 1
    logged = {log.case_id: log.fields for log in AccessLog.objects.filter(user=people.dispatcher)}
    # The private cases listed (the scenario's has no address), nothing about the others.
    assert logged == {
        scenario.private_case.pk: ["description"],
        **{case.pk: ["address", "description"] for case in private},
    }
    assert {log.via for log in AccessLog.objects.all()} == {"api"}


def test_the_reporter_listing_their_own_requests_writes_no_log(api, people, private):
    rows = _rows(_as(api, people.citizen).get("/api/v1/cases/"))
    assert rows[private[0].tracking_id]["address"] == private[0].address
    assert not AccessLog.objects.exists()


def test_the_api_detail_hides_a_private_address_and_logs_it_where_shown(api, people, private):
    case = private[0]
    shown = _as(api, people.officer_a).get(f"/api/v1/cases/{case.tracking_id}/").json()
    assert (shown["address"], shown["description"], shown["contact"]) == ("", "", None)
    assert shown["location_exact"] is False
    assert not AccessLog.objects.exists()

    shown = _as(api, people.street_leader).get(f"/api/v1/cases/{case.tracking_id}/").json()
    assert (shown["address"], shown["description"]) == (case.address, case.description)
    log = AccessLog.objects.get(user=people.street_leader)
    assert log.fields == ["name", "phone", "location", "address", "description"]


def test_the_api_timeline_names_the_reporter_only_to_the_permitted_and_logs_it(
    api, scenario, people
):
    people.citizen.display_name = "实名赵六"
    people.citizen.save()
    workflow.add_note(case_id=scenario.case_a.pk, actor=people.citizen, text="补充")
    path = f"/api/v1/cases/{scenario.case_a.tracking_id}/timeline/"

    actors = {e["actor"] for e in _as(api, people.officer_a).get(path).json()}
    assert actors & {"the reporter", "上报人"} and "实名赵六" not in actors
    assert not AccessLog.objects.exists()

    actors = {e["actor"] for e in _as(api, people.dispatcher).get(path).json()}
    assert "实名赵六" in actors
    log = AccessLog.objects.get()
    assert (log.user, log.case, log.fields, log.via) == (
        people.dispatcher,
        scenario.case_a,
        ["reporter"],
        "api",
    )

    _as(api, people.citizen).get(path)  # their own name, to themselves: no row
    assert AccessLog.objects.count() == 1


def test_the_staff_page_hides_a_private_description_and_address(client, people, private):
    case = private[0]
    client.force_login(people.officer_a)
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert ADDRESS not in page and DESCRIPTION not in page
    client.force_login(people.street_leader)
    page = client.get(reverse("governance:case", args=[case.tracking_id])).content.decode()
    assert case.address in page and case.description in page
    assert AccessLog.objects.get(user=people.street_leader).fields[-2:] == [
        "address",
        "description",
    ]


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_logs_each_contact_it_lists_in_one_insert(client, people, scenario, private):
    client.force_login(people.admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:governance_casecontact_changelist")).content.decode()
    assert "13912345678" in page
    inserts = [q for q in queries if q["sql"].startswith("INSERT") and "accesslog" in q["sql"]]
    assert len(inserts) == 1
    logged = {log.case_id: log.fields for log in AccessLog.objects.filter(via="admin")}
    assert logged == {
        c.case_id: [f for f in ("name", "phone", "email") if getattr(c, f)]
        for c in CaseContact.objects.all()
    }


def test_the_admin_logs_the_contact_and_private_place_of_a_case_it_opens(client, people, private):
    client.force_login(people.admin)
    case = private[0]
    page = client.get(reverse("admin:governance_case_change", args=[case.pk])).content.decode()
    assert case.address in page and "13912345678" in page
    log = AccessLog.objects.get()
    assert (log.user, log.case, log.via) == (people.admin, case, "admin")
    assert log.fields == ["name", "phone", "location", "address", "description"]


@pytest.fixture
def staff_officer(people):
    """Officer A with the admin's case pages but not the personal-data permission."""
    officer = people.officer_a
    officer.is_staff = True
    officer.save()
    for codename in ("view_case", "view_casecontact", "view_caseevent"):
        officer.user_permissions.add(Permission.objects.get(codename=codename))
    return officer


def test_the_admin_shows_the_unpermitted_no_private_place_and_no_reporter(
    client, staff_officer, people, private
):
    people.citizen.display_name = "实名赵六"
    people.citizen.save()
    case = private[0]
    client.force_login(staff_officer)
    page = client.get(reverse("admin:governance_case_change", args=[case.pk])).content.decode()
    assert case.tracking_id in page
    for secret in (ADDRESS, DESCRIPTION, "13912345678", "实名赵六", "120.013579"):
        assert secret not in page, secret
    events = client.get(reverse("admin:governance_caseevent_changelist")).content.decode()
    assert "实名赵六" not in events
    assert not AccessLog.objects.exists()


def test_admin_searches_are_no_oracle_for_the_unpermitted(client, staff_officer, private):
    client.force_login(staff_officer)
    contacts = client.get(reverse("admin:governance_casecontact_changelist"), {"q": "13912345678"})
    assert private[0].tracking_id not in contacts.content.decode()
    cases = reverse("admin:governance_case_changelist")
    assert private[0].tracking_id not in client.get(cases, {"q": ADDRESS}).content.decode()
    assert private[0].tracking_id not in client.get(cases, {"q": DESCRIPTION}).content.decode()
    found = client.get(cases, {"q": private[0].tracking_id}).content.decode()
    assert private[0].tracking_id in found  # by its id, as in the work queue
    assert not AccessLog.objects.exists()
