"""The work queue: exactly the cases the person may see, filtered, sorted by due time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from governance import clock, workflow
from governance.access import Action, Person, area_paths, cases_for
from governance.errors import WorkflowError
from governance.models import Area, Case, Category, Department, Status
from governance.privacy import listed_point
from governance.web.common import map_settings

SOON = timedelta(hours=1)
PAGE_SIZE = 50


def visible_areas(user: Person) -> QuerySet[Area]:
    """The active areas at or under those where the person may see cases."""
    areas = Area.objects.active()
    if user.is_superuser:
        return areas
    paths = area_paths(user, "see_cases")
    if not paths:
        return areas.none()
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return areas.filter(condition)


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All open")), ("all", gettext_lazy("All")), *Status.choices],
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("All categories"),
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("All my areas"),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, user: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = visible_areas(user)
        self.fields["category"].label_from_instance = lambda c: c.display_name
        self.fields["area"].label_from_instance = lambda a: f"{a.name} ({a.code})"


def filtered_cases(user: Person, data) -> tuple[QueueFilter, QuerySet[Case], QuerySet[Case]]:
    """(the filter form, the cases before the status filter, the cases shown)."""
    form = QueueFilter(data or None, user=user)
    cases = cases_for(user, Action.VIEW)
    status = ""
    if form.is_valid():
        if form.cleaned_data["category"]:
            cases = cases.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["area"]:
            cases = cases.filter(area_path__startswith=form.cleaned_data["area"].path)
        if form.cleaned_data["overdue"]:
            cases = cases.overdue(clock.now())
        status = form.cleaned_data["status"]
    before_status = cases
    if status == "all":
        shown = cases
    elif status:
        shown = cases.filter(status=status)
    else:
        shown = cases.open()
    shown = shown.select_related("category", "grid", "assignee_department").order_by(
        F("due_at").asc(nulls_last=True), "created_at"
    )
    return form, before_status, shown


def _rows(cases) -> list[dict]:
    now = clock.now()
    rows = []
    for case in cases:
        overdue = case.is_open and case.due_at is not None and case.due_at < now
        soon = (
            case.is_open
            and not overdue
            and case.due_at is not None
            and (case.due_at < now + SOON or case.warned_at is not None)
        )
        rows.append({"case": case, "overdue": overdue, "soon": soon})
    return rows


def queue_context(request: HttpRequest) -> dict:
    form, before_status, shown = filtered_cases(request.user, request.GET)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(before_status.values_list("status").annotate(n=Count("pk")).order_by())
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": form,
        "page": page,
        "rows": _rows(page.object_list),
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "query": urlencode(sorted(query.items())),
        "live_url": reverse("governance:queue_list") + ("?" + query.urlencode() if query else ""),
        "departments": Department.objects.all(),
        "may_dispatch": cases_for(request.user, Action.DISPATCH).exists(),
    }


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    context = queue_context(request)
    context["map"] = map_settings()
    context["points"] = [
        {
            "id": row["case"].tracking_id,
            "lon": listed_point(row["case"])[0],
            "lat": listed_point(row["case"])[1],
            "label": row["case"].category.display_name,
            "url": reverse("governance:case", args=[row["case"].tracking_id]),
            "overdue": row["overdue"],
        }
        for row in context["rows"]
    ]
    return render(request, "governance/queue.html", context)


@login_required
@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    """The list fragment for the current filters, for in-place updates."""
    return render(request, "governance/_queue_list.html", queue_context(request))


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch the selected cases, each through the workflow; report what was refused."""
    department = Department.objects.filter(pk=request.POST.get("department") or None).first()
    ids = request.POST.getlist("cases")[:PAGE_SIZE]
    chosen = cases_for(request.user, Action.VIEW).filter(tracking_id__in=ids)
    done, refused = 0, []
    for case in chosen:
        try:
            workflow.dispatch_case(case_id=case.pk, actor=request.user, department=department)
            done += 1
        except WorkflowError as error:
            refused.append(f"{case.tracking_id}: {error.message}")
    missing = set(ids) - {c.tracking_id for c in chosen}
    refused += [f"{tid}: {_('There is no such case.')}" for tid in sorted(missing)]
    if not ids:
        messages.error(request, _("Select the cases to dispatch."))
    if done:
        messages.success(
            request,
            ngettext("%(n)d case dispatched.", "%(n)d cases dispatched.", done) % {"n": done},
        )
    for line in refused:
        messages.error(request, line)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/work/") else reverse("governance:queue"))
