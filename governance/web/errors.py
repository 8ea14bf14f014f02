"""The site's refusals in the shape each part speaks: the REST API's JSON
`{"detail", "code"}`, Open311's error list (JSON or XML by the path's suffix), and pages.

Django's error handlers (config.urls) and the input guard answer through `refusal`, so a bad
request that never reaches a view (a malformed multipart body, too many fields, a NUL byte)
gets the same body as one a view refuses — and the API's own 500 is JSON too.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from governance.open311.renderers import errors as open311_errors

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def _speaks_json(path: str) -> bool:
    return path.startswith(API_PREFIX)


def refusal(request: HttpRequest, status: int, message: str, code: str) -> HttpResponse:
    """`message` as a `status` answer in the form the requested part of the site uses."""
    path = request.path
    if path.startswith(OPEN311_PREFIX):
        return open311_errors("xml" if path.endswith(".xml") else "json", status, [message])
    if _speaks_json(path):
        return JsonResponse({"detail": message, "code": code}, status=status)
    try:
        body = loader.render_to_string(
            "error.html", {"status": status, "message": message}, request=request
        )
    except Exception:  # the page itself failed (e.g. the database is down): plain words
        logger.exception("error page could not be rendered")
        body = f"<!doctype html><title>{status}</title><p>{message}</p>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return refusal(request, 413, _("The request body is too large."), "too_large")
    return refusal(
        request,
        400,
        _("The request could not be read: it is malformed or too large."),
        "bad_request",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refusal(request, 403, _("You may not do this."), "permission_denied")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith((API_PREFIX, OPEN311_PREFIX)):
        return refusal(request, 404, _("Not found."), "not_found")
    return HttpResponse(loader.render_to_string("404.html", request=request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Never renders the site's templates (they may be what failed)."""
    message = _("Something went wrong on our side. Please try again later.")
    if request.path.startswith((API_PREFIX, OPEN311_PREFIX)):
        return refusal(request, 500, message, "server_error")
    return HttpResponse(loader.render_to_string("500.html", {"message": message}), status=500)
