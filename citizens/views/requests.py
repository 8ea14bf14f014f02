"""Submitting a request and following it: confirmation, my requests, a request's page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from citizens.forms import AnonymousSubmitForm, SubmitForm
from governance import workflow
from governance.access import HELD_CASES_KEY, Action, CaseHolder, cases_for
from governance.duplicates import nearby_open_cases
from governance.errors import InvalidInput
from governance.file_access import files_shown
from governance.inputs import optional_id
from governance.models import Case, CaseContact, Category, Channel
from governance.routing import validate_point
from governance.story import next_step, status_meaning, who_handles
from governance.web import actions
from governance.web.cases import answers_for_display, run_action, timeline_context
from governance.web.common import map_settings, scoped_case
from governance.web.errors import refusal
from governance.web.limited import limit_posts

SUBMITTED_KEY = HELD_CASES_KEY
HELD_LIMIT = 20  # the tracking ids a browser keeps (the newest)


def hold_case(request: HttpRequest, tracking_id: str) -> None:
    """Keep `tracking_id` in the browser's session: filed here, or opened with the one-time
    link sent to its contact. Without an account, the session is the reporter's key to it."""
    seen = [t for t in request.session.get(SUBMITTED_KEY, []) if t != tracking_id]
    request.session[SUBMITTED_KEY] = [*seen[-(HELD_LIMIT - 1) :], tracking_id]


def reporter_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The reporter's pages: for a signed-in person, their own requests; for a browser not
    signed in, the requests without an account it holds (`CaseHolder`); else sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            held = request.session.get(SUBMITTED_KEY, [])
            if not held:
                return redirect_to_login(request.get_full_path())
            request.user = CaseHolder(held)
        return view(request, *args, **kwargs)

    return wrapper


def _form_class(request: HttpRequest):
    return SubmitForm if request.user.is_authenticated else AnonymousSubmitForm


def _contact(request: HttpRequest, form) -> dict[str, str]:
    if request.user.is_authenticated:
        user = request.user
        return {"name": user.display_name, "phone": user.phone or "", "email": user.email or ""}
    return form.contact()


def _pin_from(request: HttpRequest) -> dict[str, float]:
    """A pin the submit page opens with: "Report a problem here" from the map's place."""
    try:
        lon, lat = validate_point(request.GET.get("lon"), request.GET.get("lat"))
    except ValidationError:
        return {}
    return {"lon": lon, "lat": lat}


@limit_posts("filing")
def submit(request: HttpRequest) -> HttpResponse:
    form_class = _form_class(request)
    form = form_class(request.POST or None, request.FILES or None, initial=_pin_from(request))
    if request.method == "POST" and form.is_valid():
        try:
            case = workflow.submit_case(
                actor=request.user,
                channel=Channel.WEB,
                contact=_contact(request, form),
                **form.submission(),
            )
        except InvalidInput as error:
            form.apply_errors(error)
        else:
            hold_case(request, case.tracking_id)
            return redirect("citizens:submitted", tracking_id=case.tracking_id)
    return render(
        request,
        "citizens/submit.html",
        {"form": form, "map": map_settings()},
        status=400 if form.errors else 200,
    )


@require_GET
def submit_questions(request: HttpRequest) -> HttpResponse:
    """The chosen category's extra questions as form fields (an htmx fragment)."""
    form = _form_class(request)(initial={"category": request.GET.get("category")})
    return render(request, "citizens/_questions.html", {"form": form})


@require_GET
def submit_nearby(request: HttpRequest) -> HttpResponse:
    """Open cases of the chosen category within 50 m of the pin (an htmx fragment)."""
    category_id = optional_id(request.GET.get("category"))
    if request.GET.get("category") and category_id is None:
        return refusal(request, 400, _("There is no such category."), "invalid")
    category = Category.objects.filter(pk=category_id, active=True).first()
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        category = None
    found = (
        nearby_open_cases(person=request.user, category=category, lon=lon, lat=lat)
        if category
        else []
    )
    return render(request, "citizens/_nearby.html", {"found": found})


@require_GET
def submitted(request: HttpRequest, tracking_id: str) -> HttpResponse:
    owned = cases_for(request.user, Action.OWN).filter(tracking_id=tracking_id).exists()
    if not owned and tracking_id not in request.session.get(SUBMITTED_KEY, []):
        raise Http404
    told_by = ""
    if not request.user.is_authenticated:
        holder = CaseHolder(request.session.get(SUBMITTED_KEY, []))
        case = cases_for(holder, Action.OWN).filter(tracking_id=tracking_id).first()
        told_by = _contact_channels(case)
    return render(
        request, "citizens/submitted.html", {"tracking_id": tracking_id, "told_by": told_by}
    )


def _contact_channels(case: Case | None) -> str:
    """How the confirmation reaches a reporter without an account ("" if it does not)."""
    contact = CaseContact.objects.filter(case=case).first() if case is not None else None
    if contact is None:
        return ""
    if contact.email and contact.phone:
        return pgettext("how a confirmation is sent", "by e-mail and SMS")
    if contact.email:
        return pgettext("how a confirmation is sent", "by e-mail")
    return pgettext("how a confirmation is sent", "by SMS") if contact.phone else ""


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    cases = (
        cases_for(request.user, Action.OWN)
        .filter(reporter=request.user)
        .select_related("category", "assignee_department")
        .order_by("-created_at")
    )
    return render(request, "citizens/my_requests.html", {"cases": cases})


def _own_case(request: HttpRequest, tracking_id: str):
    case = scoped_case(request.user, tracking_id, Action.OWN)
    if case.reporter_id != request.user.pk:
        raise Http404
    return case


def _actions_context(request: HttpRequest, case, bound: dict | None = None) -> dict:
    """The action forms the reporter has on their request now (the live actions block)."""
    names = [
        n for n in workflow.available_actions(request.user, case) if n in actions.CITIZEN_ACTIONS
    ]
    forms = actions.forms_for(request.user, case, names)
    if bound:
        forms = [(n, spec, bound.get(n, form)) for n, spec, form in forms]
    return {
        "case": case,
        "action_forms": forms,
        "act_url": "citizens:request_act",
        "actions_url": reverse("citizens:request_actions", args=[case.tracking_id]),
    }


def _status_context(request: HttpRequest, case) -> dict:
    """The status block: the timeline, and in words what the status means, what happens next
    and who has the request now (the city's dispatchers when it is outside every grid)."""
    return {
        **timeline_context(request, case, public_only=True),
        "meaning": status_meaning(case.status),
        "next_step": next_step(case.status),
        "handler": who_handles(
            status=case.status,
            grid=case.grid.display_name if case.grid_id else "",
            department=(
                case.assignee_department.display_name if case.assignee_department_id else ""
            ),
            officer=case.assignee_id is not None,
        ),
    }


def _page_context(request: HttpRequest, case, bound: dict | None = None) -> dict:
    return {
        **_status_context(request, case),
        **_actions_context(request, case, bound),
        "answers": answers_for_display(case),
        "photos": files_shown(request, case),
        "map": map_settings(),
        "points": [{"lon": case.lon, "lat": case.lat, "label": case.tracking_id}],
        "live_url": reverse("citizens:request_live", args=[case.tracking_id]),
    }


@reporter_required
@require_GET
def request_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    case = _own_case(request, tracking_id)
    return render(request, "citizens/request.html", _page_context(request, case))


@reporter_required
@require_GET
def request_live(request: HttpRequest, tracking_id: str) -> HttpResponse:
    case = _own_case(request, tracking_id)
    return render(request, "citizens/_request_status.html", _status_context(request, case))


@reporter_required
@require_GET
def request_actions(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """The actions block for the request as it is now, for in-place updates after a change."""
    case = _own_case(request, tracking_id)
    return render(request, "includes/action_forms.html", _actions_context(request, case))


@reporter_required
@require_POST
def request_act(request: HttpRequest, tracking_id: str, name: str) -> HttpResponse:
    case = _own_case(request, tracking_id)
    if name not in actions.CITIZEN_ACTIONS:
        raise Http404
    return run_action(
        request,
        case,
        name,
        page=lambda bound, status: render(
            request, "citizens/request.html", _page_context(request, case, bound), status=status
        ),
        done=lambda: redirect("citizens:request", tracking_id=case.tracking_id),
        back=reverse("citizens:request", args=[case.tracking_id]),
    )
