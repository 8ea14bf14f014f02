"""Parsing what a request says, the one way: whole numbers, dates, date-times and JSON bodies.

Each parser refuses what Python would accept but the rest of the system cannot carry:

- whole numbers in ASCII digits only (`str.isdigit()` and `int()` accept `²` and `٣`);
- dates and date-times inside `EARLIEST`..`LATEST`, so that shifting one by a time zone or by
  the longest range any filter adds (a year) never leaves what `datetime` and the databases
  represent (year 1 or 9999 overflowed in the exports and Open311);
- JSON no deeper than `MAX_JSON_DEPTH` (100,000 nested brackets exhausted the recursion limit).

Callers turn `BadInput` into their own refusal shape (form error, API 400, Open311 error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

EARLIEST = date(1000, 1, 1)
LATEST = date(9000, 12, 31)
MAX_JSON_DEPTH = 32
_ASCII_WHOLE = re.compile(r"[0-9]{1,18}")


class BadInput(ValueError):
    """The value cannot be used; `message` says why, in words for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def whole_number(value: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer written in ASCII digits (an optional leading minus only if minimum < 0)."""
    text = value.strip() if isinstance(value, str) else str(value)
    negative = text.startswith("-") and minimum is not None and minimum < 0
    digits = text[1:] if negative else text
    if not _ASCII_WHOLE.fullmatch(digits):
        raise BadInput(_("Enter a whole number in the digits 0–9."))
    number = -int(digits) if negative else int(digits)
    if minimum is not None and number < minimum:
        raise BadInput(_("Enter a number of at least %(n)d.") % {"n": minimum})
    if maximum is not None and number > maximum:
        raise BadInput(_("Enter a number of at most %(n)d.") % {"n": maximum})
    return number


def optional_id(value: object) -> int | None:
    """A row id from a query or form value; None when it is missing or not a plain number."""
    if value in (None, ""):
        return None
    try:
        return whole_number(value, minimum=1, maximum=2**63 - 1)
    except BadInput:
        return None


def _within_range(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise BadInput(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
        )


def checked_date(day: date) -> date:
    """`day` itself when it lies in the range every date filter can shift safely."""
    _within_range(day)
    return day


def checked_moment(moment: datetime) -> datetime:
    """`moment`, made aware in the current time zone if naive, when it lies in the range
    (both its own date and its date in UTC, where the databases keep it); expressed in the
    current time zone, so an offset no place uses (ISO allows up to ±23:59, PostgreSQL takes
    ±15:59) reaches the database as the same instant in a zone it knows."""
    _within_range(moment.date())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    _within_range(moment.astimezone(UTC).date())
    return timezone.localtime(moment)


def parse_day(value: str) -> date:
    """An ISO date (YYYY-MM-DD) in the representable range."""
    try:
        day = parse_date(value.strip()) if value.isascii() else None
    except ValueError:  # well formed but impossible, e.g. month 13
        day = None
    if day is None:
        raise BadInput(_("Enter a date such as 2024-05-01."))
    return checked_date(day)


def parse_moment(value: str, *, date_alone: bool = True) -> datetime:
    """An ISO-8601 date-time (with or without an offset; naive means local time), or with
    `date_alone` a date meaning its local midnight; aware, in the representable range."""
    text = value.strip()
    try:
        if not text.isascii():  # the parsers' \d takes any script's digits
            raise ValueError(text)
        moment = parse_datetime(text)
        if moment is None and date_alone and len(text) == 10:
            day = parse_date(text)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadInput(_("Enter a date-time such as 2024-05-01T08:30:00+08:00."))
    return checked_moment(moment)


def _depth(document: Any) -> int:
    """How deeply lists and objects nest in a parsed document (without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_document(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON request body, refused when malformed (NaN and Infinity included: they are not
    JSON) or nested more than `max_depth` deep."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        document = None
        too_deep = True
    else:
        too_deep = _depth(document) > max_depth
    if too_deep:
        raise BadInput(
            _("The JSON is nested too deeply (at most %(n)d levels).") % {"n": max_depth}
        )
    return document


class DayField(forms.DateField):
    """A form's date, parsed by `parse_day` (so in range)."""

    def to_python(self, value: object) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.date()
        try:
            return checked_date(value) if isinstance(value, date) else parse_day(str(value))
        except BadInput as error:
            raise forms.ValidationError(error.message, code="invalid") from None


class MomentFormField(forms.DateTimeField):
    """A form's date-time, parsed by `parse_moment` (so in range and aware)."""

    def to_python(self, value: object) -> datetime | None:
        if value in self.empty_values:
            return None
        try:
            if isinstance(value, datetime):
                return checked_moment(value)
            return parse_moment(str(value))
        except BadInput as error:
            raise forms.ValidationError(error.message, code="invalid") from None


def length_errors(
    model: type[models.Model], values: Mapping[str, object], *, prefix: str = ""
) -> dict[str, list[str]]:
    """For each text value longer than its model field's `max_length`: the field's message.

    PostgreSQL refuses an over-long value with a 500 where SQLite silently stores it: checked
    here, both refuse it with the same 400 before anything is written.
    """
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            errors[prefix + name] = [_("At most %(n)d characters.") % {"n": limit}]
    return errors


def max_length(model: type[models.Model], name: str) -> int:
    """The model field's `max_length`, for a form or serializer field that fills it."""
    return model._meta.get_field(name).max_length


class LimitedJSONDecoder(json.JSONDecoder):
    """For form fields that take JSON (the admin's boundaries, question values, grant fields):
    too deep is "not valid JSON" like any malformed text, never a RecursionError."""

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        try:
            document = super().decode(s, *args, **kwargs)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", s, 0) from None
        if _depth(document) > MAX_JSON_DEPTH:
            raise json.JSONDecodeError("nested too deeply", s, 0)
        return document


JSON_FORM_FIELDS = {models.JSONField: {"decoder": LimitedJSONDecoder}}
"""`formfield_overrides` for every ModelAdmin (and inline) that edits a JSONField."""
