"""Cases across the test city with their evaluation facts, for the cockpit's tests.

    closed_a    grid A:  submitted, filed, dispatched, handled, closed on time
    open_a      grid A2: submitted, filed, dispatched to city management (open)
    reworked_a  grid A:  resolved, sent back for rework, resolved again (open, to verify)
    waiting_b   grid B:  submitted only (intake open)
    handled_b   grid B2: dispatched to water, resolved (verification open)

Facts are derived from the timelines with `evaluation.facts.write_cases` (what the subscriber
runs after commit).
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.facts import write_cases
from governance import workflow
from governance.models import Case
from tests.cases import drive, submit
from tests.factories import City, Personas


@dataclass
class CockpitCity:
    closed_a: Case
    open_a: Case
    reworked_a: Case
    waiting_b: Case
    handled_b: Case

    @property
    def all(self) -> list[Case]:
        return [self.closed_a, self.open_a, self.reworked_a, self.waiting_b, self.handled_b]


def point_a2(city: City) -> tuple[float, float]:
    return (120.07, 30.01)


def point_b2(city: City) -> tuple[float, float]:
    return (120.17, 30.01)


def make_cockpit_city(city: City, people: Personas) -> CockpitCity:
    closed_a = drive(submit(city, people), "closed", city, people)
    open_a = drive(submit(city, people, point=point_a2(city)), "dispatched", city, people)
    reworked_a = drive(submit(city, people), "resolved", city, people)
    workflow.rework_case(case_id=reworked_a.pk, actor=people.officer_a, reason="没扫干净")
    workflow.resolve_case(case_id=reworked_a.pk, actor=people.clerk, note="再次清理")
    waiting_b = submit(city, people, point=city.point_b)
    handled_b = submit(
        city, people, point=point_b2(city), category=city.urgent_category, answers={}
    )
    workflow.file_case(case_id=handled_b.pk, actor=people.dispatcher)
    workflow.dispatch_case(case_id=handled_b.pk, actor=people.dispatcher)
    workflow.start_case(case_id=handled_b.pk, actor=people.other_clerk)
    workflow.resolve_case(case_id=handled_b.pk, actor=people.other_clerk, note="已修复")
    cases = [closed_a, open_a, reworked_a, waiting_b, handled_b]
    write_cases([c.pk for c in cases])
    for case in cases:
        case.refresh_from_db()
    return CockpitCity(*cases)
