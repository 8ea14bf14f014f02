"""Map data: our own grid outlines as GeoJSON, so maps help even when tiles do not load."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from governance.web.common import grid_outlines


@require_GET
@cache_control(max_age=300, public=True)
def grids_geojson(request: HttpRequest) -> JsonResponse:
    """The outlines with names in the reader's language: `?lang=` (what our pages ask for, so a
    shared cache keeps one copy per language) or else the request's own language, with `Vary`
    saying so."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        response = JsonResponse(grid_outlines())
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["Content-Language"] = language
    return response
