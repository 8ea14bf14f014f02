"""A hand-computed November 2026 in grid A (Asia/Shanghai, working hours 09:00–17:00, the
category's limit 4 working hours, intake 1, verification 4): every case shape the reference
names, built through the workflow with the subscriber running after each commit.

c1  Mon 11-02: submitted 09:00, filed 09:30, dispatched 10:00 (due 14:00), resolved 13:00,
    closed 13:30, rated 5.
c2  Tue 11-03: submitted 09:00, filed 11:00 (late), dispatched 11:00 (due 15:00), resolved
    12:00, rework 13:00, resolved 14:00, rework 15:00, resolved 16:00, closed 16:30 (late),
    rated 2.
c3  Wed 11-04: submitted 09:00, filed 09:10, dispatched 09:30 (due 13:30), then to water 10:00
    (due 14:00), resolved 15:00 (late), closed Thu 14:00 (verification and closing late);
    callback: not resolved, not satisfied.
c4  Thu 11-05: submitted 09:00, merged 09:20 into c5.
c5  Thu 11-05: submitted 08:00 (intake due 10:00), filed 09:00, nothing more.
c6  Thu 11-05: submitted 10:00, filed 10:30, withdrawn 11:00.
c7  Fri 11-06: submitted 09:00, filed 09:05, dispatched 09:10 (due 13:10), resolved 10:00,
    closed 10:30, rated 1, reopened 11:00, dispatched 11:30, resolved 12:00, closed 12:30,
    rated 4.
c8  Mon 11-09: submitted 09:00, filed 09:10, dispatched 09:20 (due 13:20), escalated 14:00,
    open since.
c9  Tue 11-10: submitted 09:00, filed 09:30, dispatched 10:00 (due 14:00), resolved 14:00 and
    closed 14:00 — exactly at the deadline; callback: resolved, satisfied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from evaluation.facts import record_facts
from governance import clock, workflow
from governance.models import Case, CaseEvent
from tests.cases import submit
from tests.factories import City, Personas

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Story:
    cases: dict[str, Case]


def callback(case: Case, *, resolved: bool, satisfied: bool, when: datetime) -> CaseEvent:
    """A callback answer as the callback helper records it (a timeline entry), delivered."""
    event = CaseEvent.objects.create(
        case=case,
        kind="callback",
        data={"resolved": resolved, "satisfied": satisfied, "channel": "phone"},
        created_at=when,
    )
    record_facts([event])
    return event


def tell(city: City, people: Personas) -> Story:
    """Run the month (call inside `django_capture_on_commit_callbacks(execute=True)`)."""
    w = workflow
    leader, dispatcher, clerk, other = (
        people.street_leader,
        people.dispatcher,
        people.clerk,
        people.other_clerk,
    )
    officer, citizen = people.officer_a, people.citizen
    cases: dict[str, Case] = {}

    def step(moment: datetime, function, **kwargs):
        with clock.travel(moment):
            return function(**kwargs)

    def new(name: str, moment: datetime) -> int:
        with clock.travel(moment):
            cases[name] = submit(city, people)
        return cases[name].pk

    c = new("c1", at(2, 9))
    step(at(2, 9, 30), w.file_case, case_id=c, actor=leader)
    step(at(2, 10), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(2, 11), w.start_case, case_id=c, actor=clerk)
    step(at(2, 13), w.resolve_case, case_id=c, actor=clerk, note="done")
    step(at(2, 13, 30), w.verify_and_close_case, case_id=c, actor=officer)
    step(at(2, 15), w.rate_case, case_id=c, actor=citizen, rating=5)

    c = new("c2", at(3, 9))
    step(at(3, 11), w.file_case, case_id=c, actor=leader)
    step(at(3, 11), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(3, 11, 30), w.start_case, case_id=c, actor=clerk)
    step(at(3, 12), w.resolve_case, case_id=c, actor=clerk, note="done")
    step(at(3, 13), w.rework_case, case_id=c, actor=officer, reason="still dirty")
    step(at(3, 14), w.resolve_case, case_id=c, actor=clerk, note="done again")
    step(at(3, 15), w.rework_case, case_id=c, actor=officer, reason="still dirty")
    step(at(3, 16), w.resolve_case, case_id=c, actor=clerk, note="done at last")
    step(at(3, 16, 30), w.verify_and_close_case, case_id=c, actor=officer)
    step(at(3, 17), w.rate_case, case_id=c, actor=citizen, rating=2)

    c = new("c3", at(4, 9))
    step(at(4, 9, 10), w.file_case, case_id=c, actor=leader)
    step(at(4, 9, 30), w.dispatch_case, case_id=c, actor=dispatcher)
    step(
        at(4, 10),
        w.dispatch_case,
        case_id=c,
        actor=dispatcher,
        department=city.other_department,
    )
    step(at(4, 11), w.start_case, case_id=c, actor=other)
    step(at(4, 15), w.resolve_case, case_id=c, actor=other, note="done")
    step(at(5, 14), w.verify_and_close_case, case_id=c, actor=officer)
    callback(cases["c3"], resolved=False, satisfied=False, when=at(6, 10))

    target = new("c5", at(5, 8))
    step(at(5, 9), w.file_case, case_id=target, actor=leader)
    c = new("c4", at(5, 9))
    step(at(5, 9, 20), w.merge_case, case_id=c, into_id=target, actor=leader)

    c = new("c6", at(5, 10))
    step(at(5, 10, 30), w.file_case, case_id=c, actor=leader)
    step(at(5, 11), w.withdraw_case, case_id=c, actor=citizen)

    c = new("c7", at(6, 9))
    step(at(6, 9, 5), w.file_case, case_id=c, actor=leader)
    step(at(6, 9, 10), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(6, 9, 20), w.start_case, case_id=c, actor=clerk)
    step(at(6, 10), w.resolve_case, case_id=c, actor=clerk, note="done")
    step(at(6, 10, 30), w.verify_and_close_case, case_id=c, actor=officer)
    step(at(6, 10, 40), w.rate_case, case_id=c, actor=citizen, rating=1)
    step(at(6, 11), w.reopen_case, case_id=c, actor=citizen, reason="back again")
    step(at(6, 11, 30), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(6, 11, 40), w.start_case, case_id=c, actor=clerk)
    step(at(6, 12), w.resolve_case, case_id=c, actor=clerk, note="done")
    step(at(6, 12, 30), w.verify_and_close_case, case_id=c, actor=officer)
    step(at(6, 13), w.rate_case, case_id=c, actor=citizen, rating=4)

    c = new("c8", at(9, 9))
    step(at(9, 9, 10), w.file_case, case_id=c, actor=leader)
    step(at(9, 9, 20), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(9, 14), w.escalate_case, case_id=c, actor=leader, reason="overdue")

    c = new("c9", at(10, 9))
    step(at(10, 9, 30), w.file_case, case_id=c, actor=leader)
    step(at(10, 10), w.dispatch_case, case_id=c, actor=dispatcher)
    step(at(10, 11), w.start_case, case_id=c, actor=clerk)
    step(at(10, 14), w.resolve_case, case_id=c, actor=clerk, note="done")
    step(at(10, 14), w.verify_and_close_case, case_id=c, actor=officer)
    callback(cases["c9"], resolved=True, satisfied=True, when=at(11, 10))
    for case in cases.values():
        case.refresh_from_db()
    return Story(cases)
