"""Validating the answers to a category's extra questions (Open311 attributes)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from governance.inputs import BadInput, checked_moment, parse_moment
from governance.models import Category, Datatype, Question
from governance.reference import questions_of

MAX_TEXT = {Datatype.STRING: 200, Datatype.TEXT: 4000}


def _clean_one(question: Question, value: Any) -> Any:
    kind = question.datatype
    if kind in (Datatype.STRING, Datatype.TEXT):
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."))
        value = value.strip()
        if len(value) > MAX_TEXT[kind]:
            raise ValidationError(_("At most %(n)d characters.") % {"n": MAX_TEXT[kind]})
        return value
    if kind == Datatype.NUMBER:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a number.")) from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise ValidationError(_("Enter a number."))
        return int(number) if number.is_integer() else number
    if kind == Datatype.DATETIME:
        try:
            if isinstance(value, datetime):
                checked_moment(value)
                return value.isoformat()
            if isinstance(value, str):
                parse_moment(value, date_alone=False)  # refuses impossible or out-of-range
                return parse_datetime(value.strip()).isoformat()
        except BadInput:
            pass
        raise ValidationError(_("Enter a date and time such as 2026-05-01T09:30."))
    keys = {str(v["key"]) for v in question.values}
    if kind == Datatype.SINGLE:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str | int) or str(value) not in keys:
            raise ValidationError(_("Choose one of the offered values."))
        return str(value)
    # multivaluelist
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str | int) and str(v) in keys for v in items):
        raise ValidationError(_("Choose among the offered values."))
    return sorted({str(v) for v in items})


def clean_answers(category: Category, answers: dict[str, Any] | None) -> dict[str, Any]:
    """Answers keyed by question code, typed; unknown codes and missing required ones refused."""
    if answers is not None and not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Answers are given per question code.")]})
    answers = dict(answers or {})
    questions = {q.code: q for q in questions_of(category.pk)}
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(code) for code in answers if code not in questions)
    if unknown:
        errors["answers"] = [_("Unknown questions: %(codes)s.") % {"codes": ", ".join(unknown)}]
    cleaned: dict[str, Any] = {}
    for code, question in questions.items():
        value = answers.get(code)
        if value is None or value == "" or value == []:
            if question.required:
                errors[f"answers.{code}"] = [_("This question must be answered.")]
            continue
        try:
            cleaned[code] = _clean_one(question, value)
        except ValidationError as error:
            errors[f"answers.{code}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned
