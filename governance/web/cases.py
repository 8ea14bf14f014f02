"""The staff case page: timeline, map, photos, answers, and the transitions allowed now."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance import response_templates, workflow
from governance.access import Action, cases_for, permitted, sees_internal_notes
from governance.errors import InvalidInput, NotPermitted, WorkflowError
from governance.file_access import before_and_after, files_shown
from governance.inputs import optional_id
from governance.language import join_list
from governance.models import Audience, Case, Datatype
from governance.privacy import reveal
from governance.web import actions
from governance.web.common import apply_errors, map_settings, refused, scoped_case
from governance.web.queue import queue_neighbours
from governance.web.uploads import PhotosField

QUEUE_QUERY_LIMIT = 1000  # the queue's filters, carried from its links (a few hundred at most)


def answers_for_display(case: Case) -> list[tuple[str, str]]:
    """The extra questions with their answers, labelled, listed and dated in the current
    language: a list's values joined with its separator, a moment in its date format."""
    rows = []
    for question in case.category.questions.all():
        value = case.answers.get(question.code)
        if value in (None, "", []):
            continue
        if question.is_list:
            names = question.value_names
            values = value if isinstance(value, list) else [value]
            value = join_list(names.get(str(v), str(v)) for v in values)
        elif question.datatype == Datatype.DATETIME:
            value = _moment(str(value))
        rows.append((question.display_label, str(value)))
    return rows


def _moment(value: str) -> str:
    """A stored ISO moment as the reader's locale writes it (the text itself if unreadable)."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")


def timeline_context(request: HttpRequest, case: Case, *, public_only: bool) -> dict:
    events = case.events.select_related("actor").prefetch_related("attachments")
    if public_only:
        events = events.exclude(audience=Audience.INTERNAL)
    events = list(events)
    _link_duplicates(request.user, events)
    return {"case": case, "events": events, "public_only": public_only}


def _link_duplicates(user, events: list) -> None:
    """Give each duplicate-check note `duplicates`: (tracking id, whether the person may open
    it), so the cases it names are links where they may (one query, only when there are)."""
    named = {
        tracking_id
        for event in events
        for tracking_id in (event.data or {}).get("possible_duplicates", [])
    }
    if not named:
        return
    visible = set(
        cases_for(user, Action.VIEW, as_staff=True)
        .filter(tracking_id__in=sorted(named))
        .values_list("tracking_id", flat=True)
    )
    for event in events:
        ids = (event.data or {}).get("possible_duplicates", [])
        if ids:
            event.duplicates = [(tracking_id, tracking_id in visible) for tracking_id in ids]


# What the page asks besides the transitions: REPORT (a staff note may be internal),
# SEE_PERSONAL_DATA and VIEW (the contact and how exact the location is).
PAGE_ACTIONS = frozenset({Action.REPORT, Action.SEE_PERSONAL_DATA, Action.VIEW})


def _queue_param(request: HttpRequest) -> str:
    """`?queue=…` when the page was opened from the queue: kept through its action forms (and
    the live refresh of them), so after acting next / previous still walk the same queue."""
    if "queue" not in request.GET:
        return ""
    return "?" + urlencode({"queue": request.GET["queue"][:QUEUE_QUERY_LIMIT]})


def _actions_context(
    request: HttpRequest, case: Case, allowed: frozenset[Action], bound: dict | None = None
) -> dict:
    """The action forms the person has on the case now (the page's live actions block)."""
    names = workflow.available_actions(request.user, case, allowed)
    forms = actions.forms_for(request.user, case, names, allowed=allowed)
    if bound:
        forms = [(n, spec, bound.get(n, form)) for n, spec, form in forms]
    _offer_templates(case, forms)
    return {
        "case": case,
        "action_forms": forms,
        "act_url": "governance:case_act",
        "queue_param": _queue_param(request),
        "actions_url": reverse("governance:case_actions", args=[case.tracking_id])
        + _queue_param(request),
    }


def _offer_templates(case: Case, forms: list) -> None:
    """Give each text field of the action forms the response templates that fit it
    (`response_templates.offered`), as `templates` on its bound field: one query per page,
    and the reporter's language read only when there are templates to offer."""
    templates = response_templates.candidates(case, [name for name, _spec, _form in forms])
    if not templates:
        return
    language = response_templates.case_language(case, get_language() or "zh-hans")
    for name, _spec, form in forms:
        for field in form.fields:
            found = response_templates.offered(
                templates, action=name, field=field, language=language
            )
            if found:
                form[field].templates = found


def _page_context(request: HttpRequest, case: Case, bound: dict | None = None) -> dict:
    user = request.user
    allowed = permitted(user, case, workflow.actions_needed(case.status) | PAGE_ACTIONS)
    shown = reveal(user, case, via="page", allowed=allowed)
    photos = files_shown(request, case)
    before, after = before_and_after(photos)
    return {
        **_actions_context(request, case, allowed, bound),
        **timeline_context(request, case, public_only=not sees_internal_notes(request.user, case)),
        "contact": shown.contact,
        "location_exact": shown.exact,
        "address": shown.address,
        "description": shown.description,
        "hidden": shown.hidden,
        "answers": answers_for_display(case),
        "photos": photos,
        "before_photos": before,
        "after_photos": after,
        "map": map_settings(),
        "points": [{"lon": shown.lon, "lat": shown.lat, "label": case.tracking_id}],
        "may_see_personal_data": shown.personal_data,
        "me_too": _me_too(case),
    }


def _me_too(case: Case) -> int:
    """How many follow the case ("me too"): a number for staff, never who they are."""
    from citizens.following.subscribing import me_too_count  # the pages read the subscriber

    return me_too_count(case)


def staff_case(request: HttpRequest, tracking_id: str) -> Case:
    """The case for the staff pages: one the person has a staff role on (not only as its
    reporter), else 404."""
    return scoped_case(request.user, tracking_id, as_staff=True)


@login_required
@require_GET
def case_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    try:
        case = staff_case(request, tracking_id)
    except Http404:
        # Its reporter, with no staff role on it: the citizen's page of their own request.
        if cases_for(request.user, Action.OWN).filter(tracking_id=tracking_id).exists():
            return redirect("citizens:request", tracking_id=tracking_id)
        raise
    context = _page_context(request, case)
    if "queue" in request.GET:
        context["queue_nav"] = queue_neighbours(
            request.user, request.GET["queue"][:QUEUE_QUERY_LIMIT], case
        )
    return render(request, "governance/case.html", context)


@login_required
@require_GET
def case_live(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """The status and timeline fragment, for in-place updates."""
    case = staff_case(request, tracking_id)
    return render(
        request,
        "governance/_case_status.html",
        timeline_context(request, case, public_only=not sees_internal_notes(request.user, case)),
    )


@login_required
@require_GET
def case_actions(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """The actions block for the case as it is now, for in-place updates after a change."""
    case = staff_case(request, tracking_id)
    allowed = permitted(request.user, case, workflow.actions_needed(case.status) | PAGE_ACTIONS)
    return render(request, "includes/action_forms.html", _actions_context(request, case, allowed))


@login_required
@require_POST
def case_act(request: HttpRequest, tracking_id: str, name: str) -> HttpResponse:
    case = staff_case(request, tracking_id)
    return run_action(
        request,
        case,
        name,
        page=lambda bound, status: render(
            request, "governance/case.html", _page_context(request, case, bound), status=status
        ),
        done=lambda: redirect(
            reverse("governance:case", args=[case.tracking_id]) + _queue_param(request)
        ),
        back=reverse("governance:case", args=[case.tracking_id]),
    )


@login_required
@require_POST
def case_insert_template(request: HttpRequest, tracking_id: str, name: str) -> HttpResponse:
    """The template picker without a script: the action form comes back as it was typed, with
    the chosen template's text added to the field, to edit before sending. Nothing is run."""
    case = staff_case(request, tracking_id)
    if name not in actions.ACTIONS:
        raise Http404
    back = reverse("governance:case", args=[case.tracking_id])
    problem = actions.refusal(request.user, case, name)
    if problem is not None:
        status, message = problem
        return refused(request, message, status=status, back=back)
    form = actions.form_for(name, request.user, case)
    field = request.POST.get("insert", "")
    if field not in form.fields:
        raise Http404
    language = response_templates.case_language(case, get_language() or "zh-hans")
    chosen = optional_id(request.POST.get(f"template-{form.prefix}-{field}"))
    found = [
        t
        for t in response_templates.offered_for(case, action=name, field=field, language=language)
        if t.pk == chosen
    ]
    initial = {
        key: request.POST.get(form.add_prefix(key), "")
        for key in form.fields
        if not isinstance(form.fields[key], PhotosField)
    }
    if found:
        typed = initial.get(field, "").rstrip()
        initial[field] = (typed + "\n" if typed else "") + found[0].text
    else:
        messages.error(request, _("Choose one of the templates offered for this field."))
    filled = actions.form_for(name, request.user, case)
    filled.initial = initial
    filled.open = True
    return render(request, "governance/case.html", _page_context(request, case, {name: filled}))


def run_action(
    request: HttpRequest, case: Case, name: str, *, page, done, back: str
) -> HttpResponse:
    """Validate the posted form and call the workflow; map refusals to pages and messages.
    `back`: the case's page the form was posted from, linked from a refusal."""
    if name not in actions.ACTIONS:
        raise Http404
    problem = actions.refusal(request.user, case, name)
    if problem is not None:
        status, message = problem
        return refused(request, message, status=status, back=back)
    form = actions.form_for(name, request.user, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.ACTIONS[name].run(case, request.user, form.cleaned_data)
        except InvalidInput as error:
            apply_errors(form, error)
        except NotPermitted as error:
            message = error.message + " " + _("Nothing was changed.")
            return refused(request, message, status=403, back=back)
        except WorkflowError as error:
            message = error.message + " " + _("Nothing was changed.")
            return refused(request, message, status=409, back=back)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": actions.spec_for(name, case).button}
            )
            return done()
    messages.error(request, _("Please correct the errors below."))
    return page({name: form}, 400)
