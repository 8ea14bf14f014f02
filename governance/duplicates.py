"""Open cases of a category near a point.

Offered to a citizen before submitting ("is it one of these?"), and noted on a new case's
internal timeline after submission by a Celery task (`check_duplicates`).
"""

from __future__ import annotations

import math

from governance import workflow
from governance.models import Case, Category
from governance.models.case import OPEN_STATUSES

EARTH_RADIUS_M = 6_371_008.8
MAX_OFFERED = 5


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open_cases(
    category: Category, lon: float, lat: float, radius_m: float = 50
) -> list[tuple[Case, float]]:
    """Open cases of `category` within `radius_m` of the point, nearest first, with distances.

    A bounding box narrows the rows in SQL; the exact distance is computed here. This is the
    public record (the citizen is offered to follow a case's public page), so it is not scoped
    to a person; callers show only public fields.
    """
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    candidates = Case.objects.filter(
        category=category,
        status__in=OPEN_STATUSES,
        lon__gte=lon - dlon,
        lon__lte=lon + dlon,
        lat__gte=lat - dlat,
        lat__lte=lat + dlat,
        merged_into__isnull=True,
    ).select_related("category")[:200]
    found = [(case, distance_m(lon, lat, case.lon, case.lat)) for case in candidates]
    found = [(case, d) for case, d in found if d <= radius_m]
    found.sort(key=lambda item: item[1])
    return found[:MAX_OFFERED]


def check_duplicates(case_id: int) -> list[str]:
    """Note possible duplicates on the case's internal timeline, once; returns their ids."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.is_open:
        return []
    found = [
        other
        for other, _distance in nearby_open_cases(case.category, case.lon, case.lat)
        if other.pk != case.pk and other.created_at <= case.created_at
    ]
    workflow.record_possible_duplicates(case_id=case_id, duplicates=found)
    return [c.tracking_id for c in found]
