"""Every registry path × every persona: who gets an answer, and that personal data (the
planted id numbers, phones and a contact phone) reaches only who may unmask it, only when
asked, and never without its access-log row.

The routes come from the URL resolver (every route of the `gridwork` and `gridwork-api`
namespaces): a new registry path fails `test_every_registry_route_is_in_the_table` until it
is given its row here.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from governance.models import AccessLog, SharingGrant
from gridwork.visits import visit_record
from tests.gridwork.patrols import plant_patrol
from tests.gridwork.registry import CONTACT_PHONE, ID_A, ID_B, PHONE_A, PHONE_B, make_registry
from tests.permissions.routes import walk

PERSONAS = [
    "anonymous",
    "citizen",
    "other_citizen",
    "officer_a",
    "officer_b",
    "street_leader",
    "dispatcher",
    "clerk",  # a department without a grant
    "other_clerk",
    "granted_clerk",  # residents and organisations of street A, without personal data
    "granted_clerk_pd",  # the same with personal data
    "admin",
]
STAFF = {"officer_a", "officer_b", "street_leader", "dispatcher", "admin"}
GRANTED = {"granted_clerk", "granted_clerk_pd"}
EDITORS = STAFF  # report_cases somewhere: the import pages
# Who may unmask what (the plain values they may be shown when they ask).
UNMASKS = {
    "street_leader": {ID_A, PHONE_A, CONTACT_PHONE},
    "dispatcher": {ID_A, PHONE_A, ID_B, PHONE_B, CONTACT_PHONE},
    "admin": {ID_A, PHONE_A, ID_B, PHONE_B, CONTACT_PHONE},
    "granted_clerk_pd": {ID_A, PHONE_A, CONTACT_PHONE},
}
MARKERS = {ID_A, PHONE_A, ID_B, PHONE_B, CONTACT_PHONE}
# Who sees resident A / building A (grid A) at all.
SEES_A = STAFF - {"officer_b"} | GRANTED
SEES_BUILDING_A = STAFF - {"officer_b"}  # the grants name residents, not buildings

PAGE, API = "page", "api"
# Patrols: staff go on patrol; leaders (escalate_cases: the street leader) see their subtree's;
# officer A's planted patrol is seen by officer A, the street leader and the administrator.
PATROL_LEADERS = {"street_leader", "admin"}
SEES_PATROL = {"officer_a", "street_leader", "admin"}


def row(default, **answers):
    return {p: answers.get(p, default) for p in PERSONAS}


# (route name, method, path template, query, expected status per persona, unmasks?)
# Expected: 200, 403, 404, 302 (to sign in), 401.
def table(r, p):
    page_for = {p: 200 if p in STAFF | GRANTED else 403 for p in PERSONAS} | {"anonymous": 302}
    editors = {p: 200 if p in EDITORS else 403 for p in PERSONAS} | {"anonymous": 302}
    api_list = {p: 200 for p in PERSONAS} | {"anonymous": 401}
    one = {"anonymous": 302} | {p: 200 if p in SEES_A else 404 for p in PERSONAS[1:]}
    one_building = {"anonymous": 302} | {
        p: 200 if p in SEES_BUILDING_A else 404 for p in PERSONAS[1:]
    }
    api_one = {"anonymous": 401} | {p: 200 if p in SEES_A else 404 for p in PERSONAS[1:]}
    api_building = {"anonymous": 401} | {
        p: 200 if p in SEES_BUILDING_A else 404 for p in PERSONAS[1:]
    }
    api_unmask_one = api_one | {p: 403 for p in PERSONAS if api_one[p] == 200 and p not in UNMASKS}
    page_unmask = one | {p: 403 for p in PERSONAS if one[p] == 200 and p not in UNMASKS}
    resident = f"{r.resident_a.pk}"
    staff_page = {q: 200 if q in STAFF else 403 for q in PERSONAS} | {"anonymous": 302}
    patrol = p.patrol.pk
    photo = p.check_in.photos.get().pk
    patrol_page = {"anonymous": 302} | {q: 200 if q in SEES_PATROL else 404 for q in PERSONAS[1:]}
    patrol_api = {"anonymous": 401} | {q: 200 if q in SEES_PATROL else 404 for q in PERSONAS[1:]}

    def patrol_write(ok):  # the officer's own: `ok`; a leader reading it: 403; others: 404
        return patrol_api | {"officer_a": ok, "street_leader": 403, "admin": 403}

    patrol_rows = [
        ("gridwork:patrol", "get", "/patrol/", {}, staff_page, False),
        ("gridwork:patrol_history", "get", "/patrol/history/", {}, staff_page, False),
        (
            "gridwork:patrol_live",
            "get",
            "/patrol/live/",
            {},
            {q: 200 if q in PATROL_LEADERS else 403 for q in PERSONAS} | {"anonymous": 302},
            False,
        ),
        ("gridwork:patrol_detail", "get", f"/patrol/{patrol}/", {}, patrol_page, False),
        (
            "gridwork:patrol_photo",
            "get",
            f"/patrol/photos/{photo}/thumb/",
            {},
            {q: 200 if q in SEES_PATROL else 404 for q in PERSONAS},
            False,
        ),
        ("gridwork-api:patrol-list", "get", "/api/v1/gridwork/patrols/", {}, api_list, False),
        (
            "gridwork-api:patrol-detail",
            "get",
            f"/api/v1/gridwork/patrols/{patrol}/",
            {},
            patrol_api,
            False,
        ),
        (
            "gridwork-api:patrol-nearby-places",
            "get",
            "/api/v1/gridwork/patrols/nearby-places/",
            {"lon": "120.0105", "lat": "30.0102"},
            {q: 200 if q in STAFF else 403 for q in PERSONAS} | {"anonymous": 401},
            False,
        ),
        (
            "gridwork-api:patrol-points",
            "post",
            f"/api/v1/gridwork/patrols/{patrol}/points/",
            {"batch": "suite"},
            patrol_write(400),  # no points sent
            False,
        ),
        (
            "gridwork-api:patrol-check-ins",
            "post",
            f"/api/v1/gridwork/patrols/{patrol}/check-ins/",
            {},
            patrol_write(400),  # no key place named
            False,
        ),
        (
            "gridwork-api:patrol-reports",
            "post",
            f"/api/v1/gridwork/patrols/{patrol}/reports/",
            {},
            patrol_write(400),  # no category named
            False,
        ),
        (
            "gridwork-api:patrol-list",
            "post",
            "/api/v1/gridwork/patrols/",
            {},
            {q: 201 if q in STAFF else 403 for q in PERSONAS} | {"anonymous": 401},
            False,
        ),
        # last: it ends the planted patrol
        (
            "gridwork-api:patrol-end",
            "post",
            f"/api/v1/gridwork/patrols/{patrol}/end/",
            {},
            patrol_write(200),
            False,
        ),
    ]
    # Visits: recorded by who may edit the household's grid, read by who may see its area (no
    # sharing grant names visits). Duty sheets: every grid officer and manager has the page,
    # officer A's own sheet is read by officer A and those managing grid A.
    record_visit = {p: 200 if p in EDITORS else 403 for p in PERSONAS} | {
        "anonymous": 302,
        "officer_b": 404,
    }
    # A visit is corrected by the officer who made it (officer A); those who see it otherwise
    # are refused, those who do not see it find nothing.
    correct_visit = {"anonymous": 302} | {
        p: (200 if p == "officer_a" else 403) if one_building[p] == 200 else 404
        for p in PERSONAS[1:]
    }
    duty_page = {p: 200 if p in STAFF else 403 for p in PERSONAS} | {"anonymous": 302}
    duty_of_a = {"anonymous": 302} | {
        p: 200 if p in {"officer_a", "street_leader", "dispatcher", "admin"} else 404
        for p in PERSONAS[1:]
    }
    return [
        ("gridwork:visits", "get", "/registry/visits/", {}, page_for, False),
        (
            "gridwork:visit_new",
            "get",
            "/registry/visits/new/",
            {"household": str(r.household_a.pk)},
            record_visit,
            False,
        ),
        ("gridwork:visit", "get", f"/registry/visits/{r.visit.pk}/", {}, one_building, False),
        (
            "gridwork:visit_edit",
            "get",
            f"/registry/visits/{r.visit.pk}/edit/",
            {},
            correct_visit,
            False,
        ),
        (
            "gridwork:visit_edit",
            "post",
            f"/registry/visits/{r.visit.pk}/edit/",
            {},
            correct_visit | {"officer_a": 400},  # the time is required
            False,
        ),
        ("gridwork:duty", "get", "/registry/duty/", {}, duty_page, False),
        ("gridwork:duty_export", "get", "/registry/duty/export/", {}, duty_page, False),
        (
            "gridwork:duty_export",
            "get",
            "/registry/duty/export/",
            {"format": "xlsx"},
            duty_page,
            False,
        ),
        (
            "gridwork:duty_officer",
            "get",
            f"/registry/duty/officers/{r.officer_a.pk}/",
            {},
            duty_of_a,
            False,
        ),
        ("gridwork-api:visit-list", "get", "/api/v1/gridwork/visits/", {}, api_list, False),
        (
            "gridwork-api:visit-detail",
            "get",
            f"/api/v1/gridwork/visits/{r.visit.pk}/",
            {},
            api_building,
            False,
        ),
        (
            "gridwork-api:visit-detail",
            "patch",
            f"/api/v1/gridwork/visits/{r.visit.pk}/",
            {"notes": "补充：已联系其女儿。"},
            correct_visit | {"anonymous": 401},
            False,
        ),
        ("gridwork-api:visit-due", "get", "/api/v1/gridwork/visits/due/", {}, api_list, False),
        ("gridwork-api:duty-list", "get", "/api/v1/gridwork/duty/", {}, api_list, False),
        (
            "gridwork-api:duty-detail",
            "get",
            f"/api/v1/gridwork/duty/{r.officer_a.pk}/",
            {},
            duty_of_a | {"anonymous": 401},
            False,
        ),
        ("gridwork:home", "get", "/registry/", {}, page_for, False),
        ("gridwork:search", "get", "/registry/search/", {"q": "王"}, page_for, False),
        ("gridwork:search", "post", "/registry/search/", {"q": ID_A}, page_for, False),
        ("gridwork:coverage", "get", "/registry/coverage/", {}, page_for, False),
        ("gridwork:export", "get", "/registry/export/", {}, page_for, False),
        ("gridwork:export", "get", "/registry/export/", {"unmask": "1"}, page_for, True),
        ("gridwork:export", "get", "/registry/export/", {"format": "xlsx"}, page_for, False),
        (
            "gridwork:building",
            "get",
            f"/registry/buildings/{r.building_a.pk}/",
            {},
            one_building,
            False,
        ),
        ("gridwork:resident", "get", f"/registry/residents/{resident}/", {}, one, False),
        ("gridwork:resident", "post", f"/registry/residents/{resident}/", {}, page_unmask, True),
        ("gridwork:import", "get", "/registry/import/", {}, editors, False),
        ("gridwork:import_template", "get", "/registry/import/template.xlsx", {}, editors, False),
        (
            "gridwork:import_confirm",
            "post",
            "/registry/import/confirm/",
            {},
            {p: 302 if p in EDITORS | {"anonymous"} else 403 for p in PERSONAS},
            False,
        ),
        ("gridwork-api:building-list", "get", "/api/v1/gridwork/buildings/", {}, api_list, False),
        (
            "gridwork-api:building-detail",
            "get",
            f"/api/v1/gridwork/buildings/{r.building_a.pk}/",
            {},
            api_building,
            False,
        ),
        (
            "gridwork-api:household-list",
            "get",
            "/api/v1/gridwork/households/",
            {},
            api_list,
            False,
        ),
        (
            "gridwork-api:household-detail",
            "get",
            f"/api/v1/gridwork/households/{r.household_a.pk}/",
            {},
            api_building,
            False,
        ),
        ("gridwork-api:resident-list", "get", "/api/v1/gridwork/residents/", {}, api_list, False),
        (
            "gridwork-api:resident-list",
            "get",
            "/api/v1/gridwork/residents/",
            {"unmask": "1"},
            api_list,
            True,
        ),
        (
            "gridwork-api:resident-list",
            "get",
            "/api/v1/gridwork/residents/",
            {"q": ID_B},
            api_list,
            False,
        ),
        (
            "gridwork-api:resident-detail",
            "get",
            f"/api/v1/gridwork/residents/{resident}/",
            {},
            api_one,
            False,
        ),
        (
            "gridwork-api:resident-detail",
            "get",
            f"/api/v1/gridwork/residents/{resident}/",
            {"unmask": "1"},
            api_unmask_one,
            True,
        ),
        (
            "gridwork-api:key-place-list",
            "get",
            "/api/v1/gridwork/key-places/",
            {},
            api_list,
            False,
        ),
        (
            "gridwork-api:key-place-detail",
            "get",
            f"/api/v1/gridwork/key-places/{r.key_place_a.pk}/",
            {},
            api_building,
            False,
        ),
        (
            "gridwork-api:organisation-list",
            "get",
            "/api/v1/gridwork/organisations/",
            {"unmask": "1"},
            api_list,
            True,
        ),
        (
            "gridwork-api:organisation-detail",
            "get",
            f"/api/v1/gridwork/organisations/{r.organisation_a.pk}/",
            {"unmask": "1"},
            api_unmask_one,
            True,
        ),
        *patrol_rows,
    ]


def registry_routes() -> set[str]:
    return {
        route.name
        for route in walk(get_resolver().url_patterns)
        if route.name and route.name.split(":")[0] in ("gridwork", "gridwork-api")
    }


@pytest.fixture
def world(city, people):
    registry = make_registry(city)
    registry.visit = visit_record(
        by=people.officer_a, household=registry.household_a, residents=[registry.resident_a]
    )
    registry.officer_a = people.officer_a
    grant = SharingGrant.objects.create(
        department=city.other_department,
        area=city.street_a,
        registry_kinds=["residents", "organisations"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return registry, grant


def user_of(persona, people, grant):
    if persona == "anonymous":
        return None
    if persona in GRANTED:
        SharingGrant.objects.filter(pk=grant.pk).update(
            with_personal_data=persona == "granted_clerk_pd"
        )
        return people.other_clerk
    if persona == "other_clerk":
        SharingGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
        return people.other_clerk
    return getattr(people, persona)


@pytest.fixture
def planted_patrol(world, city, people):
    return plant_patrol(city, people)


def test_every_registry_route_is_in_the_table(world, planted_patrol):
    registry, _ = world
    covered = {entry[0] for entry in table(registry, planted_patrol)}
    assert registry_routes() == covered


def test_every_registry_path_for_every_persona(world, people, city, planted_patrol):
    registry, grant = world
    problems = []
    for _name, method, path, query, expected, unmasking in table(registry, planted_patrol):
        for persona in PERSONAS:
            # every persona starts from the grant as the persona has it
            SharingGrant.objects.filter(pk=grant.pk).update(
                expires_at=timezone.now() + datetime.timedelta(days=30)
            )
            user = user_of(persona, people, grant)
            client = Client()
            if user is not None:
                client.force_login(user)
            before = AccessLog.objects.count()
            if method == "patch":  # an API correction: JSON
                response = client.patch(path, query, content_type="application/json")
            else:
                response = getattr(client, method)(path, query)
            got = response.status_code
            key = f"{method.upper()} {path} {query} as {persona}"
            if got != expected[persona]:
                problems.append(f"{key}: {got}, expected {expected[persona]}")
                continue
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode("utf-8-sig", errors="replace")
            if "xlsx" in path or query.get("format") == "xlsx":
                body = xlsx_text(response.content) if got == 200 else body
            echoed = set(query.values())  # what the person typed themselves
            shown = {m for m in MARKERS - echoed if m in body}
            allowed = UNMASKS.get(persona, set()) if unmasking else set()
            if shown - allowed:
                problems.append(f"{key}: shows {sorted(shown - allowed)}")
            logged = AccessLog.objects.count() - before
            if shown and not logged:
                problems.append(f"{key}: showed personal data without an access-log row")
            if not shown and logged:
                problems.append(f"{key}: logged {logged} showings of nothing shown")
    assert not problems, "\n".join(problems)


def xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(v) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True) for v in r
    )


def test_unmasking_shows_each_entitled_persona_its_data(world, people):
    """The suite's other half: the entitled do get the plain values when they ask."""
    _registry, grant = world
    client = Client()
    client.force_login(user_of("granted_clerk_pd", people, grant))
    body = client.get("/api/v1/gridwork/residents/?unmask=1").content.decode()
    assert ID_A in body and ID_B not in body
    client.force_login(people.dispatcher)
    body = client.get("/registry/export/?unmask=1").content.decode("utf-8-sig")
    assert ID_A in body and ID_B in body


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests.json?extensions=true",
        "/open311/v2/requests.xml?extensions=true",
        "/open311/v2/services.json",
        "/public/",
        "/",
        "/api/v1/exports/cases.csv",
        "/api/v1/exports/cases.geojson",
        "/api/schema/",
    ],
)
def test_nothing_of_the_registry_in_open311_public_pages_or_case_exports(world, people, path):
    """The registry is never public, nor part of the cases' exports — not even an
    administrator's: no name, id number, phone or address of a resident."""
    _registry, _grant = world
    words = {ID_A, ID_B, PHONE_A, PHONE_B, CONTACT_PHONE, "王秀英", "李建国", "东街1号"}
    for user in (None, people.admin):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code < 500
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8-sig", errors="replace")
        assert not {w for w in words if w in body}, path


def test_writes_for_every_persona(world, people):
    """POST/PATCH/DELETE on the API: only who may edit grid A (report_cases there)."""
    registry, grant = world
    editors = {"officer_a", "street_leader", "dispatcher", "admin"}
    problems = []
    for persona in PERSONAS:
        SharingGrant.objects.filter(pk=grant.pk).update(
            expires_at=timezone.now() + datetime.timedelta(days=30)
        )
        user = user_of(persona, people, grant)
        client = Client()
        if user is not None:
            client.force_login(user)
        created = client.post(
            "/api/v1/gridwork/key-places/",
            {"kind": "hazard", "name": f"井-{persona}", "lon": 120.02, "lat": 30.02},
            content_type="application/json",
        ).status_code
        changed = client.patch(
            f"/api/v1/gridwork/residents/{registry.resident_a.pk}/",
            {"tags": ["low_income"]},
            content_type="application/json",
        ).status_code
        expected_create = 201 if persona in editors else 401 if user is None else 403
        expected_change = (
            200
            if persona in editors
            else 401
            if user is None
            else 403
            if persona in SEES_A
            else 404
        )
        if (created, changed) != (expected_create, expected_change):
            problems.append(f"{persona}: {created}, {changed}")
    assert not problems, problems
