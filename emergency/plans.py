"""Plans at work: which plans fit an incident, activating one (启动预案), each task's feedback,
and the sweep that marks late tasks and tells the leaders one level up (督办).

A step's owner is a department, or a role at the affected areas: the people holding that role
on an affected area or beneath it (a flood of a community reaches its grid officers), else on
the nearest area above that has any (a flood of one grid reaches its community's leader).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from emergency.access import IncidentAction, Person, may, prefixes
from emergency.incidents import clean_text, locked, record
from emergency.models import (
    OPEN_STATUSES,
    Activation,
    Incident,
    IncidentEventKind,
    Plan,
    PlanStep,
    StepLimitUnit,
    Task,
)
from governance import clock
from governance.addresses import absolute
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import Area, Assignment, Department, LimitUnit, Role
from governance.working_time import due_time
from notifications.many import tell
from notifications.models import NotificationKind

User = get_user_model()
LEADER_ROLES = (Role.LEADER, Role.SUPERVISOR)


def plans_for(incident: Incident) -> QuerySet[Plan]:
    """The active plans of the incident's kind whose level range takes in its level."""
    return Plan.objects.filter(
        active=True,
        kind=incident.kind,
        min_level__lte=incident.level,
        max_level__gte=incident.level,
    ).order_by("min_level", "name")


def step_due(start: datetime, amount: int, unit: str) -> datetime:
    """When a step's limit runs out: clock minutes or hours, or working hours or days (the
    same working-time arithmetic as a case's)."""
    if unit == StepLimitUnit.MINUTES:
        return start + timedelta(minutes=amount)
    if unit == StepLimitUnit.HOURS:
        return start + timedelta(hours=amount)
    return due_time(
        start,
        amount,
        LimitUnit.WORKING_DAYS if unit == StepLimitUnit.WORKING_DAYS else LimitUnit.WORKING_HOURS,
    )


# --- who ------------------------------------------------------------------------------------


def _holders(paths: list[str], roles: Iterable[str], *, beneath: bool) -> list:
    """People holding `roles` on the areas at `paths` (and beneath them, if `beneath`)."""
    where = Q(pk__in=[])
    for path in paths:
        where |= Q(area__path__startswith=path) if beneath else Q(area__path=path)
    return list(
        User.objects.filter(
            pk__in=Assignment.objects.filter(where, role__in=list(roles)).values("user_id"),
            is_active=True,
        ).order_by("pk")
    )


def role_holders(paths: list[str], role: str) -> list:
    """The people with `role` at the affected areas: on them or beneath them, else on the
    nearest level above that has any."""
    people = _holders(paths, [role], beneath=True)
    if people:
        return people
    above = {p for path in paths for p in prefixes(path)[:-1]}
    for depth in sorted({p.count("/") for p in above}, reverse=True):
        people = _holders([p for p in above if p.count("/") == depth], [role], beneath=False)
        if people:
            return people
    return []


def department_members(department: Department) -> list:
    return list(department.group.user_set.filter(is_active=True).order_by("pk"))


def leaders_above(paths: list[str]) -> list:
    """The leaders (and supervisors) of the nearest areas above the affected ones that have
    any: whom a late step is escalated to."""
    above = {p for path in paths for p in prefixes(path)[:-1]}
    for depth in sorted({p.count("/") for p in above}, reverse=True):
        people = _holders([p for p in above if p.count("/") == depth], LEADER_ROLES, beneath=False)
        if people:
            return people
    return []


def task_owners(task: Task) -> list:
    """Everybody who owns the task: its named people and its department's members."""
    people = list(task.owner_people.all())
    if task.owner_department_id:
        people += department_members(task.owner_department)
    return list({person.pk: person for person in people}.values())


def is_owner(user: Person, task: Task, *, group_ids: set[int] | None = None) -> bool:
    """Whether the person owns the task (named, or a member of its department). With the
    task's owners prefetched and the person's `group_ids` given, no query."""
    if not user.is_authenticated:
        return False
    if any(person.pk == user.pk for person in task.owner_people.all()):
        return True
    if not task.owner_department_id:
        return False
    if group_ids is None:
        group_ids = set(user.groups.values_list("pk", flat=True))
    return task.owner_department.group_id in group_ids


def tasks_for(user: Person) -> QuerySet[Task]:
    """The tasks the person owns: named, or through their department."""
    if not user.is_authenticated:
        return Task.objects.none()
    return (
        Task.objects.filter(
            Q(owner_people=user) | Q(owner_department__group__in=user.groups.values("pk"))
        )
        .distinct()
        .select_related("activation__incident", "activation__plan", "owner_department")
        .order_by("feedback_at", "due_at", "pk")
    )


def may_see_task(user: Person, task: Task) -> bool:
    return is_owner(user, task) or may(user, IncidentAction.VIEW, task.activation.incident)


# --- activating -----------------------------------------------------------------------------


def _task_params(task: Task, incident: Incident, *, late: bool = False) -> dict[str, str]:
    def title(language: str, text: str, name: str) -> str:
        with translation.override(language):
            if incident.exercise:  # a drill is marked as one wherever it is shown
                name = f"{_('EXERCISE')} · {name}"
            if late:
                return _("Late: %(step)s (%(incident)s)") % {"step": text, "incident": name}
            return _("%(step)s (%(incident)s)") % {"step": text, "incident": name}

    return {
        "title": title("zh-hans", task.title, incident.title),
        "title_en": title("en", task.title_en or task.title, incident.title_en or incident.title),
        "task": str(task.pk),
        "incident": str(incident.pk),
    }


def _tasks_link() -> str:
    return absolute(reverse("emergency:my_tasks"))


def activate_plan(*, incident: Incident, plan: Plan, by: Person) -> tuple[Activation, bool]:
    """Activate `plan` on the open incident: a task per step with its owners and due time,
    the owners told. Once per (incident, plan): activating again returns the activation made
    the first time (and False)."""
    if not plan.active:
        raise InvalidInput({"plan": [_("This plan is not active.")]})
    with transaction.atomic():
        incident = locked(incident.pk, by=by, action=IncidentAction.MANAGE)
        existing = Activation.objects.filter(incident=incident, plan=plan).first()
        if existing is not None:
            return existing, False
        if incident.status not in OPEN_STATUSES:
            raise InvalidTransition(_("A plan is activated on an open incident only."))
        now = clock.now()
        try:
            with transaction.atomic():
                activation = Activation.objects.create(incident=incident, plan=plan, by=by, at=now)
        except IntegrityError:  # activated meanwhile (without a row lock, as on SQLite)
            return Activation.objects.get(incident=incident, plan=plan), False
        paths = list(incident.affected.values_list("path", flat=True))
        told = []
        steps = PlanStep.objects.filter(plan=plan).select_related("owner_department__group")
        for step in steps.order_by("order", "pk"):
            task = Task.objects.create(
                activation=activation,
                step=step,
                order=step.order,
                title=step.title,
                title_en=step.title_en,
                feedback_expected=step.feedback_expected,
                owner_department=step.owner_department,
                due_at=step_due(now, step.limit, step.limit_unit),
            )
            if step.owner_department_id:
                people = department_members(step.owner_department)
            else:
                people = role_holders(paths, step.owner_role)
                task.owner_people.set(people)
            told += [(task, people)]
        for task, people in told:
            tell(
                people,
                kind=NotificationKind.EMERGENCY_TASK,
                params=_task_params(task, incident),
                body=_tasks_link(),
            )
        incident.updated_at = now
        incident.save(update_fields=["updated_at"])
        record(
            incident,
            IncidentEventKind.PLAN_ACTIVATED,
            actor=by,
            data={
                "plan": plan.pk,
                "name": plan.name,
                "tasks": len(told),
                "told": len({p.pk for _t, people in told for p in people}),
            },
            at=now,
        )
    return activation, True


# --- feedback -------------------------------------------------------------------------------


def record_feedback(*, task_id: int, by: Person, text: str) -> Task:
    """An owner's (or the incident's manager's) feedback on a step: once; later feedback
    after the due time counts the step late."""
    text = clean_text(text, "feedback", required=True)
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("activation__incident", "owner_department")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotPermitted(_("There is no such task among yours."))
        incident = task.activation.incident
        if not (is_owner(by, task) or may(by, IncidentAction.MANAGE, incident)):
            raise NotPermitted(_("There is no such task among yours."))
        if task.feedback_at is not None:
            raise InvalidTransition(_("This step has its feedback already."))
        if incident.status not in OPEN_STATUSES:
            raise InvalidTransition(_("This incident is closed; it can no longer change."))
        now = clock.now()
        task.feedback, task.feedback_at, task.feedback_by = text, now, by
        task.late = task.late or now > task.due_at
        task.save(update_fields=["feedback", "feedback_at", "feedback_by", "late"])
        record(
            incident,
            IncidentEventKind.STEP_FEEDBACK,
            actor=by,
            note=text,
            data={"task": task.pk, "step": task.title, "late": task.late},
            at=now,
        )
    return task


# --- lateness -------------------------------------------------------------------------------


def sweep_late_tasks(*, limit: int = 500) -> list[Task]:
    """Mark past-due tasks without feedback late, once; tell the leaders one level above the
    affected areas; a STEP_LATE entry on the timeline. Each task is claimed by an update
    conditional on `late=False`, so two sweeps never mark (or tell) twice."""
    now = clock.now()
    due = list(
        Task.objects.filter(feedback_at__isnull=True, late=False, due_at__lt=now)
        .filter(activation__incident__status__in=OPEN_STATUSES)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    marked = []
    for pk in due:
        with transaction.atomic():
            if not Task.objects.filter(pk=pk, late=False, feedback_at__isnull=True).update(
                late=True, escalated_at=now
            ):
                continue  # another sweep (or the feedback) came first
            task = Task.objects.select_related("activation__incident").get(pk=pk)
            incident = task.activation.incident
            paths = list(incident.affected.values_list("path", flat=True))
            leaders = leaders_above(paths)
            tell(
                leaders,
                kind=NotificationKind.EMERGENCY_TASK,
                params=_task_params(task, incident, late=True),
                body=absolute(reverse("emergency:incident", args=[incident.pk])),
            )
            record(
                incident,
                IncidentEventKind.STEP_LATE,
                actor=None,
                data={
                    "task": task.pk,
                    "step": task.title,
                    "due_at": task.due_at.isoformat(),
                    "told": [person.pk for person in leaders],
                    "to": sorted({a.code for a in _areas_of(leaders, paths)}),
                },
                at=now,
            )
            marked.append(task)
    return marked


def _areas_of(leaders: list, paths: list[str]) -> list[Area]:
    above = {p for path in paths for p in prefixes(path)[:-1]}
    return list(
        Area.objects.filter(
            assignments__user__in=leaders, assignments__role__in=LEADER_ROLES, path__in=above
        ).distinct()
    )
