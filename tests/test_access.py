"""cases_for: who sees which cases, for which action; no duplicates; constant queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from citizens.models import User
from governance import clock, workflow
from governance.access import Action, cases_for, may, may_each, permitted
from governance.models import Assignment, Case
from governance.scope import remembering_scopes, scope_of
from tests.cases import submit

A, A2, B, B2 = (120.01, 30.01), (120.07, 30.01), (120.11, 30.01), (120.17, 30.01)


@dataclass
class Cases:
    a: Case  # grid A, the citizen's, dispatched to the clerk's department
    a2: Case  # grid A2, the other citizen's
    a2_anonymous: Case  # grid A2, anonymous with a phone
    b: Case  # grid B, the citizen's, dispatched to the other department
    b2: Case  # grid B2, the other citizen's

    def all(self) -> set[Case]:
        return {self.a, self.a2, self.a2_anonymous, self.b, self.b2}


@pytest.fixture
def cases(city, people) -> Cases:
    a = submit(city, people, point=A)
    a2 = submit(city, people, point=A2, actor=people.other_citizen)
    a2_anonymous = submit(city, people, point=A2, actor=AnonymousUser(), contact={"phone": "110"})
    b = submit(city, people, point=B)
    b2 = submit(city, people, point=B2, actor=people.other_citizen)
    for case, department in ((a, city.department), (b, city.other_department)):
        workflow.file_case(case_id=case.pk, actor=people.dispatcher)
        workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher, department=department)
    return Cases(a, a2, a2_anonymous, b, b2)


def seen(user, action: Action | str = Action.VIEW) -> set[Case]:
    return set(cases_for(user, action))


def test_each_persona_sees_their_cases(people, cases):
    assert seen(people.officer_a) == {cases.a}
    assert seen(people.officer_b) == {cases.b}
    assert seen(people.street_leader) == {cases.a, cases.a2, cases.a2_anonymous}
    assert seen(people.dispatcher) == cases.all()
    assert seen(people.clerk) == {cases.a}
    assert seen(people.other_clerk) == {cases.b}
    assert seen(people.citizen) == {cases.a, cases.b}
    assert seen(people.other_citizen) == {cases.a2, cases.b2}
    assert seen(AnonymousUser()) == set()
    assert seen(people.admin) == cases.all()


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("officer_a", Action.REPORT, {"a"}),
        ("officer_a", Action.VERIFY, {"a"}),
        ("officer_a", Action.INTAKE, set()),
        ("officer_a", Action.DISPATCH, set()),
        ("officer_a", Action.HANDLE, set()),
        ("officer_a", Action.SEE_PERSONAL_DATA, set()),
        ("street_leader", Action.ESCALATE, {"a", "a2", "a2_anonymous"}),
        ("street_leader", Action.SEE_PERSONAL_DATA, {"a", "a2", "a2_anonymous"}),
        ("street_leader", Action.VERIFY, set()),
        ("dispatcher", Action.DISPATCH, {"a", "a2", "a2_anonymous", "b", "b2"}),
        ("dispatcher", Action.ESCALATE, set()),
        ("clerk", Action.HANDLE, {"a"}),
        ("clerk", Action.INTAKE, set()),
        ("clerk", Action.SEE_PERSONAL_DATA, set()),
        ("other_clerk", Action.HANDLE, {"b"}),
        ("citizen", Action.OWN, {"a", "b"}),
        ("citizen", Action.SEE_PERSONAL_DATA, {"a", "b"}),
        ("citizen", Action.REPORT, set()),
        ("citizen", Action.HANDLE, set()),
        ("other_citizen", Action.OWN, {"a2", "b2"}),
        ("admin", Action.OWN, set()),  # only reporters act as the reporter
        ("admin", Action.HANDLE, {"a", "a2", "a2_anonymous", "b", "b2"}),
    ],
)
def test_each_action_has_its_own_scope(people, cases, who, action, expected):
    user = getattr(people, who)
    assert seen(user, action) == {getattr(cases, name) for name in expected}
    for case in cases.all():
        assert may(user, action, case) == (case in seen(user, action))


def test_anonymous_may_do_nothing(cases):
    for action in Action:
        if action != Action.PUBLIC:
            assert seen(AnonymousUser(), action) == set()


def test_the_public_action_lists_every_case_for_anonymised_views(cases):
    assert seen(AnonymousUser(), Action.PUBLIC) == set(Case.objects.all())


def test_the_action_may_be_named_by_its_value(people, cases):
    assert seen(people.officer_a, "verify") == {cases.a}
    with pytest.raises(ValueError):
        cases_for(people.officer_a, "fly")


def test_a_deactivated_account_sees_nothing(people, cases):
    people.dispatcher.is_active = False
    people.dispatcher.save()
    assert seen(people.dispatcher) == set()
    people.citizen.is_active = False
    people.citizen.save()
    assert seen(people.citizen, Action.OWN) == set()


def test_an_assignment_ending_ends_the_access(people, cases):
    Assignment.objects.get(user=people.officer_a).delete()
    assert seen(people.officer_a) == set()


def test_a_grant_to_a_department_on_an_area_reaches_its_members(city, people, cases):
    assign_perm("see_cases", city.department.group, city.street_b)
    assert seen(people.clerk) == {cases.a, cases.b, cases.b2}
    assert seen(people.clerk, Action.HANDLE) == {cases.a}  # seeing is not handling
    assert seen(people.other_clerk) == {cases.b}


def test_cases_for_never_returns_duplicates(city, people, cases):
    """Someone with every source of access at once still gets each case once."""
    everyone = people.citizen
    for area, role in (
        (city.grid_a, "officer"),
        (city.grid_a, "lead_officer"),
        (city.community_a, "officer"),
        (city.street_a, "leader"),
        (city.district, "dispatcher"),
        (city.city, "supervisor"),
    ):
        Assignment.objects.create(user=everyone, area=area, role=role)
    everyone.groups.add(city.department.group, city.other_department.group)
    assign_perm("see_cases", city.department.group, city.street_b)
    for action in (Action.VIEW, Action.REPORT, Action.HANDLE, Action.OWN):
        rows = list(cases_for(everyone, action).values_list("pk", flat=True))
        assert len(rows) == len(set(rows))
        assert cases_for(everyone, action).count() == len(rows)
    assert seen(everyone) == cases.all()


def _queries_to_evaluate(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        list(cases_for(user))
    return len(captured)


@pytest.mark.parametrize(
    "who", ["officer_a", "street_leader", "dispatcher", "clerk", "citizen", "admin"]
)
def test_the_query_count_is_constant(city, people, cases, who, django_assert_max_num_queries):
    user = getattr(people, who)
    # the scope (area paths, department ids — a literal list keeps the case query on its
    # indexes, see BENCHMARKS.md — and sharing grants, in one query), the cases.
    with django_assert_max_num_queries(2):
        list(cases_for(user))
    small = _queries_to_evaluate(user)

    # Many more cases and many more assignments and groups.
    for index in range(12):
        case = submit(city, people, point=(A, A2, B, B2)[index % 4])
        if index % 3 == 0:
            workflow.file_case(case_id=case.pk, actor=people.dispatcher)
            workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    for area in (city.grid_a2, city.grid_b, city.grid_b2, city.community_b, city.street_b):
        Assignment.objects.create(user=user, area=area, role="supervisor")
    user.groups.add(city.other_department.group)
    extra = User.objects.create_user("someone_else", password="x")
    Assignment.objects.create(user=extra, area=city.grid_a, role="officer")

    with django_assert_max_num_queries(2):
        rows = list(cases_for(user))
    assert _queries_to_evaluate(user) == small
    assert len(rows) >= 3


def _everyone(people) -> list[User]:
    return [getattr(people, name) for name in people.__dataclass_fields__]


def test_may_each_tells_who_may_view_one_case_as_may_does(
    city, people, cases, django_assert_max_num_queries
):
    """The batched check the notifications use tells exactly those `may` lets see the case:
    area permissions (direct and through a department), departments, reporters, grants,
    administrators, and nobody deactivated."""
    from governance.models import SharingGrant

    assign_perm("see_cases", city.department.group, city.street_b)
    grant = SharingGrant.objects.create(
        department=city.other_department,
        area=city.street_a,
        expires_at=clock.now() + timedelta(days=1),
    )
    grant.categories.set([city.category])
    people.street_leader.is_active = False
    people.street_leader.save()
    everyone = _everyone(people)

    def viewers(case: Case) -> set[int]:
        return {person for person, _case in may_each([(p, case) for p in everyone])}

    for case in cases.all():
        case.refresh_from_db()  # as saved: filed and dispatched since the fixture made it
        expected = {person.pk for person in everyone if may(person, Action.VIEW, case)}
        # Everybody's scopes in one query; the case checked for all of them in a second.
        with django_assert_max_num_queries(2):
            assert viewers(case) == expected
    assert people.other_clerk.pk in viewers(cases.a2)  # through the grant
    assert people.clerk.pk in viewers(cases.b2)  # through the group's permission
    assert people.street_leader.pk not in viewers(cases.a)


def test_permitted_agrees_with_may_for_every_action(
    city, people, cases, django_assert_max_num_queries
):
    """A case's page and API answer read every permission at once; the answers are `may`'s."""
    from governance.models import SharingGrant

    assign_perm("see_cases", city.department.group, city.street_b)
    grant = SharingGrant.objects.create(
        department=city.other_department,
        area=city.street_a,
        with_personal_data=True,
        expires_at=clock.now() + timedelta(days=1),
    )
    grant.categories.set([city.category])
    people.street_leader.is_active = False
    people.street_leader.save()
    for person in [*_everyone(people), AnonymousUser()]:
        for case in cases.all():
            expected = {action for action in Action if may(person, action, case)}
            # The person's scope, then the case with one column per action.
            with django_assert_max_num_queries(2):
                assert permitted(person, case, Action) == expected


@pytest.mark.parametrize("personal_data", [False, True])
def test_may_each_answers_as_may_for_everyone_at_once(
    scenario, people, personal_data, django_assert_max_num_queries
):
    """The sweep's batch check gives every person the answer `may` gives, grants included."""
    scenario.grant.with_personal_data = personal_data
    scenario.grant.save()
    people.officer_b.is_active = False  # a deactivated account is told nothing
    people.officer_b.save()
    everyone = [getattr(people, name) for name in vars(people)] + [AnonymousUser()]
    cases = [scenario.case_a, scenario.case_a2, scenario.case_b, scenario.private_case]
    pairs = [(person, case) for person in everyone for case in cases]
    for action in Action:
        expected = {(p.pk, c.pk) for p, c in pairs if may(p, action, c)}
        # everybody's scopes in one query, the cases in another: never a query per person
        with django_assert_max_num_queries(2):
            assert may_each(pairs, action) == expected, action


def test_a_revoked_assignment_stops_showing_cases_at_once(city, people, cases):
    # Inside a request the scope is remembered; a change to its sources forgets it.
    officer = people.officer_a
    with remembering_scopes():
        assert cases.a in cases_for(officer)
        officer.assignments.get(area=city.grid_a).delete()
        assert cases.a not in cases_for(officer)
        Assignment.objects.create(user=officer, area=city.grid_a, role="officer")
        assert cases.a in cases_for(officer)
        officer.groups.add(city.other_department.group)  # department membership counts too
        assert cases.b in cases_for(officer)


def test_the_scope_is_never_kept_across_requests(client, city, people, cases):
    client.force_login(people.officer_a)
    assert cases.a.tracking_id in client.get("/api/v1/cases/").content.decode()
    people.officer_a.assignments.get(area=city.grid_a).delete()
    assert cases.a.tracking_id not in client.get("/api/v1/cases/").content.decode()


def test_the_scope_is_read_once_per_request(people, cases, django_assert_num_queries):
    with remembering_scopes():
        with django_assert_num_queries(1):
            scope_of(people.street_leader)
        with django_assert_num_queries(2):  # the cases only, twice
            list(cases_for(people.street_leader))
            list(cases_for(people.street_leader, Action.DISPATCH))
    with django_assert_num_queries(2):  # outside a request: read every time
        scope_of(people.street_leader)
        scope_of(people.street_leader)
