"""Who may open a case's file, and the one address every file is opened at.

A file has the audience of its note or case (`governance.audience.attachment_audience`):
staff permitted to view the case open any file; its reporter opens the files meant for the
reporter or the public; anyone else, signed in or not, only the public files of cases the
public may see. Every page, the API and Open311 link files through `attachment_url`, which
points at the one serving view (`governance:attachment`); nothing under MEDIA_URL is served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

from governance import audience
from governance.access import Action, Person, cases_for, permitted
from governance.addresses import absolute
from governance.models import Attachment, Case, EventKind

OPEN_ACTIONS = frozenset({Action.VIEW, Action.REPORT})


def _opener(user: Person, case: Case) -> Callable[[Attachment], bool]:
    """A test of one file of `case` for `user` (the permission read once for all its files)."""
    allowed = permitted(user, case, OPEN_ACTIONS) if user.is_authenticated else frozenset()
    is_reporter = user.is_authenticated and case.reporter_id == user.pk
    staff = Action.VIEW in allowed and (not is_reporter or Action.REPORT in allowed)
    public_case: list[bool] = []  # read once, when first needed

    def may(attachment: Attachment) -> bool:
        _share_case(attachment, case)
        if staff:
            return True
        heard = audience.attachment_audience(attachment)
        if is_reporter and audience.reaches(heard, internal=False, reporter=True):
            return True
        if heard != audience.Audience.PUBLIC:
            return False
        if not public_case:
            public_case.append(
                cases_for(AnonymousUser(), Action.PUBLIC).filter(pk=case.pk).exists()
            )
        return public_case[0]

    return may


def _share_case(attachment: Attachment, case: Case) -> None:
    """Point `attachment` and its event at the one `case` row: no query per file for the
    category its audience reads."""
    attachment.case = case
    if attachment.event_id is not None:
        attachment.event.case = case


def may_open(user: Person, attachment: Attachment) -> bool:
    """Whether `user` may open `attachment` (the same rule as its note or case)."""
    return _opener(user, attachment.case)(attachment)


def openable(user: Person, case: Case, attachments: Iterable[Attachment]) -> list[Attachment]:
    """The ones of `case`'s `attachments` that `user` may open (a page lists only these)."""
    may = _opener(user, case)
    shown = []
    for attachment in attachments:
        if may(attachment):
            shown.append(attachment)
    return shown


def public_attachments(attachments: Iterable[Attachment]) -> list[Attachment]:
    """The ones of `attachments` that anyone may open (Open311's media): public files of
    cases the public may see, read in one query whatever the number of cases."""
    rows = list(attachments)
    for attachment in rows:
        _share_case(attachment, attachment.case)
    heard = [a for a in rows if audience.attachment_audience(a) == audience.Audience.PUBLIC]
    ids = {a.case_id for a in heard}
    public = cases_for(AnonymousUser(), Action.PUBLIC).filter(pk__in=ids) if ids else None
    shown = set(public.values_list("pk", flat=True)) if public is not None else set()
    return [a for a in heard if a.case_id in shown]


def attachment_url(attachment: Attachment, request: HttpRequest, *, thumbnail: bool = False) -> str:
    """The absolute address `attachment` (or its thumbnail) is served at, to those who may."""
    if thumbnail:
        path = reverse("governance:attachment_size", args=[attachment.pk, "thumb"])
    else:
        path = reverse("governance:attachment", args=[attachment.pk])
    return absolute(path, request)


@dataclass(frozen=True)
class ShownFile:
    """A file as a page links it: its absolute address, and its thumbnail's if it is a photo."""

    pk: int
    url: str
    thumbnail_url: str | None
    is_image: bool
    stage: str = ""  # BEFORE (the report's), AFTER (the fix's), or "" (anything else)


# The timeline entries whose photos show the problem, and those whose photos show the fix.
BEFORE_KINDS = frozenset({EventKind.SUBMITTED})
AFTER_KINDS = frozenset({EventKind.RESOLVED, EventKind.CLOSED})
BEFORE, AFTER = "before", "after"


def _stage(attachment: Attachment) -> str:
    kind = attachment.event.kind if attachment.event_id is not None else EventKind.SUBMITTED
    if kind in BEFORE_KINDS:
        return BEFORE
    return AFTER if kind in AFTER_KINDS else ""


def files_shown(request: HttpRequest, case: Case) -> list[ShownFile]:
    """The files of `case` that the person asking may open, as the case pages list them."""
    attachments = openable(request.user, case, case.attachments.select_related("event"))
    return [
        ShownFile(
            pk=a.pk,
            url=attachment_url(a, request),
            thumbnail_url=attachment_url(a, request, thumbnail=True) if a.thumbnail else None,
            is_image=a.is_image,
            stage=_stage(a),
        )
        for a in attachments
    ]


def before_and_after(files: list[ShownFile]) -> tuple[list[ShownFile], list[ShownFile]]:
    """Of `files` (`files_shown`), the photos of the report and those of the fix (resolution
    and verification), to set side by side; empty unless both have at least one."""
    before = [f for f in files if f.is_image and f.stage == BEFORE]
    after = [f for f in files if f.is_image and f.stage == AFTER]
    return (before, after) if before and after else ([], [])
