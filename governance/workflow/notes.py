"""Entries that do not move a case: notes, staff's public summaries, the duplicate
check's finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock, events
from governance.access import Action, Person, may
from governance.errors import InvalidInput
from governance.language import join_list
from governance.models import Audience, Case, CaseEvent, EventKind
from governance.workflow.recording import (
    _atomic_with_files,
    _clean_files,
    _locked,
    _note_entry,
    _record,
    _store_files,
    _text,
)

PUBLIC_SUMMARY_LIMIT = 500  # a public summary is short and deliberate
NOTE_AUDIENCES = (Audience.INTERNAL, Audience.REPORTER)  # a note is never published


def _publish_summary(case: Case, *, actor: Person, text: str) -> None:
    """A staff member's deliberate public text: the only entry whose audience is public (a
    private-location case caps it at the reporter: `audience.event_audience`)."""
    if not text:
        return
    _note_entry(
        case, actor=actor, text=text, audience=Audience.PUBLIC, data={"public_summary": True}
    )


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
        event = _note_entry(
            case,
            actor=None,
            text=_("Possible duplicate of %(ids)s.") % {"ids": join_list(ids)},
            audience=Audience.INTERNAL,
            data={"possible_duplicates": ids},
        )
    return event


def add_system_note(
    *, case_id: int, text: str, data: dict[str, Any], audience: Audience = Audience.INTERNAL
) -> CaseEvent | None:
    """An entry written by the platform itself, not a person: a sensor's alarm tripping again
    or clearing on the case it opened. Internal unless told otherwise; None if the case is gone.
    """
    text = _text(text, "text", required=True)
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return None
        case.updated_at = clock.now()
        case.save(update_fields=["updated_at"])
        return _note_entry(case, actor=None, text=text, audience=audience, data=data)


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
