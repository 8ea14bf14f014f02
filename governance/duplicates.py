"""Open cases of a category near a point.

Offered to a citizen before submitting ("is it one of these?"), and noted on a new case's
internal timeline after submission by a Celery task (`check_duplicates`).

The offer is asked anonymously, from any point, as often as one likes: whatever it answers
about a case must be a function of what the public already has. So for a case the person is
not permitted to see exactly, it is found, ordered and described by its public (rounded)
point only — never a private-location case, never a distance finer than "within 50 m", never
an order by exact distance — and the query has the same shape whether or not private cases
are near. Exact distances are only for cases the person may see exactly (staff permitted on
them, or their own reporter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from governance import workflow
from governance.access import Action, Person, cases_for
from governance.models import Case, Category
from governance.models.case import OPEN_STATUSES
from governance.public import rounded

EARTH_RADIUS_M = 6_371_008.8
MAX_OFFERED = 5
RADIUS_M = 50
# How far a case may lie from its public point: half a rounding cell's diagonal (0.0005° of
# latitude and of longitude, about 56 m × 48 m at 30°N), with room for higher latitudes.
ROUNDING_SLACK_M = 80
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Nearby:
    """One case offered as a possible duplicate, as the asking person may see it."""

    case: Case
    exact: bool  # False: found by its public point; its distance is only "nearby"
    distance_m: float | None  # exact distance, only when `exact`


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _box(cases: QuerySet[Case], lon: float, lat: float, radius_m: float) -> QuerySet[Case]:
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return cases.filter(
        lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat
    )


def _open(cases: QuerySet[Case], category: Category) -> QuerySet[Case]:
    return cases.filter(category=category, status__in=OPEN_STATUSES, merged_into__isnull=True)


def nearby_open_cases(
    *, person: Person, category: Category, lon: float, lat: float, radius_m: float = RADIUS_M
) -> list[Nearby]:
    """Open cases of `category` near the point, as `person` may learn of them (at most 5).

    Cases `person` may see exactly: within `radius_m`, by exact distance. Every other case of
    an ordinary category: when its public point is within `radius_m` and the rounding slack
    (so a true duplicate is never missed), ordered by public-point distance, then newest.
    """
    # Wide enough that every case whose public point is in reach is read, wherever in its
    # rounding cell it lies: what is found never depends on the exact point.
    box_m = radius_m + 2 * ROUNDING_SLACK_M
    exact_ids = cases_for(person, Action.VIEW).filter(
        Q(category__private_location=False) | Q(pk__in=cases_for(person, Action.SEE_PERSONAL_DATA))
    )
    # One query, the same whatever lies near: the private cases the person may not see are
    # excluded inside it, never read and dropped here.
    candidates = list(
        _box(_open(cases_for(person, Action.PUBLIC), category), lon, lat, box_m)
        .filter(Q(category__private_location=False) | Q(pk__in=exact_ids.values("pk")))
        .select_related("category")
        .order_by("-created_at", "-pk")[:MAX_CANDIDATES]
    )
    exact = set(exact_ids.filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True))
    found: list[tuple[tuple[float, float], Nearby]] = []
    for order, case in enumerate(candidates):
        if case.pk in exact:
            d = distance_m(lon, lat, case.lon, case.lat)
            if d <= radius_m:
                found.append(((d, order), Nearby(case, exact=True, distance_m=d)))
            continue
        public_lon, public_lat = rounded(case.lon, case.lat)
        d = distance_m(lon, lat, public_lon, public_lat)
        if d <= radius_m + ROUNDING_SLACK_M:
            found.append(((d, order), Nearby(case, exact=False, distance_m=None)))
    found.sort(key=lambda item: item[0])
    return [nearby for _key, nearby in found[:MAX_OFFERED]]


def earlier_open_cases_near(case: Case, *, radius_m: float = RADIUS_M) -> list[Case]:
    """The open cases of `case`'s category filed before it within `radius_m` (exact), nearest
    first, at most 5: the duplicate check's finding, for the case's internal timeline.

    Filtered by filing time before the cut, so at a busy spot the older duplicates are kept.
    """
    candidates = (
        _box(
            _open(cases_for(AnonymousUser(), Action.PUBLIC), case.category),
            case.lon,
            case.lat,
            radius_m,
        )
        .exclude(pk=case.pk)
        .filter(created_at__lte=case.created_at)
        .order_by("-created_at", "-pk")[:MAX_CANDIDATES]
    )
    found = [(distance_m(case.lon, case.lat, o.lon, o.lat), o) for o in candidates]
    found = [(d, o) for d, o in found if d <= radius_m]
    found.sort(key=lambda item: item[0])
    return [o for _d, o in found[:MAX_OFFERED]]


def check_duplicates(case_id: int) -> list[str]:
    """Note possible duplicates on the case's internal timeline, once; returns their ids."""
    case = Case.objects.filter(pk=case_id).select_related("category").first()
    if case is None or not case.is_open:
        return []
    found = earlier_open_cases_near(case)
    workflow.record_possible_duplicates(case_id=case_id, duplicates=found)
    return [c.tracking_id for c in found]
