"""The callback's pages: the answer page of a one-time link (no account needed), the same
questions on the reporter's own request, the staff form for an answer given by phone, and the
supervisor's review of a "not resolved" answer past the reopen window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evaluation.callback import answering, links, reviewing
from evaluation.callback.forms import AnswerForm, PhoneAnswerForm, ReviewForm
from governance.access import Action, cases_for, holder_or_user
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import Case
from governance.web.common import apply_errors


def _ended(request: HttpRequest, case: Case | None, *, why: str) -> HttpResponse:
    """A link that cannot answer (any more): says why, never a dead end."""
    status = 404 if why == "unknown" else 410
    return render(
        request, "evaluation/callback_ended.html", {"case": case, "why": why}, status=status
    )


@require_http_methods(["GET", "POST"])
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks the questions (a mail scanner fetching the link spends nothing); POST answers
    once. Used, expired or unknown: a clear page, nothing recorded."""
    found = links.state(token)
    if found.link is None:
        return _ended(request, None, why="unknown")
    case = found.link.request.case
    if found.answered or answering.is_answered(case):
        return _ended(request, case, why="answered")
    if found.expired:
        return _ended(request, case, why="expired")
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = answering.callback_answer_by_link(token=token, **form.answers())
        except answering.AlreadyAnswered:
            return _ended(request, case, why="answered")
        except answering.LinkEnded:
            return _ended(request, case, why="expired")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            return render(request, "evaluation/callback_thanks.html", _thanks(case, answer))
    status = 400 if form.errors else 200
    return render(
        request, "evaluation/callback_answer.html", {"case": case, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def answer_own(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """The same questions on the reporter's own request (signed in, or holding it)."""
    person = holder_or_user(request.user, request.session)
    case = cases_for(person, Action.OWN).filter(tracking_id=tracking_id).first()
    if case is None:
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        raise Http404
    if answering.is_answered(case):
        return _ended(request, case, why="answered")
    if not answering.answerable(case):
        raise Http404
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = answering.callback_answer_by_reporter(
                case_id=case.pk, actor=person, **form.answers()
            )
        except answering.AlreadyAnswered:
            return _ended(request, case, why="answered")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            return render(request, "evaluation/callback_thanks.html", _thanks(case, answer))
    status = 400 if form.errors else 200
    return render(
        request,
        "evaluation/callback_answer.html",
        {"case": case, "form": form, "own": True},
        status=status,
    )


@login_required
@require_POST
def answer_by_phone(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """Staff record the answer the reporter gave on the phone (from the case page)."""

    def record(case: Case, form: PhoneAnswerForm) -> str:
        answer = answering.callback_answer_by_phone(
            case_id=case.pk, actor=request.user, **form.answers()
        )
        return _outcome_message(answer.outcome)

    return _staff_form(
        request,
        tracking_id,
        PhoneAnswerForm(request.POST),
        record,
        "evaluation/callback_phone.html",
    )


@login_required
@require_POST
def conclude_review(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """A supervisor concludes the review of a "not resolved" answer (from the case page)."""

    def conclude(case: Case, form: ReviewForm) -> str:
        reopen = form.cleaned_data["decision"] == "reopen"
        reviewing.conclude_review(
            case_id=case.pk, actor=request.user, reopen=reopen, reason=form.cleaned_data["reason"]
        )
        if reopen:
            return _("Reviewed: the case is reopened and will be handled again.")
        return _("Reviewed: the case stays closed; the reporter can read your reason.")

    return _staff_form(
        request, tracking_id, ReviewForm(request.POST), conclude, "evaluation/callback_review.html"
    )


def _staff_form(
    request: HttpRequest,
    tracking_id: str,
    form: Form,
    act: Callable[[Case, Any], str],
    template: str,
) -> HttpResponse:
    """A staff form posted from the case page: back to the case with the outcome, the form
    again with its errors (400), the refusal (403), or 404 for a case the person cannot see."""
    found = cases_for(request.user, Action.VIEW, as_staff=True).filter(tracking_id=tracking_id)
    case = found.first()
    if case is None:
        raise Http404
    if form.is_valid():
        try:
            done = act(case, form)
        except NotPermitted as error:
            return render(
                request, "governance/refused.html", {"message": error.message}, status=403
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("governance:case", tracking_id=case.tracking_id)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("governance:case", tracking_id=case.tracking_id)
    return render(request, template, {"case": case, "form": form}, status=400)


def _login_url() -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def _thanks(case: Case, answer: answering.Answer) -> dict[str, object]:
    return {"case": case, "outcome": answer.outcome, "message": _outcome_message(answer.outcome)}


def _outcome_message(outcome: str) -> str:
    if outcome == answering.Outcome.REOPENED:
        return _("The answer is recorded, and the case is reopened: it will be handled again.")
    if outcome == answering.Outcome.REVIEW:
        return _(
            "The answer is recorded. The case closed too long ago to reopen, so a supervisor "
            "will review it."
        )
    return _("The answer is recorded. Thank you.")
