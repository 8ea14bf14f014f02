"""The site's own "not found" page also while DEBUG is on (the embedded demo).

With DEBUG on Django answers an unknown address with its technical 404 page, which lists every
URL pattern of the site; a person trying the demo should see the friendly page instead. Only
404s are answered here: a 500 keeps its DEBUG traceback for development.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver

from governance.web.errors import page_not_found


class FriendlyNotFoundMiddleware:
    """Unknown addresses and views' Http404 get `page_not_found` even when DEBUG is on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404:
                return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
