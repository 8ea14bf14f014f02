"""The work queue: exactly the cases the person may see, filtered, sorted by due time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance import clock, reference, search
from governance.access import AREA_PERMISSION, Action, Person, area_paths, cases_for
from governance.models import Area, Case, CaseEvent, EventKind, SavedFilter, Status
from governance.models.area import localised_name
from governance.models.case import OPEN_STATUSES
from governance.paths import at_or_beneath
from governance.privacy import listed_point
from governance.saved_filters import saved_filters
from governance.scope import scope_of
from governance.web.common import is_staff_member, map_settings
from governance.web.fragments import kept_html

SOON = timedelta(hours=1)
AREA_TEXT_LENGTH = 100  # an area's name or code, as typed in the queue filter
SUGGESTIONS = 20  # area suggestions per typed text
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


def suggested_areas(user: Person, text: str) -> list[dict[str, str]]:
    """Up to SUGGESTIONS areas the person sees whose code starts with, or whose name (in
    either language) contains, `text`: named in the reader's language, with the area they lie
    in (many grids share a name). One query, however many areas there are."""
    text = " ".join(text.split())[:AREA_TEXT_LENGTH]
    if not text:
        return []
    rows = (
        visible_areas(user)
        .filter(Q(code__startswith=text) | Q(name__icontains=text) | Q(name_en__icontains=text))
        .order_by("level", "path")
        .values("code", "name", "name_en", "parent__name", "parent__name_en")[:SUGGESTIONS]
    )
    return [
        {
            "code": row["code"],
            "name": localised_name(row["name"], row["name_en"]),
            "within": localised_name(row["parent__name"] or "", row["parent__name_en"] or ""),
        }
        for row in rows
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
    # An area by its name or code: the person's own areas are the quick picks, and typing
    # asks `area_suggestions` for matches among the areas they see (a list of every area
    # beneath a district dispatcher would be thousands of options); without a script a typed
    # name is looked up by `clean_area`.
    area = forms.CharField(
        label=gettext_lazy("Area"),
        required=False,
        max_length=AREA_TEXT_LENGTH,
        widget=forms.TextInput(
            attrs={"list": "queue-areas", "autocomplete": "off", "data-area-picker": ""}
        ),
        help_text=gettext_lazy("Type an area's name or code and pick it; empty for all my areas."),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    # The city's unrouted queue: cases whose pin is outside every grid (`access`: the
    # districts' dispatchers see them).
    unrouted = forms.BooleanField(label=gettext_lazy("Outside every grid only"), required=False)
    # 回访: cases whose reporter answered the satisfaction callback "not resolved" after the
    # reopen window (`evaluation.callback.answering`): closed, waiting for a supervisor's review
    # (`evaluation.callback.reviewing`); a concluded review takes the case off this list.
    callback_review = forms.BooleanField(
        label=gettext_lazy("Not resolved per the callback (review)"), required=False
    )
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
        text = " ".join(self.cleaned_data["area"].split())
        if not text:
            return None
        areas = visible_areas(self.user).defer("boundary")
        area = areas.filter(code=text).first()
        if area is not None:
            return area
        named = list(areas.filter(Q(name=text) | Q(name_en__iexact=text))[:2])
        if len(named) == 1:
            return named[0]
        if named:
            raise forms.ValidationError(
                _("Several of your areas have that name: pick one from the list, or type its code.")
            )
        raise forms.ValidationError(_("That is not one of your areas."))


def filter_fields_html(form: QueueFilter) -> SafeString:
    """The filter form's fields as HTML, rendered once per language, values shown and category
    list (`fragments`), unless the form shows errors."""

    def render() -> SafeString:
        return render_to_string("governance/_queue_filter_fields.html", {"filter": form})

    if form.is_bound and form.errors:
        return render()
    values = (
        tuple((name, tuple(form.data.getlist(name))) for name in form.fields)
        if form.is_bound
        else None
    )
    key = ("queue-filter", get_language(), tuple(form.fields["category"].choices), values)
    return kept_html(key, render)


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
            cases = cases.filter(at_or_beneath(form.cleaned_data["area"].path))
        if form.cleaned_data["overdue"]:
            cases = cases.overdue(clock.now())
        if form.cleaned_data["unrouted"]:
            cases = cases.filter(grid__isnull=True)
        review = form.cleaned_data["callback_review"]
        if review:
            flagged = CaseEvent.objects.filter(kind=EventKind.CALLBACK, data__review=True)
            reviewed = CaseEvent.objects.filter(kind=EventKind.REVIEWED)
            cases = cases.filter(pk__in=flagged.values("case_id")).exclude(
                pk__in=reviewed.values("case_id")
            )
        status = form.cleaned_data["status"] or ("all" if text or review else "")
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


def neighbours(cases: QuerySet[Case], case: Case) -> tuple[str | None, str | None]:
    """(previous, next) tracking ids around `case` in `cases` as the queue orders them (due
    time, nulls last, then filing time): two keyset queries, whatever the queue's length, and
    right even when `case` itself has left the filter (accepted, say) since it was listed."""
    if case.due_at is None:
        after = Q(due_at__isnull=True, created_at__gt=case.created_at)
        before = Q(due_at__isnull=False) | Q(due_at__isnull=True, created_at__lt=case.created_at)
    else:
        after = (
            Q(due_at__gt=case.due_at)
            | Q(due_at=case.due_at, created_at__gt=case.created_at)
            | Q(due_at__isnull=True)
        )
        before = Q(due_at__lt=case.due_at) | Q(due_at=case.due_at, created_at__lt=case.created_at)
    ids = cases.exclude(pk=case.pk).values_list("tracking_id", flat=True)
    following = ids.filter(after).order_by(F("due_at").asc(nulls_last=True), "created_at")
    preceding = ids.filter(before).order_by(F("due_at").desc(nulls_first=True), "-created_at")
    return preceding.first(), following.first()


def queue_neighbours(user: Person, query: str, case: Case) -> dict:
    """The case page's way through the queue it was opened from: `query` is that queue's
    query string (its filters, as the queue's links carry it in `?queue=`)."""
    data = QueryDict(query)
    _form, before_status, status = filtered_cases(user, data)
    previous, following = neighbours(_shown(before_status, status).order_by(), case)
    carried = "?" + urlencode({"queue": query})
    queue_url = reverse("governance:queue") + ("?" + query if query else "")

    def link(tracking_id: str | None) -> str | None:
        if tracking_id is None:
            return None
        return reverse("governance:case", args=[tracking_id]) + carried

    return {"previous": link(previous), "next": link(following), "queue_url": queue_url}


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
        # Holding the dispatch (intake) permission anywhere; each case is checked by the workflow.
        "may_dispatch": request.user.is_superuser
        or bool(area_paths(request.user, AREA_PERMISSION[Action.DISPATCH])),
        "may_intake": request.user.is_superuser
        or bool(area_paths(request.user, AREA_PERMISSION[Action.INTAKE])),
        "may_bulk": is_staff_member(request.user),  # a note in bulk: any staff
    }


def _quoted_case(request: HttpRequest) -> str | None:
    """The tracking id searched for, when it is exactly one the person may see."""
    tracking_id = search.exact_tracking_id(request.GET.get("q", ""))
    if tracking_id is None:
        return None
    found = cases_for(request.user, Action.VIEW).filter(tracking_id=tracking_id).exists()
    return tracking_id if found else None


SAVED_QUERY_LENGTH = SavedFilter._meta.get_field("query").max_length


def filter_query(query: str) -> str:
    """`query` with only the queue filter's fields set (no page, no empty or stray
    parameters), in a fixed order: what a saved filter keeps, and how it is recognised."""
    data = QueryDict(query)
    kept = [
        (key, value)
        for key in sorted(QueueFilter.base_fields)
        for value in data.getlist(key)[:1]
        if value
    ]
    return urlencode(kept)[:SAVED_QUERY_LENGTH]


def saved_filter_chips(user: Person) -> list[dict]:
    """The person's own saved filters (`web.saved_filters`) as chips: name, the queue link
    with the filter, whether it is the filter shown now, and the URL that deletes it."""
    if not user.is_authenticated:
        return []
    queue_url = reverse("governance:queue")
    return [
        {
            "name": saved.name,
            "query": saved.query,
            "url": queue_url + ("?" + saved.query if saved.query else ""),
            "delete_url": reverse("governance:saved_filter_delete", args=[saved.pk]),
        }
        for saved in saved_filters(user.pk)  # from the shared cache: no query
    ]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    found = _quoted_case(request)
    if found is not None:
        return redirect("governance:case", tracking_id=found)
    context = queue_context(request)
    context["map"] = map_settings()
    context["filter_fields"] = filter_fields_html(context["filter"])
    context["saved_filters"] = saved_filter_chips(request.user)
    context["current_query"] = filter_query(request.GET.urlencode())
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
def area_suggestions(request: HttpRequest) -> JsonResponse:
    """The queue's area picker: areas the person sees matching the typed text (`?q=`)."""
    return JsonResponse({"areas": suggested_areas(request.user, request.GET.get("q", ""))})


@login_required
@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    """The list fragment for the current filters, for in-place updates."""
    return render(request, "governance/_queue_list.html", queue_context(request))
