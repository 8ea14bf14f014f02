"""What every change shares: cleaning text and files, the row lock and the state check,
writing the timeline entry, and the sweep's batches of system entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock, events
from governance.access import Action, Person, may
from governance.attachments import MAX_PER_CASE, CleanFile, clean_upload
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import Attachment, Audience, Case, CaseEvent, EventKind
from governance.workflow.rules import ACTION_LABELS, DONE_LABELS, Rule, rule_for


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


def _note_entry(
    case: Case,
    *,
    actor: Person | None,
    text: str,
    audience: Audience,
    data: dict[str, Any],
) -> CaseEvent:
    """A note on the case's timeline in its current state (it does not move the case), and
    its side effects after commit."""
    event = _record(
        case,
        kind=EventKind.NOTE,
        actor=actor,
        from_status=case.status,
        note=text,
        audience=audience,
        data=data,
    )
    events.case_changed_on_commit(case, event)
    return event


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
