"""The pages' side of the request limits: refuse with 429, a readable message and Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.limits import Exceeded, hit_request

View = Callable[..., HttpResponse]


def too_many(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """The page that says the request was not taken and when to try again (429)."""
    response = render(request, "limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response


def refuse(request: HttpRequest, exceeded: Exceeded) -> HttpResponse:
    return too_many(request, exceeded.message, exceeded.retry_after)


def limit_posts(
    scope: str, *, target: Callable[[HttpRequest], str | None] | None = None
) -> Callable[[View], View]:
    """Count every POST to the view under `scope` per address, per account when signed in,
    and per `target` (e.g. the e-mail a reset is asked for); refuse past the rate."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                exceeded = hit_request(request, scope, target=target(request) if target else None)
                if exceeded is not None:
                    return refuse(request, exceeded)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
