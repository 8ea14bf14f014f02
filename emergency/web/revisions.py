"""The pages that update or cancel a public notice (CAP Update / Cancel): a form prefilled
with the earlier notice, then `emergency.revising`. Whoever may follow the notice but not
manage it is refused (403); whoever may not follow it never heard of it (404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from emergency import revising
from emergency.models import Certainty, Notice, Severity, Urgency
from emergency.notice_access import may_manage_notice, may_view_notice
from governance.errors import InvalidInput, NotPermitted


class UpdateForm(forms.Form):
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
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Urgency.choices)
    certainty = forms.ChoiceField(label=gettext_lazy("Certainty"), choices=Certainty.choices)
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is cancelled"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


def _revisable(request: HttpRequest, notice_id: int) -> Notice:
    notice = get_object_or_404(Notice.objects.select_related("incident"), pk=notice_id)
    if not may_view_notice(request.user, notice):
        raise Http404
    if not may_manage_notice(request.user, notice):
        raise PermissionDenied
    return notice


def _initial(notice: Notice) -> dict:
    fields = UpdateForm.base_fields
    initial = {name: getattr(notice, name) for name in fields if name != "expires_at"}
    if notice.expires_at:
        initial["expires_at"] = timezone.localtime(notice.expires_at)
    return initial


def _revise(request: HttpRequest, notice: Notice, form: forms.Form, action) -> HttpResponse | None:
    """Run `action` on a valid form; the roll-call of what it sent, or None (errors on form)."""
    if not revising.revisable(notice):
        form.add_error(None, _("This notice can no longer be updated or cancelled."))
        return None
    try:
        sent = action(form.cleaned_data)
    except NotPermitted as refusal:
        raise PermissionDenied(refusal.message) from None
    except InvalidInput as error:
        for field, problems in error.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    messages.success(request, _("Sent to %(count)d people.") % {"count": sent.recipient_count})
    return redirect("emergency:rollcall", notice_id=sent.pk)


@login_required
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _revisable(request, notice_id)
    form = UpdateForm(request.POST or None, initial=_initial(notice))
    if request.method == "POST" and form.is_valid():
        done = _revise(
            request,
            notice,
            form,
            lambda data: revising.update_notice(notice, request.user, **data),
        )
        if done is not None:
            return done
    return render(
        request,
        "emergency/notice_revise.html",
        {"form": form, "notice": notice, "cancel": False, "revisable": revising.revisable(notice)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _revisable(request, notice_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _revise(
            request,
            notice,
            form,
            lambda data: revising.cancel_notice(notice, request.user, data["reason"]),
        )
        if done is not None:
            return done
    return render(
        request,
        "emergency/notice_revise.html",
        {"form": form, "notice": notice, "cancel": True, "revisable": revising.revisable(notice)},
        status=400 if form.errors else 200,
    )
