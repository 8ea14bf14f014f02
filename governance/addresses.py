"""Absolute addresses of the site's pages and files: the one way a link that leaves the page
(a file's address in the API, a link in an e-mail or SMS) is built.

With a request, the address it came in on (a page's links follow the host the person used);
without one (a Celery task writing an e-mail) the site's configured address, `SITE_URL`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """`path` (starting with /) as an absolute address."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path


def absolute_reverse(
    name: str, *, args: tuple | list = (), request: HttpRequest | None = None
) -> str:
    """The absolute address of the named route (`reverse`, then `absolute`)."""
    return absolute(reverse(name, args=args), request)
