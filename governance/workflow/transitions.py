"""The lifecycle steps: each checks who may act and from which state under a row lock,
moves the case, and writes its timeline entry in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from governance import clock
from governance.access import AREA_PERMISSION, Action, Person, area_paths, may
from governance.errors import InvalidInput, InvalidTransition
from governance.models import Area, Audience, Case, Department, EventKind, Level
from governance.workflow.deadlines import warning_time
from governance.workflow.notes import NOTE_AUDIENCES, PUBLIC_SUMMARY_LIMIT, _publish_summary
from governance.workflow.recording import (
    _atomic_with_files,
    _clean_files,
    _locked,
    _move,
    _note_entry,
    _record,
    _store_files,
    _text,
)
from governance.workflow.rules import RULES, Rule, within_reopen_window
from governance.working_time import due_time


def file_case(*, case_id: int, actor: Person, note: str = "") -> Case:
    """立案: accept a submitted case as valid."""
    with transaction.atomic():
        case, rule = _locked(case_id, name="file", actor=actor)
        _move(case, rule, actor=actor, note=_text(note, "note", required=False))
    return case


def reject_case(*, case_id: int, actor: Person, reason: str, public_summary: str = "") -> Case:
    """不予立案: refuse a submitted case, with a reason the reporter will read (and optionally
    a short public summary)."""
    reason = _text(reason, "reason", required=True)
    summary = _text(public_summary, "public_summary", required=False, limit=PUBLIC_SUMMARY_LIMIT)
    with transaction.atomic():
        case, rule = _locked(case_id, name="reject", actor=actor)
        case.closed_at = clock.now()
        _move(case, rule, actor=actor, note=reason, update=["closed_at"])
        _publish_summary(case, actor=actor, text=summary)
    return case


def merge_case(*, case_id: int, into_id: int, actor: Person, note: str = "") -> Case:
    """Mark a case a duplicate of another open case the actor may see."""
    if case_id == into_id:
        raise InvalidInput({"into": [_("A case cannot be merged into itself.")]})
    with transaction.atomic():
        case, rule = _locked(case_id, name="merge", actor=actor)
        target = Case.objects.select_for_update().filter(pk=into_id).first()
        if target is None or not may(actor, Action.VIEW, target):
            raise InvalidInput({"into": [_("There is no such case to merge into.")]})
        if not target.is_open:
            raise InvalidInput({"into": [_("Merge into an open case.")]})
        case.merged_into = target
        case.closed_at = clock.now()
        _move(
            case,
            rule,
            actor=actor,
            note=_text(note, "note", required=False),
            data={"into": target.tracking_id},
            update=["merged_into", "closed_at"],
        )
    return case


def dispatch_case(
    *,
    case_id: int,
    actor: Person,
    department: Department | None = None,
    assignee: AbstractUser | None = None,
    note: str = "",
    note_audience: Audience | str = Audience.INTERNAL,
) -> Case:
    """派遣: send the case to a department (default: the category's) and start its time limit.

    The instructions (`note`) are for the staff who handle it unless `note_audience` says the
    reporter too: then they are the dispatch entry's note, which the reporter reads and is
    told. Internal ones are an internal note of their own beside the dispatch entry, so the
    reporter still sees (and is told) that the case was dispatched, and nothing more.
    """
    note = _text(note, "note", required=False)
    if note_audience not in NOTE_AUDIENCES:
        raise InvalidInput({"note_audience": [_("A note is for staff only or for the reporter.")]})
    internal = Audience(note_audience) == Audience.INTERNAL
    with transaction.atomic():
        case, rule = _locked(case_id, name="dispatch", actor=actor)
        department = department or case.category.default_department
        if department is None and assignee is None:
            raise InvalidInput({"department": [_("Choose the department to dispatch to.")]})
        now = clock.now()
        case.assignee_department = department
        case.assignee = assignee
        case.dispatched_at = now
        case.due_at = due_time(now, case.category.limit_for(case.urgency), case.category.limit_unit)
        case.warn_at = warning_time(case)
        case.warned_at = None
        _move(
            case,
            rule,
            actor=actor,
            note="" if internal else note,
            data={
                "department": department.code if department else None,
                "assignee": assignee.pk if assignee else None,
                "due_at": case.due_at.isoformat(),
            },
            update=[
                "assignee_department",
                "assignee",
                "dispatched_at",
                "due_at",
                "warn_at",
                "warned_at",
            ],
        )
        if internal and note:
            data = {"instructions": True}
            _note_entry(case, actor=actor, text=note, audience=Audience.INTERNAL, data=data)
    return case


def routable_grids(actor: Person) -> QuerySet[Area]:
    """The active grids `actor` may route an unrouted case to: those beneath an area where
    they dispatch (an administrator: any)."""
    grids = Area.objects.active().filter(level=Level.GRID)
    if actor.is_superuser:
        return grids
    paths = area_paths(actor, AREA_PERMISSION[Action.DISPATCH])
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return grids.filter(condition)


def route_case(*, case_id: int, actor: Person, grid: Area, note: str = "") -> Case:
    """Route a case whose pin is outside every grid to the grid that should handle it.

    The city's unrouted queue is worked by its districts' dispatchers (`access`); one of them
    names a grid of their own district (the pin may be just past its edge, or in a hole of
    the map) and the case joins that grid's queue as if it had been filed there. The grid's
    name is on the reporter's timeline; `note` (why) is for staff only.
    """
    note = _text(note, "note", required=False)
    with transaction.atomic():
        case, rule = _locked(case_id, name="route", actor=actor)
        if case.grid_id is not None:
            raise InvalidTransition(_("This case is already in a grid."))
        if grid is None or not routable_grids(actor).filter(pk=grid.pk).exists():
            raise InvalidInput({"grid": [_("Choose one of the grids you dispatch for.")]})
        case.grid = grid
        case.area_path = grid.path
        _move(
            case,
            rule,
            actor=actor,
            data={"grid": grid.code, "grid_name": grid.name, "grid_name_en": grid.name_en},
            update=["grid", "area_path"],
        )
        if note:
            _record(
                case,
                kind=EventKind.NOTE,
                actor=actor,
                from_status=case.status,
                note=note,
                audience=Audience.INTERNAL,
            )
    return case


def start_case(*, case_id: int, actor: Person, note: str = "") -> Case:
    """The assigned department takes the case in hand."""
    with transaction.atomic():
        case, rule = _locked(case_id, name="start", actor=actor)
        _move(case, rule, actor=actor, note=_text(note, "note", required=False))
    return case


def resolve_case(
    *,
    case_id: int,
    actor: Person,
    note: str,
    files: Sequence[UploadedFile] = (),
    public_summary: str = "",
) -> Case:
    """处理反馈: the department reports what it did (to the reporter), with photos of the fix,
    and optionally a short public summary (what everyone reads: Open311, the public pages)."""
    note = _text(note, "note", required=True)
    summary = _text(public_summary, "public_summary", required=False, limit=PUBLIC_SUMMARY_LIMIT)
    with _atomic_with_files() as saved:
        case, rule = _locked(case_id, name="resolve", actor=actor)
        cleaned = _clean_files(files, already=0)
        case.resolved_at = clock.now()
        event = _move(case, rule, actor=actor, note=note, update=["resolved_at"])
        _store_files(saved, case=case, event=event, files=cleaned, actor=actor)
        _publish_summary(case, actor=actor, text=summary)
    return case


def verify_and_close_case(
    *,
    case_id: int,
    actor: Person,
    note: str = "",
    files: Sequence[UploadedFile] = (),
    public_summary: str = "",
) -> Case:
    """核查结案: the officer checked on site that the fix holds; the case closes. The note is
    the reporter's to read; `public_summary`, if given, is published."""
    note = _text(note, "note", required=False)
    summary = _text(public_summary, "public_summary", required=False, limit=PUBLIC_SUMMARY_LIMIT)
    with _atomic_with_files() as saved:
        case, rule = _locked(case_id, name="close", actor=actor)
        cleaned = _clean_files(files)
        case.closed_at = clock.now()
        event = _move(case, rule, actor=actor, note=note, update=["closed_at"])
        _store_files(saved, case=case, event=event, files=cleaned, actor=actor)
        _publish_summary(case, actor=actor, text=summary)
    return case


def rework_case(*, case_id: int, actor: Person, reason: str) -> Case:
    """返工: verification failed; the department works on it again."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="rework", actor=actor)
        case.rework_count += 1
        case.resolved_at = None
        _move(case, rule, actor=actor, note=reason, update=["rework_count", "resolved_at"])
    return case


def withdraw_case(*, case_id: int, actor: Person, reason: str = "") -> Case:
    """The reporter takes the request back before it is dispatched."""
    with transaction.atomic():
        case, rule = _locked(case_id, name="withdraw", actor=actor)
        case.closed_at = clock.now()
        _move(
            case,
            rule,
            actor=actor,
            note=_text(reason, "reason", required=False),
            update=["closed_at"],
        )
    return case


def reopen_case(*, case_id: int, actor: Person, reason: str) -> Case:
    """The reporter reopens a closed case within the window: it is filed again."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="reopen", actor=actor)
        if not within_reopen_window(case):
            raise InvalidTransition(
                _("A case can be reopened within %(days)d days of closing.")
                % {"days": settings.GOVERNANCE["REOPEN_WINDOW_DAYS"]}
            )
        _reopen(case, rule, actor=actor, reason=reason)
    return case


def review_case(*, case_id: int, actor: Person, reopen: bool, reason: str) -> Case:
    """A supervisor's conclusion on a closed case its reporter says is not resolved, past the
    reopen window: a `reviewed` entry with the reason (the reporter reads it), and, when the
    supervisor finds it unresolved, the case reopened as the reporter's reopening would."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="review", actor=actor)
        _move(case, rule, actor=actor, note=reason, data={"reopen": bool(reopen)})
        if reopen:
            _reopen(case, RULES["reopen"], actor=actor, reason=reason)
    return case


def _reopen(case: Case, rule: Rule, *, actor: Person, reason: str) -> None:
    case.closed_at = None
    case.resolved_at = None
    case.rating = None
    case.rating_comment = ""
    _move(
        case,
        rule,
        actor=actor,
        note=reason,
        update=["closed_at", "resolved_at", "rating", "rating_comment"],
    )


def rate_case(*, case_id: int, actor: Person, rating: object, comment: str = "") -> Case:
    """综合评价: the reporter rates the closed case once, 1 to 5."""
    try:
        score = int(rating)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        score = 0
    if (
        isinstance(rating, bool)
        or (isinstance(rating, float) and not rating.is_integer())
        or not 1 <= score <= 5
    ):
        raise InvalidInput({"rating": [_("Give a rating from 1 to 5.")]})
    comment = _text(comment, "comment", required=False, limit=1000)
    with transaction.atomic():
        case, rule = _locked(case_id, name="rate", actor=actor)
        if case.rating is not None:
            raise InvalidTransition(_("This case has already been rated."))
        case.rating = score
        case.rating_comment = comment
        _move(
            case,
            rule,
            actor=actor,
            note=comment,
            data={"rating": score},
            update=["rating", "rating_comment"],
        )
    return case
