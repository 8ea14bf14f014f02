"""Every transition of the closed loop: from where, by whom, and what it leaves behind."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from governance import clock, workflow
from governance.access import Action, may
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import Case, CaseEvent, Category, Status
from governance.models.case import AppendOnlyError
from governance.workflow import notes, recording, transitions
from tests.cases import case_in, drive, snapshot, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")


pytestmark = pytest.mark.usefixtures("english")


def _merge_target(case: Case, city, people) -> dict[str, Any]:
    return {"into_id": submit(city, people).pk}


# Each named function: its callable, the persona whose job it is, and its other arguments.
ACTIONS: dict[str, tuple[str, str, Any]] = {
    "file": ("file_case", "street_leader", {}),
    "reject": ("reject_case", "street_leader", {"reason": "重复上报"}),
    "merge": ("merge_case", "street_leader", _merge_target),
    "dispatch": ("dispatch_case", "dispatcher", {}),
    "start": ("start_case", "clerk", {}),
    "resolve": ("resolve_case", "clerk", {"note": "已清理"}),
    "close": ("verify_and_close_case", "officer_a", {}),
    "rework": ("rework_case", "officer_a", {"reason": "现场仍有垃圾"}),
    "escalate": ("escalate_case", "street_leader", {"reason": "久拖未办"}),
    "withdraw": ("withdraw_case", "citizen", {}),
    "reopen": ("reopen_case", "citizen", {"reason": "垃圾又出现了"}),
    "rate": ("rate_case", "citizen", {"rating": 4}),
    "note": ("add_note", "citizen", {"text": "补充：在公交站旁"}),
}
assert set(ACTIONS) == set(workflow.RULES), "every rule has a row here"

ALL_STATUSES = list(Status)


def run(name: str, case: Case, actor, city, people) -> Case:
    function, _persona, extra = ACTIONS[name]
    arguments = extra(case, city, people) if callable(extra) else dict(extra)
    return getattr(workflow, function)(case_id=case.pk, actor=actor, **arguments)


def allowed_pairs() -> list[tuple[str, str]]:
    return [(n, s) for n, r in workflow.RULES.items() for s in ALL_STATUSES if s in r.sources]


def forbidden_pairs() -> list[tuple[str, str]]:
    return [(n, s) for n, r in workflow.RULES.items() for s in ALL_STATUSES if s not in r.sources]


def test_the_matrix_covers_every_status_and_action():
    assert len(allowed_pairs()) + len(forbidden_pairs()) == len(ACTIONS) * len(Status)


@pytest.mark.parametrize(("name", "status"), allowed_pairs())
def test_allowed_transition_moves_the_case_and_writes_one_event(city, people, name, status):
    case = case_in(status, city, people)
    actor = getattr(people, ACTIONS[name][1])
    rule = workflow.RULES[name]
    events_before = set(case.events.values_list("pk", flat=True))

    result = run(name, case, actor, city, people)

    case.refresh_from_db()
    expected = rule.target or status
    assert result.status == case.status == expected
    new = list(case.events.exclude(pk__in=events_before))
    assert len(new) == 1
    event = new[0]
    assert (event.kind, event.from_status, event.to_status) == (rule.event, status, expected)
    assert event.actor == actor


@pytest.mark.parametrize(("name", "status"), forbidden_pairs())
def test_forbidden_transition_is_refused_and_changes_nothing(city, people, name, status):
    case = case_in(status, city, people)
    rule = workflow.RULES[name]
    actor = getattr(people, ACTIONS[name][1])
    if not may(actor, rule.action, case):
        # Only the assigned department handles; before any dispatch that is nobody but admin.
        assert rule.action == Action.HANDLE
        actor = people.admin
    before = snapshot(case)

    with pytest.raises(InvalidTransition) as refused:
        run(name, case, actor, city, people)

    assert str(Status(status).label) in refused.value.message
    assert snapshot(case) == before


# --- who may ------------------------------------------------------------------------------

# The state each action is tried from in the permission tests, and who may take it there.
HOME = {
    "file": Status.SUBMITTED,
    "reject": Status.SUBMITTED,
    "merge": Status.SUBMITTED,
    "dispatch": Status.FILED,
    "start": Status.DISPATCHED,
    "resolve": Status.IN_PROGRESS,
    "close": Status.RESOLVED,
    "rework": Status.RESOLVED,
    "escalate": Status.SUBMITTED,
    "withdraw": Status.SUBMITTED,
    "reopen": Status.CLOSED,
    "rate": Status.CLOSED,
    "note": Status.SUBMITTED,
}
INTAKE = {"street_leader", "dispatcher", "admin"}
ALLOWED = {
    "file": INTAKE,
    "reject": INTAKE,
    "merge": INTAKE,
    "dispatch": INTAKE,
    "start": {"clerk", "admin"},
    "resolve": {"clerk", "admin"},
    "close": {"officer_a", "admin"},
    "rework": {"officer_a", "admin"},
    "escalate": {"street_leader", "admin"},
    # Only the reporter: not even an administrator rates or withdraws for a citizen.
    "withdraw": {"citizen"},
    "reopen": {"citizen"},
    "rate": {"citizen"},
    "note": {"citizen", "officer_a", "street_leader", "dispatcher", "admin"},
}
PERSONAS = [
    "citizen",
    "other_citizen",
    "officer_a",
    "officer_b",
    "street_leader",
    "dispatcher",
    "clerk",
    "other_clerk",
    "admin",
    "anonymous",
]


def persona(people, name: str):
    return AnonymousUser() if name == "anonymous" else getattr(people, name)


@pytest.mark.parametrize(
    ("name", "who"), [(n, p) for n in ACTIONS for p in PERSONAS if p in ALLOWED[n]]
)
def test_each_permitted_persona_may_act(city, people, name, who):
    case = case_in(HOME[name], city, people)
    run(name, case, persona(people, who), city, people)
    event = case.events.order_by("pk").last()
    assert event.kind == workflow.RULES[name].event
    assert event.actor == persona(people, who)


@pytest.mark.parametrize(
    ("name", "who"), [(n, p) for n in ACTIONS for p in PERSONAS if p not in ALLOWED[n]]
)
def test_everyone_else_is_refused_and_nothing_changes(city, people, name, who):
    case = case_in(HOME[name], city, people)
    actor = persona(people, who)
    sees = may(actor, Action.VIEW, case)
    before = snapshot(case)

    with pytest.raises(NotPermitted) as refused:
        run(name, case, actor, city, people)

    assert snapshot(case) == before
    if sees:
        assert refused.value.message.startswith("You may not ")
    else:
        # No leak: exactly what a case that does not exist would say.
        assert refused.value.message == "There is no such case."


def test_an_unseen_case_reads_like_a_missing_one(city, people):
    case = case_in(Status.SUBMITTED, city, people)
    with pytest.raises(NotPermitted) as unseen:
        workflow.file_case(case_id=case.pk, actor=people.officer_b)
    with pytest.raises(NotPermitted) as missing:
        workflow.file_case(case_id=case.pk + 1000, actor=people.officer_b)
    assert unseen.value.message == missing.value.message == "There is no such case."


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_event_is_written_in_the_same_transaction_as_the_change(
    city, people, name, monkeypatch
):
    """If anything fails after the event is written, the state change is undone with it."""
    case = case_in(HOME[name], city, people)
    before = snapshot(case)
    real = recording._record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the database went away")

    # Patched where it is looked up: the step itself (`recording._move`) and the modules
    # whose actions write their entry directly (`add_note`, a dispatch's instructions).
    for module in (recording, notes, transitions):
        monkeypatch.setattr(module, "_record", record_then_fail)
    with pytest.raises(RuntimeError):
        run(name, case, getattr(people, ACTIONS[name][1]), city, people)
    assert snapshot(case) == before


# --- each action's own rules ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_requires_a_reason(city, people, reason):
    case = case_in(Status.SUBMITTED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.reject_case(case_id=case.pk, actor=people.street_leader, reason=reason)
    assert list(refused.value.errors) == ["reason"]
    assert snapshot(case) == before


def test_reject_keeps_the_reason_for_the_reporter(city, people):
    case = case_in(Status.SUBMITTED, city, people)
    case = workflow.reject_case(case_id=case.pk, actor=people.street_leader, reason="不属实")
    event = case.events.order_by("pk").last()
    assert (event.note, event.audience) == ("不属实", "reporter")
    assert case.closed_at is not None and not case.is_open


def test_dispatch_defaults_to_the_categorys_department(city, people):
    case = case_in(Status.FILED, city, people)
    case = workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    assert case.assignee_department == city.department
    assert case.events.order_by("pk").last().data["department"] == city.department.code


def test_dispatch_to_a_chosen_department_and_redispatch(city, people):
    case = case_in(Status.DISPATCHED, city, people)
    case = workflow.dispatch_case(
        case_id=case.pk, actor=people.dispatcher, department=city.other_department
    )
    assert case.status == Status.DISPATCHED
    assert case.assignee_department == city.other_department
    assert case in Case.objects.filter(pk__in=_visible_pks(people.other_clerk))
    assert case not in Case.objects.filter(pk__in=_visible_pks(people.clerk))


def _visible_pks(user) -> list[int]:
    from governance.access import cases_for

    return list(cases_for(user).values_list("pk", flat=True))


def test_dispatch_needs_a_department_when_the_category_has_none(city, people):
    Category.objects.filter(pk=city.category.pk).update(default_department=None)
    case = case_in(Status.FILED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    assert list(refused.value.errors) == ["department"]
    assert snapshot(case) == before
    case = workflow.dispatch_case(
        case_id=case.pk, actor=people.dispatcher, department=city.other_department
    )
    assert case.assignee_department == city.other_department


def test_a_case_dispatched_to_a_person_is_theirs_to_handle(city, people):
    Category.objects.filter(pk=city.category.pk).update(default_department=None)
    case = case_in(Status.FILED, city, people)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher, assignee=people.other_clerk)
    case = workflow.start_case(case_id=case.pk, actor=people.other_clerk)
    case = workflow.resolve_case(case_id=case.pk, actor=people.other_clerk, note="修好了")
    assert case.status == Status.RESOLVED
    with pytest.raises(NotPermitted):
        workflow.rework_case(case_id=case.pk, actor=people.clerk, reason="x")


def test_the_due_time_is_recomputed_at_dispatch(city, people):
    # Monday 2026-11-23 10:00: 4 working hours → 14:00 the same day.
    with clock.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)):
        case = case_in(Status.FILED, city, people)
    assert case.due_at == datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    # Dispatched on Tuesday at 16:00: one hour that day, three on Wednesday morning.
    with clock.travel(datetime(2026, 11, 24, 16, 0, tzinfo=SHANGHAI)):
        case = workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    case.refresh_from_db()
    assert case.due_at == datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    assert case.dispatched_at == datetime(2026, 11, 24, 16, 0, tzinfo=SHANGHAI)


def test_rework_counts_and_goes_back_to_handling(city, people):
    case = case_in(Status.RESOLVED, city, people)
    case = workflow.rework_case(case_id=case.pk, actor=people.officer_a, reason="没清干净")
    assert (case.status, case.rework_count, case.resolved_at) == (Status.IN_PROGRESS, 1, None)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="再次清理")
    case = workflow.rework_case(case_id=case.pk, actor=people.officer_a, reason="还是有")
    assert (case.status, case.rework_count) == (Status.IN_PROGRESS, 2)
    assert case.is_open


def test_rework_requires_a_reason(city, people):
    case = case_in(Status.RESOLVED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.rework_case(case_id=case.pk, actor=people.officer_a, reason=" ")
    assert list(refused.value.errors) == ["reason"]
    assert snapshot(case) == before


def test_escalation_climbs_one_level_each_time_and_stops_at_the_city(city, people):
    case = case_in(Status.DISPATCHED, city, people)
    reached = []
    for _ in range(4):
        case = workflow.escalate_case(case_id=case.pk, actor=people.admin, reason="督办")
        event = case.events.order_by("pk").last()
        reached.append((case.escalation_level, event.data["to"], event.audience))
    assert reached == [
        (1, city.community_a.code, "internal"),
        (2, city.street_a.code, "internal"),
        (3, city.district.code, "internal"),
        (4, city.city.code, "internal"),
    ]
    assert case.status == Status.DISPATCHED
    before = snapshot(case)
    with pytest.raises(InvalidTransition):
        workflow.escalate_case(case_id=case.pk, actor=people.admin, reason="再督办")
    assert snapshot(case) == before


def test_overdue_escalation_by_the_system_has_no_actor(city, people):
    case = case_in(Status.DISPATCHED, city, people)
    case = workflow.escalate_case(case_id=case.pk, actor=None, reason="超期", overdue=True)
    event = case.events.order_by("pk").last()
    assert (event.actor, event.data["overdue"], case.escalation_level) == (None, True, 1)


def test_merge_refuses_the_case_itself(city, people):
    case = case_in(Status.SUBMITTED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.merge_case(case_id=case.pk, into_id=case.pk, actor=people.street_leader)
    assert list(refused.value.errors) == ["into"]
    assert snapshot(case) == before


@pytest.mark.parametrize("target_status", [Status.CLOSED, Status.REJECTED, Status.MERGED])
def test_merge_refuses_a_closed_target(city, people, target_status):
    target = case_in(target_status, city, people)
    case = case_in(Status.FILED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.merge_case(case_id=case.pk, into_id=target.pk, actor=people.street_leader)
    assert list(refused.value.errors) == ["into"]
    assert snapshot(case) == before


def test_merge_refuses_a_target_the_actor_cannot_see(city, people):
    hidden = submit(city, people, point=city.point_b)  # street B: not the street leader's
    case = case_in(Status.SUBMITTED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as invisible:
        workflow.merge_case(case_id=case.pk, into_id=hidden.pk, actor=people.street_leader)
    with pytest.raises(InvalidInput) as missing:
        workflow.merge_case(case_id=case.pk, into_id=hidden.pk + 1000, actor=people.street_leader)
    assert invisible.value.errors == missing.value.errors
    assert snapshot(case) == before


def test_merge_points_at_the_target(city, people):
    target = case_in(Status.FILED, city, people)
    case = case_in(Status.SUBMITTED, city, people)
    case = workflow.merge_case(case_id=case.pk, into_id=target.pk, actor=people.dispatcher)
    assert case.merged_into == target and case.status == Status.MERGED
    assert case.events.order_by("pk").last().data == {"into": target.tracking_id}


def test_only_the_reporter_withdraws_and_only_before_dispatch(city, people):
    case = case_in(Status.FILED, city, people)
    for other in (people.officer_a, people.street_leader, people.other_citizen, people.admin):
        with pytest.raises(NotPermitted):
            workflow.withdraw_case(case_id=case.pk, actor=other)
    case = workflow.withdraw_case(case_id=case.pk, actor=people.citizen, reason="已自行解决")
    assert case.status == Status.WITHDRAWN and case.closed_at is not None
    late = case_in(Status.DISPATCHED, city, people)
    with pytest.raises(InvalidTransition):
        workflow.withdraw_case(case_id=late.pk, actor=people.citizen)


def test_reopen_within_the_window_clears_the_rating(city, people, settings):
    days = settings.GOVERNANCE["REOPEN_WINDOW_DAYS"]
    closed_at = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    with clock.travel(closed_at):
        case = case_in(Status.CLOSED, city, people)
        workflow.rate_case(case_id=case.pk, actor=people.citizen, rating=2, comment="太慢")
    with clock.travel(closed_at + timedelta(days=days) - timedelta(minutes=1)):
        assert "reopen" in workflow.available_actions(people.citizen, case)
        case = workflow.reopen_case(case_id=case.pk, actor=people.citizen, reason="又堆满了")
    case.refresh_from_db()
    assert case.status == Status.FILED
    assert (case.rating, case.rating_comment, case.closed_at) == (None, "", None)
    assert "rate" not in workflow.available_actions(people.citizen, case)


def test_reopen_after_the_window_is_refused(city, people, settings):
    days = settings.GOVERNANCE["REOPEN_WINDOW_DAYS"]
    closed_at = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    with clock.travel(closed_at):
        case = case_in(Status.CLOSED, city, people)
    before = snapshot(case)
    with clock.travel(closed_at + timedelta(days=days, minutes=1)):
        assert "reopen" not in workflow.available_actions(people.citizen, case)
        with pytest.raises(InvalidTransition) as refused:
            workflow.reopen_case(case_id=case.pk, actor=people.citizen, reason="又堆满了")
    assert str(days) in refused.value.message
    assert snapshot(case) == before


def test_reopen_requires_a_reason(city, people):
    case = case_in(Status.CLOSED, city, people)
    with pytest.raises(InvalidInput) as refused:
        workflow.reopen_case(case_id=case.pk, actor=people.citizen, reason="")
    assert list(refused.value.errors) == ["reason"]
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_a_case_is_rated_once(city, people):
    case = case_in(Status.CLOSED, city, people)
    case = workflow.rate_case(case_id=case.pk, actor=people.citizen, rating="5", comment="很好")
    assert (case.rating, case.rating_comment, case.status) == (5, "很好", Status.CLOSED)
    before = snapshot(case)
    with pytest.raises(InvalidTransition):
        workflow.rate_case(case_id=case.pk, actor=people.citizen, rating=1)
    assert snapshot(case) == before
    assert "rate" not in workflow.available_actions(people.citizen, case)


BAD_RATINGS = [0, 6, -1, "abc", None, True, 2.5, float("inf"), float("nan"), "", [3]]


@pytest.mark.parametrize("rating", BAD_RATINGS)
def test_a_rating_is_a_whole_number_from_1_to_5(city, people, rating):
    case = case_in(Status.CLOSED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.rate_case(case_id=case.pk, actor=people.citizen, rating=rating)
    assert list(refused.value.errors) == ["rating"]
    assert snapshot(case) == before


def test_a_reporters_note_is_always_for_the_reporter(city, people):
    case = case_in(Status.FILED, city, people)
    workflow.add_note(case_id=case.pk, actor=people.citizen, text="照片补充", audience="internal")
    event = case.events.order_by("pk").last()
    assert (event.kind, event.audience, event.actor, event.note) == (
        "note",
        "reporter",
        people.citizen,
        "照片补充",
    )
    assert (event.from_status, event.to_status) == (Status.FILED, Status.FILED)


def test_staff_notes_may_be_internal(city, people):
    case = case_in(Status.FILED, city, people)
    workflow.add_note(
        case_id=case.pk, actor=people.officer_a, text="内部：联系物业", audience="internal"
    )
    workflow.add_note(case_id=case.pk, actor=people.street_leader, text="已告知居民")
    internal, public = case.events.order_by("pk")[2:]
    assert (internal.audience, internal.actor) == ("internal", people.officer_a)
    assert (public.audience, public.actor) == ("reporter", people.street_leader)


def test_a_note_needs_text(city, people):
    case = case_in(Status.FILED, city, people)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        workflow.add_note(case_id=case.pk, actor=people.citizen, text="  ")
    assert list(refused.value.errors) == ["text"]
    assert snapshot(case) == before


def test_case_events_are_append_only(city, people):
    case = case_in(Status.FILED, city, people)
    event = case.events.order_by("pk").first()
    event.note = "rewritten history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    stored = CaseEvent.objects.get(pk=event.pk)
    assert stored.note == "" and case.events.count() == 2


def test_the_available_actions_follow_state_and_person(city, people):
    case = case_in(Status.SUBMITTED, city, people)
    assert workflow.available_actions(people.street_leader, case) == [
        "file",
        "reject",
        "merge",
        "escalate",
        "note",
    ]
    assert workflow.available_actions(people.citizen, case) == ["withdraw", "note"]
    assert workflow.available_actions(people.officer_b, case) == []
    case = drive(case, Status.RESOLVED, city, people)
    assert workflow.available_actions(people.officer_a, case) == ["close", "rework", "note"]
    assert workflow.available_actions(people.clerk, case) == ["note"]
