"""Finding cases by what a caller quotes: a tracking id (whole or its start), words of the
address or description, or the reporter's phone.

A search is never an oracle for personal data: the phone, and the address and description of
a category whose location is personal data, are matched only on the cases where the person
may see personal data (`Action.SEE_PERSONAL_DATA`); elsewhere they match nothing, so the
result is the same as if the person had never typed them. The caller narrows `cases_for`
with `search_condition` and logs the rows matched on personal data (`log_search_matches`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.db.models.lookups import Contains

from governance.access import Action, Person, case_filter
from governance.models import Case
from governance.privacy import ADDRESS_FIELD, DESCRIPTION_FIELD, log_showings

MAX_LENGTH = 100
TRACKING_ID = re.compile(r"\d{6}-[0-9A-Z]{6}")
_TRACKING_PREFIX = re.compile(r"\d{2,6}(-[0-9A-Z]{0,6})?|\d{6}-[0-9A-Z]{1,6}")
_PHONE = re.compile(r"[+\d][\d\s()-]{3,}")
MIN_PHONE_DIGITS = 4
# The columns `annotate_matches` adds: whether the row was found by personal data.
BY_PHONE = "found_by_phone"
BY_PRIVATE_TEXT = "found_by_private_text"


def normalised(text: str) -> str:
    """The search text as typed, trimmed and cut to `MAX_LENGTH`."""
    return " ".join((text or "").split())[:MAX_LENGTH]


def exact_tracking_id(text: str) -> str | None:
    """The tracking id `text` is, whole (any case, spaces around), else None."""
    candidate = normalised(text).upper()
    return candidate if TRACKING_ID.fullmatch(candidate) else None


def _phone_digits(text: str) -> str:
    if not _PHONE.fullmatch(text):
        return ""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _personal(user: Person) -> Q:
    return case_filter(user, Action.SEE_PERSONAL_DATA)


def _phone_match(user: Person, text: str) -> Q:
    digits = _phone_digits(text)
    if not digits:
        return Q(pk__in=[])
    # Stored phones may hold spaces ("138 0000 0001"); compare digits with digits.
    stored = Replace(F("contact__phone"), Value(" "), Value(""))
    return Q(Contains(stored, digits)) & _personal(user)


def _private_text_match(user: Person, text: str) -> Q:
    return (
        (Q(address__icontains=text) | Q(description__icontains=text))
        & Q(category__private_location=True)
        & _personal(user)
    )


def search_condition(user: Person, text: str) -> Q:
    """The cases `text` finds for `user` (to narrow `cases_for(user, …)`, never to replace it)."""
    text = normalised(text)
    if not text:
        return Q()
    condition = (Q(address__icontains=text) | Q(description__icontains=text)) & Q(
        category__private_location=False
    )
    if _TRACKING_PREFIX.fullmatch(text.upper()):
        condition |= Q(tracking_id__startswith=text.upper())
    condition |= _phone_match(user, text)
    condition |= _private_text_match(user, text)
    return condition


def _column(condition: Q) -> ExpressionWrapper | Value:
    if condition == Q(pk__in=[]):
        return Value(False, output_field=BooleanField())
    if not condition:
        return Value(True, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def annotate_matches(cases: QuerySet[Case], user: Person, text: str) -> QuerySet[Case]:
    """`cases` with two columns saying which rows were found by personal data (no query)."""
    text = normalised(text)
    if not text:
        return cases
    return cases.annotate(
        **{
            BY_PHONE: _column(_phone_match(user, text)),
            BY_PRIVATE_TEXT: _column(_private_text_match(user, text)),
        }
    )


def log_search_matches(user: Person, cases: Iterable[Case], *, via: str) -> None:
    """Log, in one INSERT, every shown row that the search found by personal data: the person
    learnt that the phone (or the private address or description) belongs to that case."""
    showings = []
    for case in cases:
        fields = []
        if getattr(case, BY_PHONE, False):
            fields.append("phone")
        if getattr(case, BY_PRIVATE_TEXT, False):
            fields += [ADDRESS_FIELD, DESCRIPTION_FIELD]
        if fields:
            showings.append((case, fields))
    log_showings(user, showings, via=via)
