"""Filing a case on a caller's behalf (hotline) or from patrol."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from governance import workflow
from governance.access import Action
from governance.errors import InvalidInput, NotPermitted
from governance.models import Channel
from governance.web.common import map_settings, may_file, refused
from governance.web.limited import limit_posts
from governance.web.submission import CaseForm, ContactMixin


class FilingForm(ContactMixin, CaseForm):
    channel = forms.ChoiceField(
        label=gettext_lazy("How it reached us"),
        choices=[(Channel.HOTLINE, Channel.HOTLINE.label), (Channel.PATROL, Channel.PATROL.label)],
        initial=Channel.HOTLINE,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Caller's language for messages"),
        help_text=gettext_lazy("Confirmation and updates to the caller are written in it."),
        choices=settings.LANGUAGES,
        required=False,  # left out (an older page, a script): the page's own language
    )
    field_order = ["channel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The person at the keyboard is staff: the contact is the caller's, not theirs.
        self.fields["name"].label = gettext_lazy("Caller's name (optional)")
        self.fields["phone"].label = gettext_lazy("Caller's phone")
        self.fields["email"].label = gettext_lazy("Caller's e-mail")
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        current = get_language() or settings.LANGUAGE_CODE
        known = [code for code, _name in settings.LANGUAGES]
        self.fields["language"].initial = current if current in known else settings.LANGUAGE_CODE


@login_required
@limit_posts("staff_filing")
def file_case(request: HttpRequest) -> HttpResponse:
    if not may_file(request.user):
        return refused(request, _("Only officers and dispatchers file hotline and patrol cases."))
    form = FilingForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = workflow.submit_case(
                    actor=request.user,
                    channel=form.cleaned_data["channel"],
                    contact=form.contact(),
                    contact_language=form.cleaned_data["language"],
                    **form.submission(),
                )
            except InvalidInput as error:
                form.apply_errors(error)
            except NotPermitted as error:
                form.add_error("address", error.message)
            else:
                messages.success(request, _("Case %(id)s filed.") % {"id": case.tracking_id})
                return redirect("governance:case", tracking_id=case.tracking_id)
        status = 400
    return render(
        request,
        "governance/file.html",
        {"form": form, "map": map_settings(), "action": Action.REPORT},
        status=status,
    )
