"""The work queue: exactly the cases the person may see, filtered, sorted by due time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from governance import clock, reference, search, workflow
from governance.access import AREA_PERMISSION, Action, Person, area_paths, cases_for
from governance.errors import WorkflowError
from governance.inputs import optional_id
from governance.models import Area, Case, Department, Status
from governance.models.area import localised_name
from governance.models.case import OPEN_STATUSES
from governance.privacy import listed_point
from governance.scope import scope_of
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
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return areas.filter(condition)


def own_areas(user: Person) -> list[tuple[str, str]]:
    """(code, name) of the areas the person sees cases in, from their scope (no query): the
    suggestions of the area filter, named in the active language. Any area beneath them can be
    typed by its code."""
    scope = scope_of(user)
    return [
        (path.strip("/").split("/")[-1], localised_name(*scope.area_names[path]))
        for path in scope.area_paths("see_cases")
        if path in scope.area_names
    ]


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All open")), ("all", gettext_lazy("All")), *Status.choices],
    )
    # Choices from the cached reference list: no query for the list on every queue page.
    category = forms.TypedChoiceField(
        label=gettext_lazy("Category"), required=False, coerce=int, empty_value=None
    )
    # An area code, suggested from the person's own areas: a list of every area beneath them
    # would be thousands of options (and a query) for a district dispatcher.
    area = forms.CharField(
        label=gettext_lazy("Area"),
        required=False,
        max_length=15,
        widget=forms.TextInput(attrs={"list": "queue-areas", "inputmode": "numeric"}),
        help_text=gettext_lazy("An area code; empty for all my areas."),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=search.MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "A tracking id (or its start), words of the address or description, or the "
            "reporter's phone; every status unless you pick one."
        ),
    )
    field_order = ["q"]

    def __init__(self, *args, user: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].choices = [
            ("", _("All categories")),
            *((c.pk, c.display_name) for c in reference.categories()),
        ]

    def clean_area(self) -> Area | None:
        code = self.cleaned_data["area"].strip()
        if not code:
            return None
        area = visible_areas(self.user).filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("That is not one of your areas."))
        return area


def filtered_cases(user: Person, data) -> tuple[QueueFilter, QuerySet[Case], str]:
    """(the filter form, the cases before the status filter, the status asked for)."""
    form = QueueFilter(data or None, user=user)
    cases = cases_for(user, Action.VIEW)
    status = ""
    if form.is_valid():
        text = form.cleaned_data["q"]
        if text:
            cases = search.annotate_matches(
                cases.filter(search.search_condition(user, text)), user, text
            )
        if form.cleaned_data["category"]:
            cases = cases.filter(category_id=form.cleaned_data["category"])
        if form.cleaned_data["area"]:
            cases = cases.filter(area_path__startswith=form.cleaned_data["area"].path)
        if form.cleaned_data["overdue"]:
            cases = cases.overdue(clock.now())
        status = form.cleaned_data["status"] or ("all" if text else "")
    return form, cases, status


def _shown(cases: QuerySet[Case], status: str) -> QuerySet[Case]:
    if status == "all":
        shown = cases
    elif status:
        shown = cases.filter(status=status)
    else:
        shown = cases.open()
    from citizens.following.subscribing import me_too_counts  # the pages read the subscriber

    return (
        shown.select_related("category", "grid", "assignee_department")
        .defer("grid__boundary")  # never shown with a case; kilobytes to decode per row
        .annotate(me_too=me_too_counts())  # a subquery per row of the page, not a query
        .order_by(F("due_at").asc(nulls_last=True), "created_at")
    )


def _shown_count(counts: dict[str, int], status: str) -> int:
    """How many cases the status filter keeps, from the per-status counts (no second count)."""
    if status == "all":
        return sum(counts.values())
    if status:
        return counts.get(status, 0)
    return sum(n for value, n in counts.items() if value in OPEN_STATUSES)


class CountedPaginator(Paginator):
    """A paginator told its count, so it does not run a COUNT of its own."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


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
    """Queries: the person's scope (remembered for the request), the per-status counts (which
    also give the paginator its count), the page of cases; `departments` only for dispatchers."""
    form, before_status, status = filtered_cases(request.user, request.GET)
    counts = dict(before_status.values_list("status").annotate(n=Count("pk")).order_by())
    shown = _shown(before_status, status)
    page = CountedPaginator(shown, PAGE_SIZE, count=_shown_count(counts, status)).get_page(
        request.GET.get("page")
    )
    rows = _rows(page.object_list)
    search.log_search_matches(request.user, (row["case"] for row in rows), via="page")
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": form,
        "page": page,
        "rows": rows,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "query": urlencode(sorted(query.items())),
        "live_url": reverse("governance:queue_list") + ("?" + query.urlencode() if query else ""),
        "departments": SimpleLazyObject(reference.departments),
        "own_areas": own_areas(request.user),
        # Holding the dispatch permission anywhere; each dispatch is checked by the workflow.
        "may_dispatch": request.user.is_superuser
        or bool(area_paths(request.user, AREA_PERMISSION[Action.DISPATCH])),
    }


def _quoted_case(request: HttpRequest) -> str | None:
    """The tracking id searched for, when it is exactly one the person may see."""
    tracking_id = search.exact_tracking_id(request.GET.get("q", ""))
    if tracking_id is None:
        return None
    found = cases_for(request.user, Action.VIEW).filter(tracking_id=tracking_id).exists()
    return tracking_id if found else None


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    found = _quoted_case(request)
    if found is not None:
        return redirect("governance:case", tracking_id=found)
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
    department = Department.objects.filter(pk=optional_id(request.POST.get("department"))).first()
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
