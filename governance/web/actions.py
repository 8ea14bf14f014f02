"""One form per workflow action, and the runner that maps a posted form to its function.

Both the staff case page and the citizen's request page post here through their own views;
which buttons appear comes from `workflow.available_actions`, and the workflow functions
check permission and state again under a row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance import workflow
from governance.access import Action, Person, cases_for, may
from governance.errors import InvalidInput
from governance.models import Audience, Case, Department
from governance.web.uploads import PhotosField

# Who reads what a staff member types, said next to every field (the three audiences).
FOR_STAFF = _("Only staff see this.")
FOR_REPORTER = _("The reporter sees this.")
FOR_EVERYONE = _(
    "Published: everyone sees this (the public page, Open311). Write a short summary for the "
    "public, without names, phone numbers or the reporter's words. Never published for a "
    "private-location category."
)


def text_field(
    label: Any,
    *,
    help_text: Any = "",
    required: bool = True,
    rows: int = 2,
    **options: Any,
) -> forms.CharField:
    """A few lines of text; `help_text` says who reads it (FOR_STAFF, FOR_REPORTER…)."""
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        **options,
    )


def audience_field(label: Any, **options: Any) -> forms.ChoiceField:
    """Who reads a staff member's text: staff only (the default, also when nothing is chosen)
    or the reporter too."""
    return forms.ChoiceField(
        label=label,
        choices=[
            (Audience.INTERNAL.value, FOR_STAFF),
            (Audience.REPORTER.value, _("The reporter sees this (and staff).")),
        ],
        initial=Audience.INTERNAL.value,
        required=False,  # not chosen: staff only
        widget=forms.RadioSelect,
        **options,
    )


class NoteForm(forms.Form):
    note = text_field(_("Note"), required=False, help_text=FOR_REPORTER)


class ReasonForm(forms.Form):
    reason = text_field(_("Reason"), help_text=FOR_REPORTER)


class EscalateForm(forms.Form):
    reason = text_field(_("Reason"), help_text=FOR_STAFF)


class OptionalReasonForm(forms.Form):
    reason = text_field(_("Reason (optional)"), required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Tracking id of the case it duplicates"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False, help_text=FOR_REPORTER)


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("The category's default department"),
    )
    note = text_field(
        _("Instructions"),
        required=False,
        help_text=_("For the staff who handle it: only staff see this, unless you choose below."),
    )
    # Instructions are internal by default (issue 10, defect 5): the reporter reads them only
    # when the dispatcher chooses so.
    note_audience = audience_field(_("Who sees the instructions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].label_from_instance = lambda d: d.display_name

    def clean_note_audience(self) -> str:
        return self.cleaned_data["note_audience"] or Audience.INTERNAL.value


class RouteForm(forms.Form):
    """Route a case outside every grid to one of the grids the person dispatches for."""

    grid = forms.CharField(
        label=_("Grid"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "The name or code of the grid that should handle it; the case joins its queue."
        ),
    )
    note = text_field(_("Why this grid"), required=False, help_text=FOR_STAFF)


def _route(case: Case, actor: Person, data: dict[str, Any]) -> Case:
    text = " ".join(data["grid"].split())
    grids = workflow.routable_grids(actor).defer("boundary")
    grid = grids.filter(code=text).first()
    if grid is None:  # a grid's name, when only one of theirs has it
        named = list(grids.filter(Q(name=text) | Q(name_en__iexact=text))[:2])
        grid = named[0] if len(named) == 1 else None
    if grid is None:
        raise InvalidInput({"grid": [str(_("Choose one of the grids you dispatch for."))]})
    return workflow.route_case(case_id=case.pk, actor=actor, grid=grid, note=data["note"])


def public_summary_field() -> forms.CharField:
    return text_field(
        _("Public summary (optional)"),
        required=False,
        max_length=workflow.PUBLIC_SUMMARY_LIMIT,
        help_text=FOR_EVERYONE,
    )


class RejectForm(ReasonForm):
    public_summary = public_summary_field()


class ResolveForm(forms.Form):
    note = text_field(_("What was done"), rows=3, help_text=FOR_REPORTER)
    files = PhotosField(label=_("Photos of the fix"))
    public_summary = public_summary_field()


class CloseForm(forms.Form):
    note = text_field(_("Verification result"), required=False, help_text=FOR_REPORTER)
    files = PhotosField(label=_("Photos from the site"))
    public_summary = public_summary_field()


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = text_field(_("Comment"), required=False, max_length=1000)


class AddInformationForm(forms.Form):
    text = text_field(_("Information"), rows=3)
    files = PhotosField(label=_("Photos"))


class StaffNoteForm(AddInformationForm):
    """A staff member's note: for staff only unless they choose the reporter too."""

    text = text_field(_("Note"), rows=3)
    audience = audience_field(
        _("Who sees this note"),
        help_text=_("Notes are never published; the public reads only a public summary."),
    )


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.Form]
    run: Callable[[Case, Person, dict[str, Any]], Case]
    button: Any  # lazy label
    danger: bool = False


def _merge(case: Case, actor: Person, data: dict[str, Any]) -> Case:
    target = cases_for(actor, Action.VIEW).filter(tracking_id=data["into"].strip()).first()
    if target is None:
        raise InvalidInput({"into": [str(_("There is no such case to merge into."))]})
    return workflow.merge_case(case_id=case.pk, into_id=target.pk, actor=actor, note=data["note"])


def _writes_as_staff(
    actor: Person, case: Case, *, allowed: AbstractSet[Action] | None = None
) -> bool:
    """Whether `actor` notes a case as staff (may keep it internal) rather than as its reporter
    (whose note is always theirs to read): the rule of `access.sees_internal_notes`."""
    if case.reporter_id != getattr(actor, "pk", None):
        return True
    return Action.REPORT in allowed if allowed is not None else may(actor, Action.REPORT, case)


def _note(case: Case, actor: Person, data: dict[str, Any]) -> Case:
    staff = _writes_as_staff(actor, case)
    audience = (data.get("audience") or Audience.INTERNAL) if staff else Audience.REPORTER
    return workflow.add_note(
        case_id=case.pk,
        actor=actor,
        text=data["text"],
        audience=audience,
        files=data["files"],
    )


def _calls(function: Callable[..., Case], *fields: str) -> Callable[..., Case]:
    """The runner of a form whose `fields` are `function`'s keyword arguments of the same
    names, besides the case and the actor."""

    def run(case: Case, actor: Person, data: dict[str, Any]) -> Case:
        return function(case_id=case.pk, actor=actor, **{name: data[name] for name in fields})

    return run


ACTIONS: dict[str, ActionSpec] = {
    "file": ActionSpec(NoteForm, _calls(workflow.file_case, "note"), _("Accept (file)")),
    "reject": ActionSpec(
        RejectForm,
        _calls(workflow.reject_case, "reason", "public_summary"),
        _("Reject"),
        danger=True,
    ),
    "merge": ActionSpec(MergeForm, _merge, _("Merge into another case")),
    "dispatch": ActionSpec(
        DispatchForm,
        _calls(workflow.dispatch_case, "department", "note", "note_audience"),
        _("Dispatch"),
    ),
    "start": ActionSpec(NoteForm, _calls(workflow.start_case, "note"), _("Start handling")),
    "resolve": ActionSpec(
        ResolveForm,
        _calls(workflow.resolve_case, "note", "files", "public_summary"),
        _("Report resolved"),
    ),
    "close": ActionSpec(
        CloseForm,
        _calls(workflow.verify_and_close_case, "note", "files", "public_summary"),
        _("Verified: close"),
    ),
    "rework": ActionSpec(
        ReasonForm,
        _calls(workflow.rework_case, "reason"),
        _("Not fixed: send back for rework"),
        danger=True,
    ),
    "escalate": ActionSpec(
        EscalateForm,
        _calls(workflow.escalate_case, "reason"),
        _("Escalate"),
        danger=True,
    ),
    "withdraw": ActionSpec(
        OptionalReasonForm,
        _calls(workflow.withdraw_case, "reason"),
        _("Withdraw my request"),
        danger=True,
    ),
    "reopen": ActionSpec(
        ReasonForm,
        _calls(workflow.reopen_case, "reason"),
        _("Reopen: the problem is back"),
    ),
    "rate": ActionSpec(RateForm, _calls(workflow.rate_case, "rating", "comment"), _("Rate")),
    "note": ActionSpec(AddInformationForm, _note, _("Add information")),
    "route": ActionSpec(RouteForm, _route, _("Route to a grid")),
}

# What a citizen may do from their request page; everything else is the staff case page's.
CITIZEN_ACTIONS = ("note", "withdraw", "reopen", "rate")


def form_for(
    name: str,
    actor: Person,
    case: Case,
    data=None,
    files=None,
    *,
    allowed: AbstractSet[Action] | None = None,
) -> forms.Form:
    """The form for action `name`, bound when data is given; staff notes may be internal.

    `allowed`: what `actor` may do on `case` (`access.permitted`, covering REPORT), if known.
    """
    form_class = ACTIONS[name].form
    if name == "note" and _writes_as_staff(actor, case, allowed=allowed):
        form_class = StaffNoteForm
    prefix = name
    return form_class(data, files, prefix=prefix) if data is not None else form_class(prefix=prefix)


def spec_for(name: str, case: Case) -> ActionSpec:
    """The action as offered on `case` now: a case already dispatched is re-dispatched."""
    spec = ACTIONS[name]
    if name == "dispatch" and (case.assignee_department_id or case.assignee_id):
        return replace(spec, button=_("Re-dispatch"))
    return spec


def forms_for(
    actor: Person,
    case: Case,
    names: list[str],
    *,
    allowed: AbstractSet[Action] | None = None,
) -> list[tuple[str, ActionSpec, forms.Form]]:
    return [
        (name, spec_for(name, case), form_for(name, actor, case, allowed=allowed))
        for name in names
        if name in ACTIONS
    ]


def refusal(actor: Person, case: Case, name: str) -> tuple[int, str] | None:
    """Why `actor` may not take action `name` now (status, message), or None when they may."""
    if name in workflow.available_actions(actor, case):
        return None
    rule = workflow.rule_for(name)
    if not may(actor, rule.action, case):
        return 403, str(
            _("You may not %(action)s this case. Nothing was changed.")
            % {"action": workflow.ACTION_LABELS[name]}
        )
    return 409, str(
        _("This case is %(status)s: it cannot be %(done)s now. Nothing was changed.")
        % {"status": case.get_status_display(), "done": workflow.DONE_LABELS[name]}
    )
