"""The leaders' cockpit (`/work/dashboard/`): a scope's grades, rankings, trends, categories, the
heatmap of its cases and what it owes now, with a way from every number to the cases behind it.

URL scheme (every part optional):

    /work/dashboard/?area=<code>&period=2026-11&step=day|week|month
    /work/dashboard/?department=<code>&period=2026-11
    /work/dashboard/cases/?area=<code>&period=2026-11&figure=<count or rate name>[&category=<code>]

`area` drills down district → street → community → grid (each ranking bar links to the next
level); `period` is any period `evaluation.periods.parse_period` reads (`start`/`end` for a
range). Who opens the cockpit is `evaluation.viewers`; which figures they then see is
`evaluation.access` (both read from the same scope as every case query). The cases behind a
figure are `indicators.cases_behind` applied to `cases_for`: a figure may count a case the
person cannot open (a department's case outside a leader's area), and the list says how many
it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation import access, charts, heatmap, indicators, viewers
from evaluation.labels import COUNT_LABELS, LOWER_IS_BETTER, RATE_LABELS, percent, score_text
from evaluation.periods import (
    DAY,
    MONTH,
    STEPS,
    WEEK,
    Period,
    PeriodError,
    parse_period,
    period_of,
)
from governance import clock
from governance.access import Action, cases_for
from governance.models import Area, Case, Category, Department
from governance.web.common import map_settings, refused

# The figures the page shows, in order: the reference's names.
SHOWN_RATES = (
    "on_time_closing_rate",
    "closing_rate",
    "on_time_handling_rate",
    "handling_rate",
    "rework_rate",
    "filed_on_time_rate",
    "verified_on_time_rate",
    "satisfaction_rate",
    "resolution_rate",
)
SHOWN_COUNTS = indicators.COUNT_NAMES
TREND_STEPS = {DAY: 31, WEEK: 12, MONTH: 12}  # how many steps a trend shows, ending at the period
OBLIGATIONS_SHOWN = 100
CASES_PAGE = 50


class Refused(Exception):
    """The person may not see what the query names (answered 403, nothing revealed)."""


@dataclass(frozen=True)
class Target:
    """What the cockpit shows: an area's subtree or a department."""

    scope: indicators.Scope
    area: Area | None = None
    department: Department | None = None

    @property
    def name(self) -> str:
        return (self.area or self.department).display_name

    def query(self) -> dict[str, str]:
        if self.area is not None:
            return {"area": self.area.code}
        return {"department": self.department.code}


def _target(request: HttpRequest) -> Target:
    """What the query names, when the person may see its figures (else `Refused`); by default
    their topmost area, or their department."""
    user = request.user
    code = request.GET.get("department", "").strip()
    if code:
        department = viewers.reachable_department(user, code)
        if department is None:
            raise Refused
        return Target(indicators.Scope.for_department(department), department=department)
    code = request.GET.get("area", "").strip()
    if code:
        area = viewers.reachable_area(user, code)
        if area is None:
            raise Refused
        return Target(indicators.Scope.for_area(area), area=area)
    tops = viewers.top_areas(user)
    if tops:
        return Target(indicators.Scope.for_area(tops[0]), area=tops[0])
    departments = viewers.own_departments(user)
    if departments:
        return Target(indicators.Scope.for_department(departments[0]), department=departments[0])
    raise Refused


def _period(request: HttpRequest) -> Period:
    return parse_period(
        request.GET.get("period") or None,
        start=request.GET.get("start") or None,
        end=request.GET.get("end") or None,
    )


def period_query(period: Period) -> dict[str, str]:
    if period.kind == "range":
        return {"start": period.first.isoformat(), "end": period.last.isoformat()}
    return {"period": period.label}


def dashboard_url(target: dict[str, str], period: Period, **extra: str) -> str:
    return (
        reverse("cockpit:dashboard") + "?" + urlencode({**target, **period_query(period), **extra})
    )


def figure_url(target: Target, period: Period, figure: str, **extra: str) -> str:
    """The list of the cases behind one figure of the target in the period."""
    query = {**target.query(), **period_query(period), "figure": figure, **extra}
    return reverse("cockpit:cases") + "?" + urlencode(query)


def _refusal(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        _(
            "The cockpit shows leaders, supervisors, dispatchers and departments their own "
            "areas and department only."
        ),
    )


def _change(now: float | None, before: float | None, name: str) -> dict | None:
    """A rate's change against an earlier period, in percentage points, and whether it is
    good news."""
    if now is None or before is None:
        return None
    points = (now - before) * 100
    better = points < 0 if name in LOWER_IS_BETTER else points > 0
    return {"points": f"{points:+.1f}", "better": better, "same": abs(points) < 0.05}


def _crumbs(user, target: Target, period: Period) -> list[dict]:
    if target.area is None:
        return []
    return [
        {
            "name": area.display_name,
            "url": dashboard_url({"area": area.code}, period),
            "current": area.pk == target.area.pk,
        }
        for area in target.area.ancestors().defer("boundary")
        if access.may_see_area(user, area)
    ]


def _ranking_chart(target: Target, period: Period) -> tuple[charts.Chart | None, list[dict]]:
    """The areas one level down, best first: bars coloured by grade, each leading a level
    down; and their rows (score, grade, the figures that cost most, each a link)."""
    if target.area is None:
        return None, []
    ranked = indicators.rank_children(target.area, period)
    if not ranked:
        return None, []
    bars, rows = [], []
    for entry in ranked:
        area, figures = entry.key, entry.figures
        url = dashboard_url({"area": area.code}, period)
        grade = figures.grade or _("not graded")
        bars.append(
            charts.Bar(
                label=area.display_name,
                value=figures.score,
                shown=score_text(figures.score),
                colour=charts.grade_colour(figures.grade),
                url=url,
                note=grade,
            )
        )
        child = Target(indicators.Scope.for_area(area), area=area)
        rows.append(
            {
                "rank": entry.rank,
                "area": area,
                "url": url,
                "score": score_text(figures.score),
                "grade": figures.grade,
                "rates": [
                    (
                        RATE_LABELS[name],
                        percent(figures.rates.get(name)),
                        figure_url(child, period, name),
                    )
                    for name in ("on_time_closing_rate", "rework_rate", "satisfaction_rate")
                ],
                "overdue": figures.counts["overdue_open"],
                "overdue_url": figure_url(child, period, "overdue_open"),
            }
        )
    chart = charts.bar_chart(
        _("Ranking of the areas below"),
        bars,
        label_header=_("Area"),
        value_header=_("Score and grade"),
        scale_max=100,
        empty_text=_("no score: nothing to count"),
    )
    return chart, rows


def _department_chart(user, target: Target, period: Period) -> charts.Chart | None:
    """Departments ranked by their handling of this area's cases (district and above, where
    several departments work): a bar leads to a department's own cockpit where the person
    may open it."""
    if target.area is None or target.area.level > 2:
        return None
    ranked = [
        r for r in indicators.rank_departments(period, within=target.area) if r.figures.sample
    ]
    if not ranked:
        return None
    bars = [
        charts.Bar(
            label=entry.key.display_name,
            value=entry.figures.score,
            shown=score_text(entry.figures.score),
            colour=charts.grade_colour(entry.figures.grade),
            url=dashboard_url({"department": entry.key.code}, period)
            if viewers.may_open_department(user, entry.key)
            else "",
            note=entry.figures.grade or _("not graded"),
        )
        for entry in ranked
    ]
    return charts.bar_chart(
        _("Ranking of the departments working here"),
        bars,
        label_header=_("Department"),
        value_header=_("Score and grade"),
        scale_max=100,
        empty_text=_("no score: nothing to count"),
    )


def trend_steps(period: Period, step: str) -> tuple[Period, Period]:
    """The first and last step of a trend that ends with the period."""
    last = period_of(step, period.last)
    first = last
    for _i in range(TREND_STEPS[step] - 1):
        first = period_of(step, first.first - timedelta(days=1))
    return first, last


def _trend_charts(target: Target, period: Period, step: str) -> list[charts.Chart]:
    first, last = trend_steps(period, step)
    points = indicators.series(target.scope, first.first, last.last, step)
    labels = {DAY: _("Day"), WEEK: _("Week"), MONTH: _("Month")}
    return [
        charts.line_chart(
            _("Score per %(step)s") % {"step": labels[step].lower()},
            [(p.period.label, p.figures.score) for p in points],
            label_header=labels[step],
            value_header=_("Score"),
            scale_max=100,
        ),
        charts.line_chart(
            _("Reported per %(step)s") % {"step": labels[step].lower()},
            [(p.period.label, float(p.figures.counts["reported"])) for p in points],
            label_header=labels[step],
            value_header=COUNT_LABELS["reported"],
        ),
        charts.line_chart(
            _("Closed on time per %(step)s") % {"step": labels[step].lower()},
            [
                (
                    p.period.label,
                    None
                    if p.figures.rates["on_time_closing_rate"] is None
                    else round(p.figures.rates["on_time_closing_rate"] * 100, 1),
                )
                for p in points
            ],
            label_header=labels[step],
            value_header=RATE_LABELS["on_time_closing_rate"],
            scale_max=100,
            unit=" %",
        ),
    ]


def _category_chart(target: Target, period: Period) -> charts.Chart | None:
    rows = indicators.by_category(target.scope, period)
    if not rows:
        return None
    bars = [
        charts.Bar(
            label=row.category.display_name,
            value=float(row.figures.counts["reported"]),
            url=figure_url(target, period, "reported", category=row.category.code),
        )
        for row in rows
    ]
    return charts.bar_chart(
        _("Reported per category"),
        bars,
        label_header=_("Category"),
        value_header=COUNT_LABELS["reported"],
    )


def _figure_rows(target: Target, period: Period, evaluation) -> tuple[list[dict], list[dict]]:
    previous, last_year = evaluation.previous, evaluation.last_year
    rates = [
        {
            "name": name,
            "label": RATE_LABELS[name],
            "value": percent(evaluation.rates.get(name)),
            "url": figure_url(target, period, name),
            "how": evaluation.how_counted.get(name, ""),
            "previous": _change(
                evaluation.rates.get(name), previous.rates.get(name) if previous else None, name
            ),
            "last_year": _change(
                evaluation.rates.get(name), last_year.rates.get(name) if last_year else None, name
            ),
        }
        for name in SHOWN_RATES
    ]
    counts = [
        {
            "name": name,
            "label": COUNT_LABELS[name],
            "value": evaluation.counts.get(name, 0),
            "url": figure_url(target, period, name),
            "how": evaluation.how_counted.get(name, ""),
        }
        for name in SHOWN_COUNTS
    ]
    return rates, counts


def open_obligation_rows(target: Target) -> dict:
    """What the target owes now, nearest deadline first, with colours and per-colour totals."""
    owed = indicators.open_obligations(target.scope, limit=OBLIGATIONS_SHOWN + 1)
    complete = len(owed) <= OBLIGATIONS_SHOWN
    owed = owed[:OBLIGATIONS_SHOWN]
    totals = {"green": 0, "yellow": 0, "red": 0}
    for item in owed:
        totals[item.colour] += 1
    return {"obligations": owed, "totals": totals, "complete": complete}


def _texts() -> dict:
    return {
        "colours": {"green": _("on track"), "yellow": _("nearly due"), "red": _("overdue")},
        "cases_in_cell": _("%(n)s cases"),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not viewers.may_open_cockpit(request.user):
        return _refusal(request)
    try:
        target = _target(request)
    except Refused:
        return _refusal(request)
    try:
        period = _period(request)
    except PeriodError as error:
        return refused(request, str(error), status=400)
    step = request.GET.get("step") or (DAY if period.kind in (DAY, WEEK) else MONTH)
    if step not in STEPS:
        return refused(request, _("A step is day, week or month."), status=400)
    evaluation = indicators.evaluate(target.scope, period)
    rates, counts = _figure_rows(target, period, evaluation)
    ranking, ranking_rows = _ranking_chart(target, period)
    here = target.query()
    context = {
        "target": target,
        "period": period,
        "step": step,
        "evaluation": evaluation,
        "score": score_text(evaluation.score),
        "previous_score": score_text(evaluation.previous.score) if evaluation.previous else "—",
        "last_year_score": score_text(evaluation.last_year.score) if evaluation.last_year else "—",
        "rates": rates,
        "counts": counts,
        "crumbs": _crumbs(request.user, target, period),
        "ranking": ranking,
        "ranking_rows": ranking_rows,
        "departments_chart": _department_chart(request.user, target, period),
        "trends": _trend_charts(target, period, step),
        "categories": _category_chart(target, period),
        "step_links": [
            (s, label, dashboard_url(here, period, step=s))
            for s, label in ((DAY, _("per day")), (WEEK, _("per week")), (MONTH, _("per month")))
        ],
        "previous_url": dashboard_url(here, period.previous()),
        "next_url": _next_url(here, period),
        "also": _also(request.user, target, period),
        "map": map_settings(),
        "heat_url": reverse("cockpit:heatmap") + "?" + urlencode({**here, **period_query(period)}),
        "obligations_url": reverse("cockpit:obligations") + "?" + urlencode(here),
        "report_links": _report_links(target, period),
        "cockpit_texts": _texts(),
        **open_obligation_rows(target),
    }
    return render(request, "evaluation/dashboard.html", context)


def _also(user, target: Target, period: Period) -> list[tuple[str, str]]:
    """(name, cockpit URL) of the person's other top areas and own departments."""
    areas = [
        (area.display_name, dashboard_url({"area": area.code}, period))
        for area in viewers.top_areas(user)
        if area != target.area
    ]
    departments = [
        (department.display_name, dashboard_url({"department": department.code}, period))
        for department in viewers.own_departments(user)
        if department != target.department
    ]
    return areas + departments


def _next_url(here: dict[str, str], period: Period) -> str | None:
    """The period after this one, unless it has not begun (or the period is a range)."""
    if period.kind == "range":
        return None
    if period.kind in (DAY, WEEK, MONTH):
        following = period_of(period.kind, period.last + timedelta(days=1))
    else:
        following = _shifted(period)
    if following.start > clock.now():
        return None
    return dashboard_url(here, following)


def _shifted(period: Period) -> Period:
    """The quarter or year after `period`."""
    text = period.label
    if period.kind == "quarter":
        year, quarter = int(text[:4]), int(text[-1])
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        return parse_period(f"{year}-Q{quarter}")
    return parse_period(str(int(text) + 1))


def _report_links(target: Target, period: Period) -> list[tuple[str, str, str]]:
    """The monthly report of an area (`evaluation.web.reports`): its printable page, CSV and
    xlsx, for the same period. None for a department (the report is an area's)."""
    if target.area is None:
        return []
    links = []
    for name, kind, label in (
        ("evaluation:report", "print", _("Printable page")),
        ("evaluation:report_xlsx", "xlsx", _("Download xlsx")),
        ("evaluation:report_csv", "csv", _("Download CSV")),
    ):
        try:
            url = reverse(name, args=[target.area.code])
        except NoReverseMatch:  # the reports' pages are not installed
            continue
        links.append((kind, label, url + "?" + urlencode(period_query(period))))
    return links


@login_required
@require_GET
def obligations(request: HttpRequest) -> HttpResponse:
    """The open obligations list alone: what live.js re-fetches on every case event."""
    if not viewers.may_open_cockpit(request.user):
        return _refusal(request)
    try:
        target = _target(request)
    except Refused:
        return _refusal(request)
    return render(
        request,
        "evaluation/_obligations.html",
        {"target": target, "cockpit_texts": _texts(), **open_obligation_rows(target)},
    )


@login_required
@require_GET
def heat(request: HttpRequest) -> JsonResponse:
    """The heatmap's cells (JSON): counts of the person's cases per cell over the area."""
    try:
        target = _target(request) if viewers.may_open_cockpit(request.user) else None
        period = _period(request)
    except (Refused, PeriodError):
        target = None
    if target is None or target.area is None:
        return JsonResponse({"error": _("No area you may see.")}, status=403)
    area = Area.objects.get(pk=target.area.pk)  # with its bounding box
    cells = heatmap.heat_cells(user=request.user, area=area, start=period.start, end=period.end)
    return JsonResponse(cells)


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure, as many of them as the person may open (`cases_for`)."""
    if not viewers.may_open_cockpit(request.user):
        return _refusal(request)
    try:
        target = _target(request)
        period = _period(request)
    except Refused:
        return _refusal(request)
    except PeriodError as error:
        return refused(request, str(error), status=400)
    figure = request.GET.get("figure", "")
    label = COUNT_LABELS.get(figure) or RATE_LABELS.get(figure)
    if label is None:
        return refused(request, _("That is not a figure of the cockpit."), status=400)
    behind = indicators.cases_behind(target.scope, period, figure)
    category = None
    code = request.GET.get("category", "").strip()
    if code:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404
    everything = Case.objects.filter(behind)
    shown = cases_for(request.user, Action.VIEW, as_staff=True).filter(behind)
    if category is not None:
        everything = everything.filter(category=category)
        shown = shown.filter(category=category)
    page = Paginator(
        shown.select_related("category", "grid", "assignee_department")
        .defer("grid__boundary")
        .order_by(F("due_at").asc(nulls_last=True), "created_at"),
        CASES_PAGE,
    ).get_page(request.GET.get("page"))
    total = everything.count()
    return render(
        request,
        "evaluation/cases.html",
        {
            "target": target,
            "period": period,
            "figure": figure,
            "label": label,
            "is_rate": figure in RATE_LABELS,
            "category": category,
            "page": page,
            "hidden": max(0, total - page.paginator.count),
            "back_url": dashboard_url(target.query(), period),
        },
    )
