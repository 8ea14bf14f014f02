"""The notices' pages: the one-tap answer page of a personal link (no sign-in: the token is the
key), the officer's "my notices" phone page, the live roll-call, and the resident's opt-in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from emergency import answering, residents, rollcall
from emergency.models import Notice, Recipient
from emergency.notice_access import Names, may_view_notice
from governance.errors import InvalidInput
from governance.models import Area
from governance.web.common import map_settings


def _choices(notice: Notice) -> list[tuple[str, str]]:
    return [(option, rollcall.option_label(option)) for option in notice.answer_options()]


def recipient_context(recipient: Recipient) -> dict:
    """What the answer buttons (`_answer_buttons.html`) need for one recipient."""
    notice = recipient.notice
    return {
        "recipient": recipient,
        "notice": notice,
        "choices": _choices(notice),
        "answer_label": rollcall.option_label(recipient.answer) if recipient.answer else "",
    }


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the notice and marks it reached; POST answers (once: a second tap shows the
    answer recorded first). Unknown token: 404."""
    try:
        recipient = answering.open_notice(token)
    except answering.UnknownToken:
        raise Http404 from None
    status = 200
    error = ""
    if request.method == "POST":
        try:
            result = answering.answer(
                token, request.POST.get("answer", ""), request.POST.get("note", "")
            )
        except InvalidInput as problem:
            error, status = problem.message, 400
        else:
            recipient = result.recipient
            if result.recorded:
                messages.success(request, _("Thank you: your answer is recorded."))
            else:
                messages.info(request, _("You had already answered; that answer stands."))
            if request.POST.get("next") == "mine" and request.user == recipient.user:
                return redirect("emergency:my_notices")
            return redirect("emergency:answer", token=token)
    return render(
        request,
        "emergency/answer.html",
        {**recipient_context(recipient), "error": error},
        status=status,
    )


@login_required
@require_GET
def my_notices(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notices, newest first, each with its one-tap answers."""
    rows = (
        Recipient.objects.filter(user=request.user)
        .select_related("notice__incident")
        .order_by("-notice__sent_at", "-pk")[:50]
    )
    return render(
        request, "emergency/my_notices.html", {"items": [recipient_context(r) for r in rows]}
    )


def _viewable(request: HttpRequest, notice_id: int) -> Notice:
    notice = get_object_or_404(Notice.objects.select_related("incident"), pk=notice_id)
    if not may_view_notice(request.user, notice):
        raise Http404  # a notice the person may not follow is one they never heard of
    return notice


@login_required
@require_GET
def rollcall_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _viewable(request, notice_id)
    names = Names(request.user, notice)
    area = request.GET.get("area", "")
    within = Area.objects.filter(pk=int(area)).first() if area.isdigit() else None
    context = rollcall.summary(notice, within=within)
    context.update(
        names=bool(names),
        people=[
            {"recipient": r, "answer_label": rollcall.option_label(r.answer) if r.answer else ""}
            for r in rollcall.people(notice, names, within=within)
        ],
        people_shown=rollcall.PEOPLE_SHOWN,
    )
    return render(request, "emergency/rollcall.html", context)


@login_required
@require_GET
def rollcall_data(request: HttpRequest, notice_id: int) -> JsonResponse:
    """The counts as JSON: the page's script reads them again when its socket reconnects."""
    notice = _viewable(request, notice_id)
    area = request.GET.get("area", "")
    within = Area.objects.filter(pk=int(area)).first() if area.isdigit() else None
    return JsonResponse(rollcall.as_json(rollcall.summary(notice, within=within)))


class ResidenceForm(forms.Form):
    address = forms.CharField(label=gettext_lazy("Home address"), max_length=200)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)


@login_required
@require_http_methods(["GET", "POST"])
def residence(request: HttpRequest) -> HttpResponse:
    """Opt in to emergency notices where one lives (or out: `leave`)."""
    enrolment = residents.enrolment_of(request.user)
    if request.method == "POST" and request.POST.get("leave"):
        residents.leave(user=request.user)
        messages.success(request, _("You will no longer receive emergency notices for your home."))
        return redirect("emergency:residence")
    initial = (
        {"address": enrolment.address, "lat": enrolment.lat, "lon": enrolment.lon}
        if enrolment
        else None
    )
    form = ResidenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            residents.enrol(user=request.user, **form.cleaned_data)
        except InvalidInput as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("You will receive emergency notices for your home."))
            return redirect("emergency:residence")
    return render(
        request,
        "emergency/residence.html",
        {"form": form, "enrolment": enrolment, "map": map_settings()},
        status=400 if form.errors else 200,
    )
