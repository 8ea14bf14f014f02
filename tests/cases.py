"""Building cases in a given state, through the workflow functions only.

`drive(case, status, city, people)` takes a freshly submitted case along the path a real case
would follow to reach `status`, each step by the persona whose job it is.
"""

from __future__ import annotations

from typing import Any

from governance import workflow
from governance.models import Case, Status
from tests.factories import City, Personas

# The path from `submitted` to each state: (function, persona attribute, extra keyword args).
Step = tuple[str, str, dict[str, Any]]
PATHS: dict[str, list[Step]] = {
    Status.SUBMITTED: [],
    Status.FILED: [("file_case", "street_leader", {})],
    Status.DISPATCHED: [
        ("file_case", "street_leader", {}),
        ("dispatch_case", "dispatcher", {}),
    ],
    Status.IN_PROGRESS: [
        ("file_case", "street_leader", {}),
        ("dispatch_case", "dispatcher", {}),
        ("start_case", "clerk", {}),
    ],
    Status.RESOLVED: [
        ("file_case", "street_leader", {}),
        ("dispatch_case", "dispatcher", {}),
        ("start_case", "clerk", {}),
        ("resolve_case", "clerk", {"note": "清理完毕"}),
    ],
    Status.CLOSED: [
        ("file_case", "street_leader", {}),
        ("dispatch_case", "dispatcher", {}),
        ("start_case", "clerk", {}),
        ("resolve_case", "clerk", {"note": "清理完毕"}),
        ("verify_and_close_case", "officer_a", {}),
    ],
    Status.REJECTED: [("reject_case", "street_leader", {"reason": "不在受理范围"})],
    Status.WITHDRAWN: [("withdraw_case", "citizen", {})],
    Status.MERGED: [],  # needs a target: see drive()
}


def submit(
    city: City,
    people: Personas,
    *,
    point: tuple[float, float] | None = None,
    actor: Any = None,
    **extra: Any,
) -> Case:
    """A citizen's request in grid A (or at `point`), as the smoke test submits it."""
    lon, lat = point or city.point_a
    arguments: dict[str, Any] = {
        "actor": actor if actor is not None else people.citizen,
        "category": city.category,
        "description": "垃圾堆在路边",
        "lon": lon,
        "lat": lat,
        "answers": {"amount": "large"},
    }
    arguments.update(extra)
    return workflow.submit_case(**arguments)


def drive(case: Case, status: str, city: City, people: Personas) -> Case:
    """Take a submitted `case` to `status` through the workflow; return it fresh."""
    if status == Status.MERGED:
        target = submit(city, people)
        workflow.merge_case(case_id=case.pk, into_id=target.pk, actor=people.street_leader)
    for function, persona, extra in PATHS[status]:
        getattr(workflow, function)(case_id=case.pk, actor=getattr(people, persona), **extra)
    case.refresh_from_db()
    assert case.status == status
    return case


def case_in(status: str, city: City, people: Personas, **submit_args: Any) -> Case:
    """A new case of the citizen's in grid A, driven to `status`."""
    return drive(submit(city, people, **submit_args), status, city, people)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything stored about a case: its row, its events and its attachments."""
    row = Case.objects.filter(pk=case.pk).values().get()
    return {
        "row": row,
        "events": list(case.events.order_by("pk").values_list("pk", "kind", "note")),
        "attachments": list(case.attachments.values_list("pk", flat=True)),
    }
