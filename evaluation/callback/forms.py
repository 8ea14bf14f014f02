"""The callback's three questions, one form for the reporter and for staff on the phone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.callback.answering import COMMENT_LIMIT

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class AnswerForm(forms.Form):
    label_suffix = ""  # the labels are questions: no colon after the question mark
    resolved = forms.ChoiceField(
        label=_("Was it resolved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    satisfied = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def answers(self) -> dict[str, object]:
        """The cleaned answers as the answering functions take them."""
        data = self.cleaned_data
        return {
            "resolved": data["resolved"] == "yes",
            "satisfied": data["satisfied"] == "yes",
            "comment": data["comment"],
        }


class ReviewForm(forms.Form):
    """The supervisor's conclusion on a "not resolved" answer past the reopen window."""

    prefix = "review"
    decision = forms.ChoiceField(
        label=_("Your conclusion"),
        choices=[
            ("reopen", _("Not resolved: reopen the case")),
            ("keep", _("Resolved as far as we can: keep it closed")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the reporter reads it)"),
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PhoneAnswerForm(AnswerForm):
    """The same questions, put by staff to the reporter on the phone."""

    prefix = "callback"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved"].label = _("Resolved, in the reporter's words?")
        self.fields["satisfied"].label = _("Is the reporter satisfied?")
        self.fields["comment"].label = _("What the reporter added (they can read it)")
