"""Map data: our own grid outlines as GeoJSON, so maps help even when tiles do not load."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from governance.web.common import grid_outlines


@require_GET
@cache_control(max_age=300, public=True)
def grids_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(grid_outlines())
