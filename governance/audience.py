"""Who may read a text or a file: internal staff, the reporter, or the public.

Every note, answer, photo and field has one audience. `internal` is staff permitted on the
case; `reporter` is the citizen who filed it (and internal); `public` is everyone (public
pages, Open311, the live feed, open-data exports). A private-location case is never public
beyond its category, status, dates and a rounded point, whatever a text's own audience says.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Attachment, Case, CaseEvent


class Audience(models.TextChoices):
    INTERNAL = "internal", _("staff only")
    REPORTER = "reporter", _("staff and the reporter")
    PUBLIC = "public", _("everyone (public)")


RANK = {Audience.INTERNAL: 0, Audience.REPORTER: 1, Audience.PUBLIC: 2}


def case_ceiling(case: Case) -> Audience:
    """The widest audience anything on `case` may reach."""
    return Audience.REPORTER if case.category.private_location else Audience.PUBLIC


def narrowest(*audiences: Audience) -> Audience:
    return min(audiences, key=RANK.__getitem__)


def event_audience(event: CaseEvent) -> Audience:
    """The audience of a timeline entry's note and files (capped by its case)."""
    own = Audience.REPORTER if event.public else Audience.INTERNAL
    return narrowest(own, case_ceiling(event.case))


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
