"""Visit pages for officers, phone first: the residents due a visit in my grids, recording a
visit (with a follow-up case), and a visit. Every page starts from `gridwork.access`."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from governance import clock
from governance.errors import InvalidInput, NotPermitted
from governance.models import Area, Category
from governance.web.common import apply_errors, refused
from gridwork.access import RecordAction, may_edit_somewhere, records_for, sees_registry
from gridwork.models import Household, Resident, Visit
from gridwork.visits import correct_visit, due_visits, may_correct, recent_visits, visit_record

DUE_WITHIN_DAYS = 14


def _area(request: HttpRequest) -> Area | None:
    code = (request.GET.get("area") or "")[:15]
    if not code:
        return None
    return Area.objects.filter(code=code).defer("boundary").first() or Area(path="/-/")


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    """Visits due in my grids (overdue first), and the latest visits recorded there."""
    if not sees_registry(request.user):
        return refused(request, _("Visits are for grid staff and leaders of their areas."))
    area = _area(request)
    today = timezone.localdate(clock.now())
    due = due_visits(user=request.user, area=area, today=today, within_days=DUE_WITHIN_DAYS)
    rows = [
        {
            "due": d,
            "overdue": d.overdue(today),
            "days_left": d.days_left(today),
            "days_late": -d.days_left(today),
        }
        for d in due[:200]
    ]
    return render(
        request,
        "gridwork/visits.html",
        {
            "rows": rows,
            "more": max(0, len(due) - 200),
            "recent": recent_visits(user=request.user, area=area, limit=30),
            "area": area,
            "may_record": may_edit_somewhere(request.user),
            "within": DUE_WITHIN_DAYS,
        },
    )


class VisitForm(forms.Form):
    residents = forms.MultipleChoiceField(
        label=gettext_lazy("Residents seen"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visited_at = forms.DateTimeField(
        label=gettext_lazy("Visited at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), required=False, min_value=1, max_value=600
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_up = forms.BooleanField(
        label=gettext_lazy("Follow-up needed: file a case"), required=False
    )
    follow_up_category = forms.ModelChoiceField(
        label=gettext_lazy("Category of the case"),
        queryset=Category.objects.filter(active=True).order_by("family", "code"),
        required=False,
    )
    follow_up_description = forms.CharField(
        label=gettext_lazy("What needs following up"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, residents: list[Resident], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residents"].choices = [(str(r.pk), r.name) for r in residents]


def _place(request: HttpRequest) -> tuple[Household | None, list[Resident]]:
    """The household (or the one resident without a household) the visit is for: among those
    the person may edit, else not found."""
    source = request.POST if request.method == "POST" else request.GET
    household_id = (source.get("household") or request.GET.get("household") or "").strip()
    resident_id = (source.get("resident") or request.GET.get("resident") or "").strip()
    if household_id.isdigit():
        household = (
            records_for(request.user, Household, RecordAction.EDIT)
            .select_related("building")
            .filter(pk=int(household_id))
            .first()
        )
        if household is None:
            raise Http404
        residents = list(
            records_for(request.user, Resident, RecordAction.EDIT)
            .filter(household=household)
            .order_by("name", "pk")
        )
        return household, residents
    if resident_id.isdigit():
        resident = (
            records_for(request.user, Resident, RecordAction.EDIT)
            .select_related("household__building")
            .filter(pk=int(resident_id))
            .first()
        )
        if resident is None:
            raise Http404
        if resident.household_id:
            residents = list(
                records_for(request.user, Resident, RecordAction.EDIT)
                .filter(household=resident.household_id)
                .order_by("name", "pk")
            )
            return resident.household, residents
        return None, [resident]
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """Record a visit to a household (?household=) or to a resident (?resident=)."""
    if not may_edit_somewhere(request.user):
        return refused(request, _("Only the officers of a grid record visits there."))
    household, residents = _place(request)
    chosen = request.GET.get("resident", "")
    if request.method == "POST":
        form = VisitForm(request.POST, residents=residents)
        if form.is_valid():
            data = form.cleaned_data
            seen = [r for r in residents if str(r.pk) in set(data["residents"])]
            try:
                visit = visit_record(
                    by=request.user,
                    household=household,
                    residents=seen if household else residents,
                    visited_at=data["visited_at"],
                    minutes=data["minutes"],
                    notes=data["notes"],
                    follow_up=data["follow_up"],
                    follow_up_category=data["follow_up_category"],
                    follow_up_description=data["follow_up_description"],
                )
            except NotPermitted as error:
                return refused(request, error.message)
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                return redirect("gridwork:visit", visit.pk)
        status = 400
    else:
        form = VisitForm(
            residents=residents,
            initial={"residents": [chosen] if chosen else [str(r.pk) for r in residents[:1]]},
        )
        status = 200
    return render(
        request,
        "gridwork/visit_new.html",
        {
            "form": form,
            "household": household,
            "resident": residents[0] if household is None and residents else None,
        },
        status=status,
    )


@login_required
@require_GET
def visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    found = (
        records_for(request.user, Visit, RecordAction.VIEW)
        .select_related("household__building", "visitor", "case", "grid")
        .defer("grid__boundary")
        .prefetch_related("residents_seen")
        .filter(pk=visit_id)
        .first()
    )
    if found is None:
        raise Http404
    return render(
        request,
        "gridwork/visit.html",
        {
            "visit": found,
            "may_correct": may_correct(request.user, found),
            "corrections": [
                {
                    "at": parse_datetime(entry["at"]),
                    "visited_at": parse_datetime(entry["before"]["visited_at"]),
                    "minutes": entry["before"]["minutes"],
                    "notes": entry["before"]["notes"],
                }
                for entry in reversed(found.corrections)
            ],
        },
    )


class VisitCorrectionForm(VisitForm):
    """What a visit's own officer may correct: the residents seen, when, how long, the notes
    (the household and the follow-up case stay as recorded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("follow_up", "follow_up_category", "follow_up_description"):
            del self.fields[name]
        self.fields["visited_at"].required = True


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Correct a visit: its own officer, within a month of it."""
    found = (
        records_for(request.user, Visit, RecordAction.VIEW)
        .select_related("household__building")
        .filter(pk=visit_id)
        .first()
    )
    if found is None:
        raise Http404
    if not may_correct(request.user, found):
        return refused(
            request, _("Only the officer who made a visit corrects it, within a month of it.")
        )
    if found.household_id:
        residents = list(
            records_for(request.user, Resident, RecordAction.EDIT)
            .filter(household=found.household_id)
            .order_by("name", "pk")
        )
    else:
        residents = list(found.residents_seen.order_by("name", "pk"))
    if request.method == "POST":
        form = VisitCorrectionForm(request.POST, residents=residents)
        if form.is_valid():
            data = form.cleaned_data
            chosen = set(data["residents"])
            try:
                correct_visit(
                    by=request.user,
                    visit_id=found.pk,
                    residents=[r for r in residents if str(r.pk) in chosen]
                    if found.household_id
                    else residents,
                    visited_at=data["visited_at"],
                    minutes=data["minutes"],
                    notes=data["notes"],
                )
            except NotPermitted as error:
                return refused(request, error.message)
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                return redirect("gridwork:visit", found.pk)
        status = 400
    else:
        form = VisitCorrectionForm(
            residents=residents,
            initial={
                "residents": [str(pk) for pk in found.residents_seen.values_list("pk", flat=True)],
                "visited_at": timezone.localtime(found.visited_at),
                "minutes": found.minutes,
                "notes": found.notes,
            },
        )
        status = 200
    return render(
        request, "gridwork/visit_edit.html", {"form": form, "visit": found}, status=status
    )
