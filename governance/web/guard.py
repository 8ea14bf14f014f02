"""Input no view can use, refused before any view sees it.

- A NUL character anywhere in the path (404: no page is named so), the query string or a
  form-encoded body (400). PostgreSQL cannot store or compare NUL in text, so on PostgreSQL
  every such value was a 500 while SQLite quietly accepted it; refusing it here gives both
  databases the same answer on every path. (Multipart fields are checked by the form fields,
  which refuse NUL themselves; JSON by the serializer fields.)
- A query string longer than MAX_QUERY_STRING: 414, in the usual error body. The ASGI server
  must let such a request through to be answered (see `config.http_limits`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from governance.web.errors import refusal

MAX_QUERY_STRING = 8 * 1024
_NUL = ("\x00", "%00")


def _has_nul(text: str) -> bool:
    return any(marker in text for marker in _NUL)


def _form_body_has_nul(request: HttpRequest) -> bool:
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # the view (or the error handler) answers 413
    return b"\x00" in body or b"%00" in body


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if len(query) > MAX_QUERY_STRING:
            return refusal(
                request,
                414,
                _("The address is too long (at most %(n)d characters of parameters).")
                % {"n": MAX_QUERY_STRING},
                "uri_too_long",
            )
        if "\x00" in request.path:
            return refusal(request, 404, _("Not found."), "not_found")
        if _has_nul(query) or _form_body_has_nul(request):
            return refusal(
                request, 400, _("Parameters may not contain NUL characters."), "bad_request"
            )
        return self.get_response(request)
