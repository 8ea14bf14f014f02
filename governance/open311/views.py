"""Open311 GeoReport v2 at /open311/v2/: discovery, services, definitions, requests, tokens.

The public record: every case comes from `cases_for(user, Action.PUBLIC)` and is shown without
personal data. The tracking id is the `service_request_id`; requests are created synchronously,
so POST answers the id at once and `tokens/{token}` accepts a tracking id as its token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from governance import reference, workflow
from governance.access import Action, cases_for
from governance.errors import InvalidInput, NotPermitted, WorkflowError
from governance.limits import hit_request
from governance.models import ApiKey, Category, Channel, Question
from governance.models.case import FINAL_STATUSES, OPEN_STATUSES
from governance.open311 import documents
from governance.open311.forms import Open311Error, parse_new_request, parse_request_query
from governance.open311.renderers import errors, respond
from governance.routing import city_for_unrouted

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00Z"

View = Callable[..., HttpResponse]


def open311(*methods: str) -> Callable[[View], View]:
    """Allowed methods, and every Open311Error or bad input as an Open311 error body."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = errors(fmt, 405, [_("Method not allowed.")])
                response["Allow"] = ", ".join(methods)
                return response
            if any("\x00" in value for value in kwargs.values()):
                return errors(fmt, 404, [_("Not found.")])
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return errors(fmt, error.status, error.descriptions)
            except RequestDataTooBig:
                return errors(fmt, 413, [_("The request body is too large.")])

        return csrf_exempt(wrapper)

    return decorate


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.DEFAULT_FROM_EMAIL,
            "key_service": _(
                "API keys for POST are issued by the administrator "
                "(python manage.py open311_apikey NAME)."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri("/open311/v2/"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = Category.objects.filter(active=True).prefetch_related(
        Prefetch("questions", queryset=Question.objects.only("pk", "category_id"))
    )
    return respond(
        fmt,
        "services",
        [documents.service(c, bool(c.questions.all())) for c in categories],
    )


def _no_service(code: str) -> Open311Error:
    return Open311Error(404, [_("service_code: no service %(code)s.") % {"code": code[:60]}])


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, active=True).prefetch_related("questions").first()
    if category is None:
        raise _no_service(code)
    return category


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    return respond(fmt, "service_definition", documents.service_definition(_category(code)))


def _public_cases():
    return cases_for(_public(), Action.PUBLIC)


def _public():

    return AnonymousUser()


@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    query = parse_request_query(request.GET)
    cases = _public_cases().order_by("-created_at", "-pk")
    if query.ids:
        cases = cases.filter(tracking_id__in=query.ids)
    else:
        cases = cases.filter(created_at__gte=query.start, created_at__lte=query.end)
        if query.codes:
            cases = cases.filter(category__code__in=query.codes)
        wanted = set(query.statuses)
        if wanted == {"open"}:
            cases = cases.filter(status__in=sorted(OPEN_STATUSES))
        elif wanted == {"closed"}:
            cases = cases.filter(status__in=sorted(FINAL_STATUSES))
    offset = (query.page - 1) * query.page_size
    page = cases[offset : offset + query.page_size]
    return respond(
        fmt,
        "service_requests",
        documents.service_requests(page, request, extensions=query.extensions),
    )


@open311("GET")
def single_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    extensions = request.GET.get("extensions", "").lower() == "true"
    found = documents.service_requests(
        _public_cases().filter(tracking_id=request_id)[:1], request, extensions=extensions
    )
    if not found:
        raise Open311Error(404, [_("No service request %(id)s.") % {"id": request_id[:40]}])
    return respond(fmt, "service_requests", found)


@open311("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Requests are created at once, so a token is the request's tracking id."""
    found = cases_for(_public(), Action.PUBLIC).filter(tracking_id=token).exists()
    if not found:
        raise Open311Error(404, [_("No request for token %(token)s.") % {"token": token[:40]}])
    return respond(fmt, "service_requests", [{"service_request_id": token, "token": token}])


def _placeholder_point() -> tuple[float, float]:
    city = city_for_unrouted()
    if city is not None and city.min_lon is not None:
        return (city.min_lon + city.max_lon) / 2, (city.min_lat + city.max_lat) / 2
    return 0.0, 0.0


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = ApiKey.objects.verify(request.POST.get("api_key", "").strip())
    if api_key is None:
        raise Open311Error(403, [_("api_key: missing or not valid.")])
    exceeded = hit_request(request, "open311_post", api_key=api_key.pk)
    if exceeded is not None:
        response = errors(fmt, 429, [exceeded.message])
        response["Retry-After"] = str(exceeded.retry_after)
        return response
    new = parse_new_request(request.POST)
    # The per-process copy, as the API's filing: its questions are read from the copy too
    # (`governance.answers.clean_answers`), so filing reads no reference data per request.
    category = reference.active_category(new.service_code)
    if category is None:
        raise _no_service(new.service_code)
    if new.lat is None:
        lon, lat, locate = *_placeholder_point(), False
    else:
        lon, lat, locate = new.long, new.lat, True
    try:
        case = workflow.submit_case(
            actor=_public(),
            category=category,
            description=new.description,
            lon=lon,
            lat=lat,
            address=new.address,
            channel=Channel.API,
            answers=new.answers,
            contact=new.contact,
            locate=locate,
        )
    except InvalidInput as error:
        names = {"lon": "long", "answers": "attribute"}
        descriptions = [
            f"{_field_name(field, names)}: {' '.join(messages)}"
            for field, messages in error.errors.items()
        ]
        raise Open311Error(400, descriptions) from None
    except NotPermitted as error:
        raise Open311Error(403, [error.message]) from None
    except WorkflowError as error:
        raise Open311Error(400, [error.message]) from None
    notice = _("Your request has been received; it will be routed to the responsible grid.")
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": case.tracking_id, "service_notice": notice}],
    )


def _field_name(field: str, names: dict[str, str]) -> str:
    if field.startswith("answers."):
        return f"attribute[{field.split('.', 1)[1]}]"
    if field.startswith("contact."):
        return field.split(".", 1)[1]
    return names.get(field, field)
