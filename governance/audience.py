"""Who may read a text or a file: internal staff, the reporter, or the public.

Every note, answer, photo and field has one audience. `internal` is staff permitted on the
case; `reporter` is the citizen who filed it (and internal); `public` is everyone (public
pages, Open311, the live feed, open-data exports). A private-location case is never public
beyond its category, status, dates and a rounded point, whatever a text's own audience says.
"""

from __future__ import annotations

from governance.models import Attachment, Audience, Case, CaseEvent

__all__ = [
    "Audience",
    "attachment_audience",
    "case_ceiling",
    "event_audience",
    "file_audience",
    "narrowest",
    "reaches",
    "text_audience",
]

RANK = {Audience.INTERNAL: 0, Audience.REPORTER: 1, Audience.PUBLIC: 2}


def ceiling(*, private_location: bool) -> Audience:
    """The widest audience anything on a case of such a category may reach."""
    return Audience.REPORTER if private_location else Audience.PUBLIC


def case_ceiling(case: Case) -> Audience:
    """The widest audience anything on `case` may reach."""
    return ceiling(private_location=case.category.private_location)


def narrowest(*audiences: Audience | str) -> Audience:
    return min((Audience(a) for a in audiences), key=RANK.__getitem__)


def text_audience(own: Audience | str, *, private_location: bool) -> Audience:
    """A text's own audience capped by its case: the rule for rows read without models."""
    return narrowest(own, ceiling(private_location=private_location))


def file_audience(event_audience: Audience | str | None, *, private_location: bool) -> Audience:
    """A file on an event has the event's audience; a file filed with the case, the case's."""
    own = Audience.PUBLIC if event_audience is None else event_audience
    return text_audience(own, private_location=private_location)


def event_audience(event: CaseEvent) -> Audience:
    """The audience of a timeline entry's note and files (capped by its case)."""
    return text_audience(event.audience, private_location=event.case.category.private_location)


def attachment_audience(attachment: Attachment) -> Audience:
    """A file on an event has the event's audience; a file filed with the case, the case's."""
    if attachment.event_id is not None:
        return event_audience(attachment.event)
    return case_ceiling(attachment.case)


def reaches(audience: Audience, *, internal: bool, reporter: bool) -> bool:
    """Whether someone (staff permitted on the case, and/or its reporter) is in `audience`."""
    if internal or audience == Audience.PUBLIC:
        return True
    return reporter and audience == Audience.REPORTER
