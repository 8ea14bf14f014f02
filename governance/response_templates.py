"""Response templates: prepared texts for the staff fields of a case's action forms.

Administrators keep them (title, Chinese and English text, a category or all, an action or
any, the audience they are written for). `offered` is the one place that decides which fit a
field: the case's category and the action, and an audience at least as wide as the field's
readers — a text written for staff only is never offered where the reporter or the public
will read it (an internal template never into a public summary). Its text is taken in the
reporter's language when the case has a reporter account, else in the page's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from governance.audience import RANK
from governance.models import Audience, Case, ResponseTemplate

# Who reads each text field of the staff action forms (action, field) → audience. Dispatch
# instructions and staff notes are internal by default (their form lets the writer widen it).
FIELD_AUDIENCES: dict[tuple[str, str], Audience] = {
    ("file", "note"): Audience.REPORTER,
    ("reject", "reason"): Audience.REPORTER,
    ("reject", "public_summary"): Audience.PUBLIC,
    ("merge", "note"): Audience.REPORTER,
    ("dispatch", "note"): Audience.INTERNAL,
    ("start", "note"): Audience.REPORTER,
    ("resolve", "note"): Audience.REPORTER,
    ("resolve", "public_summary"): Audience.PUBLIC,
    ("close", "note"): Audience.REPORTER,
    ("close", "public_summary"): Audience.PUBLIC,
    ("rework", "reason"): Audience.REPORTER,
    ("escalate", "reason"): Audience.INTERNAL,
    ("note", "text"): Audience.INTERNAL,
    ("route", "note"): Audience.INTERNAL,
}


@dataclass(frozen=True)
class Offered:
    pk: int
    title: str
    text: str


def fits(template_audience: Audience | str, field_audience: Audience | str) -> bool:
    """Whether a text written for `template_audience` may go where `field_audience` reads:
    its own readers must include everyone who will read the field."""
    return RANK[Audience(template_audience)] >= RANK[Audience(field_audience)]


def case_language(case: Case, page_language: str) -> str:
    """The language to take a template's text in: the reporter's, when they have an account."""
    reporter = case.reporter if case.reporter_id else None
    return getattr(reporter, "preferred_language", "") or page_language


def candidates(case: Case, actions: list[str]) -> list[ResponseTemplate]:
    """The active templates for `case`'s category (or all) and any of `actions` (or any): one
    query for a whole case page."""
    return list(
        ResponseTemplate.objects.filter(
            Q(category__isnull=True) | Q(category_id=case.category_id),
            Q(action="") | Q(action__in=actions),
            active=True,
        )
    )


def offered(
    templates: list[ResponseTemplate], *, action: str, field: str, language: str
) -> list[Offered]:
    """Of `templates` (`candidates`), those that fit field `field` of action `action`."""
    audience = FIELD_AUDIENCES.get((action, field))
    if audience is None:
        return []
    return [
        Offered(t.pk, t.title, t.text_in(language))
        for t in templates
        if t.action in ("", action) and fits(t.audience, audience)
    ]


def offered_for(case: Case, *, action: str, field: str, language: str) -> list[Offered]:
    """`offered` for one field, read from the database (the no-script insert)."""
    return offered(candidates(case, [action]), action=action, field=field, language=language)
