"""The notices' pages: the one-tap answer page of a personal link (no sign-in: the token is the
key), the officer's "my notices" phone page, the live roll-call, and the resident's opt-in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from emergency import answering, residents, revising, rollcall
from emergency.access import IncidentAction, held_paths, incidents_for
from emergency.models import (
    OPEN_STATUSES,
    Certainty,
    Incident,
    Notice,
    Recipient,
    Severity,
    Urgency,
)
from emergency.notice_access import Names, may_view_notice, notices_for
from emergency.notices import send_notice
from emergency.plans import tasks_for
from governance.errors import InvalidInput, NotPermitted
from governance.models import Area, Level, Role
from governance.web.common import apply_errors, is_staff_member, map_settings
from governance.web.limited import limit_posts


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
@limit_posts("notice_answer")
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
    """The signed-in person's notices, newest first, each with its one-tap answers; below
    them, for staff, their open plan tasks (the officer's one phone page in an emergency)."""
    rows = (
        Recipient.objects.filter(user=request.user)
        .select_related("notice__incident")
        .order_by("-notice__sent_at", "-pk")[:50]
    )
    tasks = []
    if is_staff_member(request.user):
        tasks = [
            task
            for task in tasks_for(request.user)
            .filter(feedback_at__isnull=True)
            .prefetch_related("owner_people")[:50]
            if task.activation.incident.is_open
        ]
        for task in tasks:
            task.may_feed_back = True
    return render(
        request,
        "emergency/my_notices.html",
        {"items": [recipient_context(r) for r in rows], "tasks": tasks},
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
        may_revise=revising.may_revise(request.user, notice),
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


class NoticeForm(forms.Form):
    """The sender's form: what to say, to whom (areas × roles, residents), which answers."""

    incident = forms.ModelChoiceField(
        label=gettext_lazy("Incident"), queryset=Incident.objects.none(), required=False
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    title_en = forms.CharField(label=gettext_lazy("English title"), max_length=200, required=False)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    body_en = forms.CharField(
        label=gettext_lazy("English text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    instruction = forms.CharField(
        label=gettext_lazy("What to do"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    instruction_en = forms.CharField(
        label=gettext_lazy("What to do (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    areas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Areas"), queryset=Area.objects.none(), required=False
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles in those areas"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    residents = forms.BooleanField(
        label=gettext_lazy("Residents who opted in, living in those areas"), required=False
    )
    options = forms.CharField(
        label=gettext_lazy(
            "Answers offered (one per line; empty: received / on my way / need help)"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    resend_after = forms.IntegerField(
        label=gettext_lazy("Send again after (minutes)"), initial=10, min_value=1, max_value=1440
    )
    resends = forms.IntegerField(
        label=gettext_lazy("Times to send again"), initial=1, min_value=0, max_value=5
    )
    public = forms.BooleanField(
        label=gettext_lazy("Also publish to the public (CAP alert feed)"),
        help_text=gettext_lazy(
            "Anyone may read it in the public alert feed; the fields below describe the alert."
        ),
        required=False,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=Severity.choices,
        initial=Severity.UNKNOWN,
        required=False,
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.UNKNOWN,
        required=False,
    )
    certainty = forms.ChoiceField(
        label=gettext_lazy("Certainty"),
        choices=Certainty.choices,
        initial=Certainty.UNKNOWN,
        required=False,
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        required=False,
    )

    # The fields shown together as the public alert's.
    CAP_FIELDS = ("public", "severity", "urgency", "certainty", "expires_at")

    def __init__(self, *args, user, incident: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents_for(user, IncidentAction.MANAGE).filter(
            status__in=OPEN_STATUSES
        )
        if incident.isdigit():  # the board links here with ?incident=<id>
            chosen = self.fields["incident"].queryset.filter(pk=int(incident)).first()
            if chosen is not None:
                self.initial["incident"] = chosen.pk
        areas = Area.objects.active().filter(level__lte=Level.COMMUNITY)
        if not user.is_superuser:
            held = Q(pk__in=[])
            for path in held_paths(user, IncidentAction.MANAGE):
                held |= Q(path__startswith=path)
            areas = areas.filter(held)
        self.fields["areas"].queryset = areas.order_by("path")

    def target(self) -> dict:
        data = self.cleaned_data
        return {
            "areas": [area.pk for area in data["areas"]],
            "roles": data["roles"],
            "residents": data["residents"],
        }

    def options_offered(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def message_fields(self):
        return [field for field in self if field.name not in self.CAP_FIELDS]

    def cap_fields(self):
        return [self[name] for name in self.CAP_FIELDS]


def may_send_any(user) -> bool:
    return user.is_superuser or bool(held_paths(user, IncidentAction.MANAGE))


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices the person may follow, newest first, each to its roll-call."""
    notices = notices_for(request.user).order_by("-sent_at", "-pk")[:100]
    if not notices and not may_send_any(request.user):
        raise Http404
    return render(
        request,
        "emergency/notices.html",
        {"notices": notices, "may_send": may_send_any(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    """Send a notice (to areas the person manages, or on an incident they manage)."""
    if not may_send_any(request.user):
        raise Http404
    form = NoticeForm(
        request.POST or None, user=request.user, incident=request.GET.get("incident", "")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = send_notice(
                sender=request.user,
                incident=data["incident"],
                title=data["title"],
                title_en=data["title_en"],
                body=data["body"],
                body_en=data["body_en"],
                instruction=data["instruction"],
                instruction_en=data["instruction_en"],
                target=form.target(),
                options=form.options_offered(),
                public=data["public"],
                severity=data["severity"] or Severity.UNKNOWN,
                urgency=data["urgency"] or Urgency.UNKNOWN,
                certainty=data["certainty"] or Certainty.UNKNOWN,
                expires_at=data["expires_at"],
                resend_after=data["resend_after"],
                resends=data["resends"],
            )
        except NotPermitted as refusal:
            form.add_error(None, refusal.message)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Sent to %(count)d people.") % {"count": notice.recipient_count},
            )
            return redirect("emergency:rollcall", notice_id=notice.pk)
    return render(
        request, "emergency/notice_new.html", {"form": form}, status=400 if form.errors else 200
    )
