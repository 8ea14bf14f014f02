"""The import page: download the template, upload a file for a dry run (every error by row,
column and reason; what would be created or updated), then import it — nothing is saved from
a file with an error.

Between the dry run and the import the uploaded file is kept in storage under a random name
held in the session (the import reads and checks it again, never trusting the preview), and
deleted once imported.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.web.common import refused
from gridwork.access import may_edit_somewhere
from gridwork.import_store import STORE
from gridwork.importing import commit_import, plan_import
from gridwork.spreadsheets import MAX_BYTES, ImportRefused, read_table, template_xlsx

SESSION_KEY = "gridwork_import"
PREVIEW_ROWS = 200


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("Importing is for the staff of a grid and those above it."))


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    if not may_edit_somewhere(request.user):
        return _refuse(request)
    response = HttpResponse(
        template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="residents-template.xlsx"'
    return response


def _stored(request: HttpRequest) -> tuple[str, str] | None:
    held = request.session.get(SESSION_KEY)
    if not held or not default_storage.exists(held["path"]):
        return None
    return held["path"], held["filename"]


def _forget(request: HttpRequest) -> None:
    held = request.session.pop(SESSION_KEY, None)
    if held and default_storage.exists(held["path"]):
        default_storage.delete(held["path"])


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST a file: the dry run, shown with its errors or its plan."""
    if not may_edit_somewhere(request.user):
        return _refuse(request)
    context: dict = {"max_mb": MAX_BYTES // (1024 * 1024)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["refusal"] = _("Choose a file to import.")
        elif upload.size > MAX_BYTES:
            context["refusal"] = _("The file is larger than 20 MB.")
        else:
            data = upload.read()
            try:
                plan = plan_import(request.user, read_table(data, upload.name))
            except ImportRefused as error:
                context["refusal"] = str(error)
            else:
                context.update(plan=plan, preview=plan.rows[:PREVIEW_ROWS])
                context["errors"] = plan.errors[:1000]
                if plan.ok:
                    _forget(request)
                    path = default_storage.save(
                        f"{STORE}{secrets.token_hex(16)}", ContentFile(data)
                    )
                    request.session[SESSION_KEY] = {"path": path, "filename": upload.name}
    return render(request, "gridwork/import.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Import the file of the last clean dry run, checked again."""
    if not may_edit_somewhere(request.user):
        return _refuse(request)
    stored = _stored(request)
    if stored is None:
        messages.error(request, _("Upload the file again: nothing is waiting to be imported."))
        return redirect("gridwork:import")
    path, filename = stored
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    try:
        done = commit_import(request.user, plan_import(request.user, read_table(data, filename)))
    except ImportRefused as error:
        messages.error(request, str(error))
        return redirect("gridwork:import")
    _forget(request)
    messages.success(
        request,
        _("Imported: %(created)d new residents, %(updated)d updated, %(buildings)d new buildings.")
        % {"created": done.created, "updated": done.updated, "buildings": done.buildings},
    )
    return redirect("gridwork:home")
