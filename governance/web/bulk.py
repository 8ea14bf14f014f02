"""Bulk actions on the queue's selected cases: accept, reject (with a reason), dispatch, or an
internal note.

Each selected case goes through its own workflow function, which checks permission and state
under the case's row lock inside its own transaction: a case is changed whole or not at all,
and a refused one does not stop the others. The notice counts what was done and lists each
refused case with the workflow's reason. The cases are looked up through `cases_for` as
staff, so a case the person does not see (or only reported) is "no such case".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from governance import workflow
from governance.access import Action, Person, cases_for
from governance.errors import WorkflowError
from governance.inputs import optional_id
from governance.models import Audience, Case, Department
from governance.web.queue import PAGE_SIZE


def _bulk_dispatch(case: Case, user: Person, data: dict) -> None:
    workflow.dispatch_case(case_id=case.pk, actor=user, department=data["department"])


def _bulk_accept(case: Case, user: Person, data: dict) -> None:
    workflow.file_case(case_id=case.pk, actor=user)


def _bulk_reject(case: Case, user: Person, data: dict) -> None:
    workflow.reject_case(case_id=case.pk, actor=user, reason=data["reason"])


def _bulk_note(case: Case, user: Person, data: dict) -> None:
    workflow.add_note(case_id=case.pk, actor=user, text=data["text"], audience=Audience.INTERNAL)


# What the queue's bulk form can do to each selected case: one workflow function per case,
# each with its own permission and state check under its own row lock, so a case is either
# changed whole or not at all, and the others go on. (operation → function, what it needs,
# the "n cases …" message.)
BULK_OPERATIONS = {
    "dispatch": (
        _bulk_dispatch,
        None,
        lambda n: ngettext("%(n)d case dispatched.", "%(n)d cases dispatched.", n),
    ),
    "accept": (
        _bulk_accept,
        None,
        lambda n: ngettext("%(n)d case accepted.", "%(n)d cases accepted.", n),
    ),
    "reject": (
        _bulk_reject,
        "reason",
        lambda n: ngettext("%(n)d case rejected.", "%(n)d cases rejected.", n),
    ),
    "note": (
        _bulk_note,
        "text",
        lambda n: ngettext(
            "An internal note was added to %(n)d case.",
            "An internal note was added to %(n)d cases.",
            n,
        ),
    ),
}


def _run_bulk(request: HttpRequest, operation: str) -> HttpResponse:
    """Run `operation` on each selected case the person may see as staff; say how many were
    done and list each refused one with the workflow's reason."""
    back = request.POST.get("next", "")
    back = back if back.startswith("/work/") else reverse("governance:queue")
    if operation not in BULK_OPERATIONS:
        messages.error(request, _("Choose what to do with the selected cases."))
        return redirect(back)
    run, needed, done_message = BULK_OPERATIONS[operation]
    data = {
        "department": Department.objects.filter(
            pk=optional_id(request.POST.get("department"))
        ).first(),
        "reason": request.POST.get("reason", "").strip(),
        "text": request.POST.get("text", "").strip(),
    }
    ids = request.POST.getlist("cases")[:PAGE_SIZE]
    if not ids:
        messages.error(request, _("Select the cases first."))
        return redirect(back)
    if needed and not data[needed]:
        messages.error(
            request,
            _("Write the reason first; nothing was changed.")
            if needed == "reason"
            else _("Write the note first; nothing was changed."),
        )
        return redirect(back)
    # As staff only: a case the person reported themselves is not theirs to act on in bulk.
    chosen = cases_for(request.user, Action.VIEW, as_staff=True).filter(tracking_id__in=ids)
    done, refused = 0, []
    for case in chosen.order_by("pk"):
        try:
            run(case, request.user, data)
            done += 1
        except WorkflowError as error:
            refused.append(f"{case.tracking_id}: {error.message}")
    missing = set(ids) - {c.tracking_id for c in chosen}
    refused += [f"{tid}: {_('There is no such case.')}" for tid in sorted(missing)]
    if done:
        messages.success(request, done_message(done) % {"n": done})
    if refused:
        messages.error(
            request,
            ngettext("%(n)d case was not changed:", "%(n)d cases were not changed:", len(refused))
            % {"n": len(refused)},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(back)


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch the selected cases, each through the workflow; report what was refused."""
    return _run_bulk(request, "dispatch")


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Accept, reject (with a reason), dispatch or note the selected cases: `_run_bulk`."""
    return _run_bulk(request, request.POST.get("operation", ""))
