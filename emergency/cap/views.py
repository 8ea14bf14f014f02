"""GET /cap/alerts.atom and /cap/alerts/<identifier>.xml: public, cacheable, read-only."""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from emergency.cap.alerts import CAP_MEDIA_TYPE, alert_xml, public_notices
from emergency.cap.feed import feed_xml

MAX_AGE = 60  # seconds: a warning must not linger in caches


def _cacheable(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type=content_type
    )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def alert_feed(request: HttpRequest) -> HttpResponse:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    if not 1 <= page <= 10_000:
        raise Http404
    return _cacheable(request, feed_xml(page), "application/atom+xml; charset=utf-8")


@require_safe
def alert_document(request: HttpRequest, identifier: str) -> HttpResponse:
    notice = public_notices().filter(identifier=identifier).first()
    if notice is None:
        raise Http404
    return _cacheable(request, alert_xml(notice), f"{CAP_MEDIA_TYPE}; charset=utf-8")
