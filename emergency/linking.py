"""Cases linked to an incident: suggested, linked, unlinked, and handled together.

"Handled together" is one action on every linked case at once through the case workflow's own
functions (`governance.workflow`): each case is checked, changed and recorded on its own
timeline as if it were handled alone; the incident's timeline says what was done to which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emergency.access import IncidentAction, Person
from emergency.incidents import clean_text, locked, record
from emergency.models import Incident, IncidentCase, IncidentEventKind, IncidentStatus
from governance import clock, workflow
from governance.access import Action, cases_for
from governance.errors import InvalidInput, InvalidTransition, NotPermitted, WorkflowError
from governance.models import Audience, Case, Department

# Reports from shortly before the incident was known may be about it already.
SUGGEST_SINCE = timedelta(hours=2)
SUGGEST_LIMIT = 50


def suggested_cases(incident: Incident, user: Person) -> QuerySet[Case]:
    """Open cases the person sees, under the affected areas, in the incident's categories
    (any category when it names none), filed since shortly before it, not linked yet."""
    paths = list(incident.affected.values_list("path", flat=True))
    if not paths or incident.status == IncidentStatus.CLOSED:
        return Case.objects.none()
    where = Q(pk__in=[])
    for path in paths:
        where |= Q(area_path__startswith=path)
    cases = (
        cases_for(user, Action.VIEW)
        .open()
        .filter(where, created_at__gte=incident.occurred_at - SUGGEST_SINCE)
        .exclude(incident_links__incident=incident)
    )
    categories = list(incident.categories.values_list("pk", flat=True))
    if categories:
        cases = cases.filter(category__in=categories)
    return cases.select_related("category").order_by("-created_at")[:SUGGEST_LIMIT]


def linked_cases(incident: Incident, user: Person) -> QuerySet[Case]:
    """The incident's linked cases the person may see."""
    return (
        cases_for(user, Action.VIEW)
        .filter(incident_links__incident=incident)
        .select_related("category", "assignee_department")
        .order_by("created_at")
    )


def link_cases(*, incident_id: int, by: Person, case_ids: Iterable[int]) -> list[Case]:
    """Link cases the manager sees to the open incident; already linked ones are left alone.
    Returns the cases newly linked."""
    ids = sorted({int(pk) for pk in case_ids})
    if not ids:
        raise InvalidInput({"cases": [_("Choose the cases to link.")]})
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.MANAGE)
        if incident.status == IncidentStatus.CLOSED:
            raise InvalidTransition(_("This incident is closed; it can no longer change."))
        cases = list(cases_for(by, Action.VIEW).filter(pk__in=ids).order_by("pk"))
        if len(cases) != len(ids):
            raise InvalidInput({"cases": [_("There is no such case among yours.")]})
        already = set(incident.links.filter(case__in=ids).values_list("case_id", flat=True))
        now = clock.now()
        linked = []
        for case in cases:
            if case.pk in already:
                continue
            try:
                with transaction.atomic():
                    IncidentCase.objects.create(
                        incident=incident, case=case, linked_by=by, linked_at=now
                    )
            except IntegrityError:  # linked meanwhile by someone else
                continue
            record(
                incident,
                IncidentEventKind.CASE_LINKED,
                actor=by,
                data={"case": case.tracking_id},
                at=now,
            )
            linked.append(case)
        if linked:
            incident.updated_at = now
            incident.save(update_fields=["updated_at"])
    return linked


def unlink_case(*, incident_id: int, by: Person, case_id: int) -> None:
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.MANAGE)
        link = incident.links.select_related("case").filter(case_id=case_id).first()
        if link is None:
            raise InvalidInput({"case": [_("This case is not linked to the incident.")]})
        tracking_id = link.case.tracking_id
        link.delete()
        record(incident, IncidentEventKind.CASE_UNLINKED, actor=by, data={"case": tracking_id})


# --- handled together -----------------------------------------------------------------------

TOGETHER_ACTIONS = {
    "note": gettext_lazy("Add a note to each"),
    "file": gettext_lazy("Accept (file) each submitted one"),
    "dispatch": gettext_lazy("Dispatch each to one department"),
}


@dataclass
class TogetherResult:
    done: list[str] = field(default_factory=list)  # tracking ids
    refused: dict[str, str] = field(default_factory=dict)  # tracking id → why


def handle_together(
    *,
    incident_id: int,
    by: Person,
    action: str,
    note: str = "",
    department: Department | None = None,
) -> TogetherResult:
    """One action on every linked case, each through the case workflow (its own checks, row
    lock and timeline entry). A case the action does not fit (its state, the person's rights)
    is left as it is and said why; the rest are done."""
    if action not in TOGETHER_ACTIONS:
        raise InvalidInput({"action": [_("Choose what to do with the linked cases.")]})
    note = clean_text(note, "note", required=action == "note")
    if action == "dispatch" and department is None:
        raise InvalidInput({"department": [_("Choose the department to dispatch to.")]})
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise NotPermitted(_("You may not do this on this incident."))
    with transaction.atomic():
        locked(incident_id, by=by, action=IncidentAction.MANAGE)
    ids = list(
        incident.links.order_by("case__created_at").values_list("case_id", "case__tracking_id")
    )
    if not ids:
        raise InvalidInput({"action": [_("No case is linked to this incident.")]})
    result = TogetherResult()
    for case_id, tracking_id in ids:
        try:
            if action == "note":
                workflow.add_note(case_id=case_id, actor=by, text=note, audience=Audience.INTERNAL)
            elif action == "file":
                workflow.file_case(case_id=case_id, actor=by, note=note)
            else:
                workflow.dispatch_case(case_id=case_id, actor=by, department=department, note=note)
        except WorkflowError as error:
            result.refused[tracking_id] = error.message
        else:
            result.done.append(tracking_id)
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.VIEW)
        record(
            incident,
            IncidentEventKind.NOTE,
            actor=by,
            note=note,
            data={
                "together": action,
                "department": department.code if department else None,
                "done": result.done,
                "refused": sorted(result.refused),
            },
        )
    return result
