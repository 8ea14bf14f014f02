"""The closed-loop case workflow: every change to a case is one of these named functions.

Each checks who may act (through the scoped-access path) and from which state, under a row
lock; writes its CaseEvent in the same transaction; refuses anything else with a typed error
(`governance.errors`); and sends its side effects only after commit.

    submitted ─┬─> filed ──> dispatched ──> in_progress ──> resolved ──> closed (──> rated)
               ├─> rejected        ^                            │
               ├─> withdrawn       └────────── rework <─────────┘
               └─> merged
    closed ──> filed (reopened by the reporter within the window)
    any open state ──> escalated (a level up; the state itself does not change)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.models import User
from governance import clock, events
from governance.access import AREA_PERMISSION, Action, Person, area_paths, may, permitted
from governance.answers import clean_answers
from governance.attachments import MAX_PER_CASE, CleanFile, clean_upload
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.inputs import length_errors
from governance.language import join_list
from governance.models import (
    Area,
    Attachment,
    Audience,
    Case,
    CaseContact,
    CaseEvent,
    Category,
    Channel,
    Department,
    EventKind,
    Level,
    Status,
    Urgency,
)
from governance.models.case import OPEN_STATUSES
from governance.routing import city_for_unrouted, grid_index, validate_point
from governance.working_time import due_time

S = Status

WARN_AT = 0.8  # the share of a time limit after which the sweep warns, once
PUBLIC_SUMMARY_LIMIT = 500  # a public summary is short and deliberate
NOTE_AUDIENCES = (Audience.INTERNAL, Audience.REPORTER)  # a note is never published


@dataclass(frozen=True)
class Rule:
    """Which states an action starts from, where it leads, and what permission it needs."""

    sources: frozenset[str]
    target: str | None  # None: the state does not change
    action: Action
    event: str


RULES: dict[str, Rule] = {
    "file": Rule(frozenset({S.SUBMITTED}), S.FILED, Action.INTAKE, EventKind.FILED),
    "reject": Rule(frozenset({S.SUBMITTED}), S.REJECTED, Action.INTAKE, EventKind.REJECTED),
    "merge": Rule(frozenset({S.SUBMITTED, S.FILED}), S.MERGED, Action.INTAKE, EventKind.MERGED),
    "dispatch": Rule(
        frozenset({S.FILED, S.DISPATCHED}), S.DISPATCHED, Action.DISPATCH, EventKind.DISPATCHED
    ),
    "start": Rule(frozenset({S.DISPATCHED}), S.IN_PROGRESS, Action.HANDLE, EventKind.STARTED),
    "resolve": Rule(frozenset({S.IN_PROGRESS}), S.RESOLVED, Action.HANDLE, EventKind.RESOLVED),
    "close": Rule(frozenset({S.RESOLVED}), S.CLOSED, Action.VERIFY, EventKind.CLOSED),
    "rework": Rule(frozenset({S.RESOLVED}), S.IN_PROGRESS, Action.VERIFY, EventKind.REWORK),
    "escalate": Rule(OPEN_STATUSES, None, Action.ESCALATE, EventKind.ESCALATED),
    "withdraw": Rule(
        frozenset({S.SUBMITTED, S.FILED}), S.WITHDRAWN, Action.OWN, EventKind.WITHDRAWN
    ),
    "reopen": Rule(frozenset({S.CLOSED}), S.FILED, Action.OWN, EventKind.REOPENED),
    "rate": Rule(frozenset({S.CLOSED}), None, Action.OWN, EventKind.RATED),
    "note": Rule(frozenset(S), None, Action.VIEW, EventKind.NOTE),
}
# Actions that are not steps of the case's lifecycle: routing a case outside every grid to a
# grid (only such a case: `available_actions`, `route_case`).
OTHER_RULES: dict[str, Rule] = {
    "route": Rule(OPEN_STATUSES, None, Action.DISPATCH, EventKind.ROUTED),
}


def rule_for(name: str) -> Rule:
    """The rule of action `name`, a lifecycle step (RULES) or another action (OTHER_RULES)."""
    return RULES[name] if name in RULES else OTHER_RULES[name]


def actions_needed(status: str) -> frozenset[Action]:
    """The permissions the actions that start from `status` need."""
    rules = [*RULES.values(), *OTHER_RULES.values()]
    return frozenset(rule.action for rule in rules if status in rule.sources)


def available_actions(
    user: Person, case: Case, allowed: AbstractSet[Action] | None = None
) -> list[str]:
    """The actions `user` may take on `case` now, in the order of RULES.

    `allowed`: what `user` may do on `case` (`access.permitted`), when the caller has it
    already; it must cover `actions_needed(case.status)`.
    """
    if allowed is None:
        allowed = permitted(user, case, actions_needed(case.status))
    names = []
    for name, rule in (*RULES.items(), *OTHER_RULES.items()):
        if case.status not in rule.sources or rule.action not in allowed:
            continue
        if name == "rate" and case.rating is not None:
            continue
        if name == "reopen" and not _within_reopen_window(case):
            continue
        if name == "route" and case.grid_id is not None:
            continue
        names.append(name)
    return names


# --- helpers --------------------------------------------------------------------------------


def _text(value: str | None, field: str, *, required: bool, limit: int = 4000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput({field: [_("This field is required.")]})
    if len(text) > limit:
        raise InvalidInput({field: [_("At most %(n)d characters.") % {"n": limit}]})
    return text


def _clean_files(files: Sequence[UploadedFile], *, already: int = 0) -> list[CleanFile]:
    if already + len(files) > MAX_PER_CASE:
        raise InvalidInput({"files": [_("At most %(n)d files per case.") % {"n": MAX_PER_CASE}]})
    cleaned = []
    for upload in files:
        try:
            cleaned.append(clean_upload(upload))
        except ValidationError as error:
            raise InvalidInput({"files": error.messages}) from None
    return cleaned


@contextmanager
def _atomic_with_files() -> Iterator[list[Attachment]]:
    """A transaction whose saved files are deleted again if it fails: nothing left behind."""
    saved: list[Attachment] = []
    try:
        with transaction.atomic():
            yield saved
    except BaseException:
        for attachment in saved:
            attachment.file.delete(save=False)
            if attachment.thumbnail:
                attachment.thumbnail.delete(save=False)
        raise


def _store_files(
    saved: list[Attachment],
    *,
    case: Case,
    event: CaseEvent,
    files: Iterable[CleanFile],
    actor: Person,
) -> None:
    for clean in files:
        attachment = Attachment(
            case=case,
            event=event,
            content_type=clean.content_type,
            size=clean.size,
            created_at=event.created_at,
            uploaded_by=actor if actor.is_authenticated else None,
        )
        saved.append(attachment)
        attachment.file.save("upload", clean.content, save=False)
        if clean.thumbnail is not None:
            attachment.thumbnail.save("thumb", clean.thumbnail, save=False)
        attachment.save()


def _record(
    case: Case,
    *,
    kind: str,
    actor: Person | None,
    from_status: str = "",
    note: str = "",
    audience: Audience = Audience.REPORTER,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=case.status,
        note=note,
        audience=audience,
        data=data or {},
        created_at=clock.now(),
    )


def _locked(case_id: int, *, name: str, actor: Person | None) -> tuple[Case, Rule]:
    """The case under a row lock, once `actor` may take action `name` from its state."""
    rule = rule_for(name)
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotPermitted(_("There is no such case."))
    if actor is not None and not may(actor, rule.action, case):
        # Someone who may not even see the case learns nothing about it.
        if not may(actor, Action.VIEW, case):
            raise NotPermitted(_("There is no such case."))
        raise NotPermitted(_("You may not %(action)s this case.") % {"action": ACTION_LABELS[name]})
    if case.status not in rule.sources:
        raise InvalidTransition(
            _("A case that is %(status)s cannot be %(done)s.")
            % {"status": case.get_status_display(), "done": DONE_LABELS[name]}
        )
    return case, rule


def _move(
    case: Case,
    rule: Rule,
    *,
    actor: Person | None,
    note: str = "",
    audience: Audience = Audience.REPORTER,
    data: dict[str, Any] | None = None,
    update: Iterable[str] = (),
) -> CaseEvent:
    previous = case.status
    if rule.target is not None:
        case.status = rule.target
    case.updated_at = clock.now()
    case.save(update_fields=["status", "updated_at", *update])
    event = _record(
        case,
        kind=rule.event,
        actor=actor,
        from_status=previous,
        note=note,
        audience=audience,
        data=data,
    )
    events.case_changed_on_commit(case, event)
    return event


ACTION_LABELS = {
    "file": gettext_lazy("accept"),
    "reject": gettext_lazy("reject"),
    "merge": gettext_lazy("merge"),
    "dispatch": gettext_lazy("dispatch"),
    "start": gettext_lazy("start handling"),
    "resolve": gettext_lazy("resolve"),
    "close": gettext_lazy("verify and close"),
    "rework": gettext_lazy("send back for rework"),
    "escalate": gettext_lazy("escalate"),
    "withdraw": gettext_lazy("withdraw"),
    "reopen": gettext_lazy("reopen"),
    "rate": gettext_lazy("rate"),
    "note": gettext_lazy("add a note to"),
    "route": gettext_lazy("route to a grid"),
}
DONE_LABELS = {
    "file": gettext_lazy("accepted"),
    "reject": gettext_lazy("rejected"),
    "merge": gettext_lazy("merged"),
    "dispatch": gettext_lazy("dispatched"),
    "start": gettext_lazy("started"),
    "resolve": gettext_lazy("resolved"),
    "close": gettext_lazy("verified and closed"),
    "rework": gettext_lazy("sent back for rework"),
    "escalate": gettext_lazy("escalated"),
    "withdraw": gettext_lazy("withdrawn"),
    "reopen": gettext_lazy("reopened"),
    "rate": gettext_lazy("rated"),
    "note": gettext_lazy("annotated"),
    "route": gettext_lazy("routed to a grid"),
}


def _within_reopen_window(case: Case) -> bool:
    window = timedelta(days=settings.GOVERNANCE["REOPEN_WINDOW_DAYS"])
    return case.closed_at is not None and clock.now() - case.closed_at <= window


# --- submission -----------------------------------------------------------------------------


def clean_contact(contact: dict[str, str] | None) -> dict[str, str]:
    """A reporter's contact: name, phone and e-mail only, stripped."""
    return {
        k: (v or "").strip() for k, v in (contact or {}).items() if k in ("name", "phone", "email")
    }


def contact_errors(*, contact: dict[str, str], anonymous: bool) -> dict[str, list[str]]:
    """Every problem with a reporter's contact at once ("contact.phone", "contact.email",
    "contact.name", and "contact" when an anonymous reporter left no way to reach them).

    The request forms run it in their own validation, so a person sees these next to the other
    fields' errors in one round, not after correcting those.
    """
    errors: dict[str, list[str]] = {}
    if contact.get("email"):
        try:
            validate_email(contact["email"])
        except ValidationError:
            errors["contact.email"] = [_("Enter a valid e-mail address.")]
    if contact.get("phone") and not contact["phone"].lstrip("+").replace(" ", "").isdigit():
        errors["contact.phone"] = [_("Enter a phone number of digits.")]
    if anonymous and not (contact.get("phone") or contact.get("email")):
        errors["contact"] = [_("Leave a phone number or e-mail so we can reach you.")]
    for name, messages in length_errors(CaseContact, contact, prefix="contact.").items():
        errors.setdefault(name, messages)
    return errors


# Channels by which staff file a case for someone else (a caller) or from their own patrol.
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.PATROL})


def submit_case(
    *,
    actor: Person,
    category: Category,
    description: str,
    lon: object,
    lat: object,
    address: str = "",
    channel: str = Channel.WEB,
    urgency: str = Urgency.GENERAL,
    answers: dict[str, Any] | None = None,
    contact: dict[str, str] | None = None,
    files: Sequence[UploadedFile] = (),
    locate: bool = True,
    contact_language: str | None = None,
) -> Case:
    """A citizen's request, or an officer's report from patrol or a hotline call.

    Signed-in citizens report as themselves; anonymous ones leave a phone or e-mail contact.
    Hotline and patrol cases need the report permission on the grid the point routes to.
    `locate=False` (an address without coordinates, e.g. from Open311) skips routing: the case
    goes to the city-level queue, and its point is only the city's placeholder.
    """
    errors: dict[str, list[str]] = {}
    try:
        lon_f, lat_f = validate_point(lon, lat)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not category.active:
        errors["category"] = [_("This category no longer takes requests.")]
    try:
        description = _text(description, "description", required=True)
    except InvalidInput as error:
        errors.update(error.errors)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose general or urgent.")]
    elif urgency == Urgency.URGENT and not category.allows_urgent:
        errors["urgency"] = [_("This category cannot be marked urgent.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    try:
        cleaned_answers = clean_answers(category, answers)
    except ValidationError as error:
        errors.update(error.message_dict)
    contact = clean_contact(contact)
    errors.update(contact_errors(contact=contact, anonymous=not actor.is_authenticated))
    if len(address) > 300:
        errors["address"] = [_("At most %(n)d characters.") % {"n": 300}]
    if errors:
        raise InvalidInput(errors)
    cleaned_files = _clean_files(files)

    grid_id = grid_index().locate(lon_f, lat_f) if locate else None
    # Not its boundary: a grid's polygon is the biggest column there is, and filing never reads it.
    grid = Area.objects.defer("boundary").get(pk=grid_id) if grid_id is not None else None
    city = grid if grid is not None else city_for_unrouted()
    area_path = grid.path if grid is not None else (city.path if city else "/")
    if channel in STAFF_CHANNELS and not _may_report_at(actor, area_path):
        raise NotPermitted(_("You may only file hotline and patrol cases in your own areas."))

    now = clock.now()
    with _atomic_with_files() as saved:
        case = Case(
            category=category,
            description=description,
            lon=lon_f,
            lat=lat_f,
            address=address.strip(),
            grid=grid,
            area_path=area_path,
            # Staff filing a call or a patrol finding are not its reporter: the caller's
            # contact is the contact, and the submission's entry names the staff as its actor.
            reporter=actor if actor.is_authenticated and channel not in STAFF_CHANNELS else None,
            channel=channel,
            urgency=urgency,
            answers=cleaned_answers,
            assignee_department=None,
            created_at=now,
            updated_at=now,
            due_at=due_time(now, category.limit_for(urgency), category.limit_unit),
        )
        case.warn_at = warning_time(case)
        case.save(force_insert=True)
        if any(contact.values()):
            # The contact's messages are written in the language of the filing, or the one
            # staff chose for a caller (`contact_language`, one of the site's languages).
            known = {code for code, _name in settings.LANGUAGES}
            language = (
                contact_language
                if contact_language in known
                else translation.get_language() or settings.LANGUAGE_CODE
            )
            CaseContact.objects.create(case=case, language=language, **contact)
        # The submission's own entry carries the case's own photos: as public as its description
        # (a private-location case caps both at the reporter).
        event = _record(
            case,
            kind=EventKind.SUBMITTED,
            actor=actor,
            audience=Audience.PUBLIC,
            data={"channel": channel, "routed": grid is not None},
        )
        _store_files(saved, case=case, event=event, files=cleaned_files, actor=actor)
        events.case_changed_on_commit(case, event)
    return case


def _may_report_at(actor: Person, area_path: str) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return any(area_path.startswith(p) for p in area_paths(actor, AREA_PERMISSION[Action.REPORT]))


# --- transitions ----------------------------------------------------------------------------


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
    assignee: User | None = None,
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
            event = _record(
                case,
                kind=EventKind.NOTE,
                actor=actor,
                from_status=case.status,
                note=note,
                audience=Audience.INTERNAL,
                data={"instructions": True},
            )
            events.case_changed_on_commit(case, event)
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


def _publish_summary(case: Case, *, actor: Person, text: str) -> None:
    """A staff member's deliberate public text: the only entry whose audience is public (a
    private-location case caps it at the reporter: `audience.event_audience`)."""
    if not text:
        return
    event = _record(
        case,
        kind=EventKind.NOTE,
        actor=actor,
        from_status=case.status,
        note=text,
        audience=Audience.PUBLIC,
        data={"public_summary": True},
    )
    events.case_changed_on_commit(case, event)


def rework_case(*, case_id: int, actor: Person, reason: str) -> Case:
    """返工: verification failed; the department works on it again."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="rework", actor=actor)
        case.rework_count += 1
        case.resolved_at = None
        _move(case, rule, actor=actor, note=reason, update=["rework_count", "resolved_at"])
    return case


def escalation_target(case: Case, level: int) -> Area | None:
    """The area whose leaders an escalation of `level` reaches: one level up per escalation."""
    code = _target_code(case, level)
    return None if code is None else Area.objects.active().filter(code=code).first()


def _target_code(case: Case, level: int) -> str | None:
    """The code `level` areas above the case's own on its path; None above the top."""
    codes = [code for code in case.area_path.strip("/").split("/") if code]
    index = len(codes) - 1 - level
    return codes[index] if index >= 0 else None


def escalate_case(
    *, case_id: int, actor: Person | None, reason: str, overdue: bool = False
) -> Case:
    """督办: raise the case a level up the tree, by hand or (actor None) because it is overdue."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="escalate", actor=actor)
        target = escalation_target(case, case.escalation_level + 1)
        if target is None or target.level < Level.CITY:
            raise InvalidTransition(_("This case is already at the top of the tree."))
        case.escalation_level += 1
        case.escalated_at = clock.now()
        _move(
            case,
            rule,
            actor=actor,
            note=reason,
            audience=Audience.INTERNAL,
            data={"level": case.escalation_level, "to": target.code, "overdue": overdue},
            update=["escalation_level", "escalated_at"],
        )
    return case


def warning_time(case: Case) -> datetime | None:
    """When the sweep warns: WARN_AT of the way from dispatch (or submission) to due.

    Stored in `warn_at` wherever `due_at` is set (submission, dispatch), so the sweep reads
    only the cases to warn now from a partial index.
    """
    if case.due_at is None:
        return None
    start = case.dispatched_at or case.created_at
    return start + (case.due_at - start) * WARN_AT


def time_limit(case: Case) -> timedelta:
    """The case's current time limit: from dispatch (or submission) to due, at least a minute."""
    start = case.dispatched_at or case.created_at
    return max(case.due_at - start, timedelta(minutes=1))


def needs_escalation(case: Case, now: datetime) -> bool:
    """Overdue and not escalated yet, or still overdue a whole limit after the last escalation."""
    if not case.is_open or case.due_at is None or case.due_at > now:
        return False
    if case.escalation_level == 0 or case.escalated_at is None:
        return True
    return now >= case.escalated_at + time_limit(case)


def _record_system_events(
    cases: Sequence[Case],
    *,
    kind: str,
    data: Callable[[Case], dict[str, Any]],
    at: datetime,
    note: str = "",
) -> None:
    """One internal timeline entry per case, written in one INSERT, with their side effects
    (notifications now, pushes after commit): the sweep's batches, as `_record` is one change's.
    """
    recorded = CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=kind,
            actor=None,
            from_status=case.status,
            to_status=case.status,
            note=note,
            audience=Audience.INTERNAL,
            data=data(case),
            created_at=at,
        )
        for case in cases
    )
    events.cases_changed_on_commit(list(zip(cases, recorded, strict=True)))


class _Contended(Exception):
    """Another sweep escalated one of the batch's cases meanwhile: undo the batch."""


def escalate_overdue_cases(seen: dict[int, int]) -> list[Case]:
    """The sweep's 督办: escalate many overdue cases a level up in one transaction.

    `seen` maps case ids to the escalation level the sweep read. Each case is locked (SKIP
    LOCKED: one another sweep holds is left to it), re-checked, and claimed by an update
    conditional on the level seen, so however many sweeps run, a case goes up once. A case
    whose next level has no area (the top of the tree) is left as it is. The timeline
    entries, notifications and realtime messages are those `escalate_case` writes, done for
    the whole batch at once; returns the cases escalated.
    """
    now = clock.now()
    reason = str(_("Overdue: escalated automatically."))
    try:
        with transaction.atomic():
            cases = [
                case
                for case in Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .filter(pk__in=list(seen))
                .order_by("pk")
                if case.escalation_level == seen[case.pk] and needs_escalation(case, now)
            ]
            targets = _escalation_targets(cases)
            cases = [case for case in cases if targets.get(case.pk) is not None]
            by_level: dict[int, list[int]] = {}
            for case in cases:
                by_level.setdefault(case.escalation_level, []).append(case.pk)
            for level, ids in by_level.items():
                claimed = Case.objects.filter(pk__in=ids, escalation_level=level).update(
                    escalation_level=level + 1, escalated_at=now, updated_at=now
                )
                if claimed != len(ids):
                    raise _Contended
            for case in cases:
                case.escalation_level += 1
                case.escalated_at = case.updated_at = now
            _record_system_events(
                cases,
                kind=EventKind.ESCALATED,
                at=now,
                note=reason,
                data=lambda case: {
                    "level": case.escalation_level,
                    "to": targets[case.pk].code,
                    "overdue": True,
                },
            )
    except _Contended:  # only where rows cannot be locked (SQLite): the next sweep retries
        return []
    return cases


def _escalation_targets(cases: Sequence[Case]) -> dict[int, Area | None]:
    """`escalation_target` of each case's next level, the areas read in one query."""
    wanted = {case.pk: _target_code(case, case.escalation_level + 1) for case in cases}
    areas: dict[str, Area] = {}
    for area in Area.objects.active().filter(code__in={c for c in wanted.values() if c}):
        areas.setdefault(area.code, area)  # as `.first()`: the first by path
    return {pk: areas.get(code) if code else None for pk, code in wanted.items()}


def warn_cases(case_ids: Sequence[int]) -> list[Case]:
    """The system's notice that most of each case's time limit has passed (WARN_AT of it),
    once per limit, for many cases in one transaction (the sweep): the cases warned.

    Each case is locked (SKIP LOCKED: one another sweep holds is left to it), re-checked and
    claimed by an update conditional on `warned_at` still being empty, so two sweeps at once
    warn once.
    """
    now = clock.now()
    try:
        with transaction.atomic():
            cases = []
            for case in (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .filter(pk__in=list(case_ids), warned_at__isnull=True, due_at__isnull=False)
                .order_by("pk")
            ):
                if case.is_open and now >= warning_time(case):
                    cases.append(case)
            ids = [case.pk for case in cases]
            claimed = Case.objects.filter(
                pk__in=ids, warned_at__isnull=True, status__in=OPEN_STATUSES
            ).update(warned_at=now)
            if claimed != len(ids):
                raise _Contended
            for case in cases:
                case.warned_at = now
            _record_system_events(
                cases,
                kind=EventKind.WARNED,
                at=now,
                data=lambda case: {"due_at": case.due_at.isoformat()},
            )
    except _Contended:  # only where rows cannot be locked (SQLite): the next sweep retries
        return []
    return cases


def record_possible_duplicates(*, case_id: int, duplicates: Sequence[Case]) -> CaseEvent | None:
    """The duplicate check's finding: an internal note naming open cases nearby (system)."""
    if not duplicates:
        return None
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return None
        if case.events.filter(kind=EventKind.NOTE, data__has_key="possible_duplicates").exists():
            return None  # already checked: the task is idempotent
        ids = [d.tracking_id for d in duplicates]
        event = _record(
            case,
            kind=EventKind.NOTE,
            actor=None,
            from_status=case.status,
            note=_("Possible duplicate of %(ids)s.") % {"ids": join_list(ids)},
            audience=Audience.INTERNAL,
            data={"possible_duplicates": ids},
        )
        events.case_changed_on_commit(case, event)
    return event


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
        if not _within_reopen_window(case):
            raise InvalidTransition(
                _("A case can be reopened within %(days)d days of closing.")
                % {"days": settings.GOVERNANCE["REOPEN_WINDOW_DAYS"]}
            )
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
    return case


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


def add_note(
    *,
    case_id: int,
    actor: Person,
    text: str,
    audience: Audience | str = Audience.REPORTER,
    files: Sequence[UploadedFile] = (),
) -> Case:
    """Add information (the reporter) or a note (staff: for staff only, or for the reporter too).

    A note is never published: what the public reads is a staff member's deliberate public
    summary (`resolve_case`, `verify_and_close_case`), never anyone's note.
    """
    text = _text(text, "text", required=True)
    if audience not in NOTE_AUDIENCES:
        raise InvalidInput({"audience": [_("A note is for staff only or for the reporter.")]})
    audience = Audience(audience)
    with _atomic_with_files() as saved:
        case, _rule = _locked(case_id, name="note", actor=actor)
        if case.reporter_id == getattr(actor, "pk", None) and not may(actor, Action.REPORT, case):
            audience = Audience.REPORTER  # a reporter's information is on their own timeline
        cleaned = _clean_files(files, already=case.attachments.count())
        case.updated_at = clock.now()
        case.save(update_fields=["updated_at"])
        event = _record(
            case,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=case.status,
            note=text,
            audience=audience,
        )
        _store_files(saved, case=case, event=event, files=cleaned, actor=actor)
        events.case_changed_on_commit(case, event)
    return case
