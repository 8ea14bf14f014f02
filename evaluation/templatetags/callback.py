"""The callback's parts of other apps' pages: the staff case page (the answer, or the form
for an answer given by phone; the review of a "not resolved" answer past the reopen window)
and the reporter's request page (the link to answer)."""

from __future__ import annotations

from django import template

from evaluation.callback import answering, reviewing
from evaluation.callback.forms import PhoneAnswerForm, ReviewForm
from governance.models import Case, CaseEvent, EventKind

register = template.Library()


def _answer_of(case: Case) -> CaseEvent | None:
    return CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK).first()


@register.inclusion_tag("evaluation/_callback_staff.html", takes_context=True)
def callback_staff_panel(context: template.Context, case: Case) -> dict[str, object]:
    request = context["request"]
    answer = _answer_of(case)
    may_record = (
        answer is None
        and answering.answerable(case)
        and answering.may_record_by_phone(request.user, case.pk)
    )
    review = may_conclude = None
    if answer is not None and answer.data.get("review"):
        review = CaseEvent.objects.filter(case=case, kind=EventKind.REVIEWED).first()
        may_conclude = review is None and reviewing.may_review(request.user, case)
    return {
        "case": case,
        "answer": answer,
        "form": PhoneAnswerForm() if may_record else None,
        "review": review,
        "review_form": ReviewForm() if may_conclude else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("evaluation/_callback_reporter.html")
def callback_reporter_panel(case: Case) -> dict[str, object]:
    answer = _answer_of(case)
    return {
        "case": case,
        "answer": answer,
        "open": answer is None and answering.answerable(case),
    }
