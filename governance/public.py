"""The public record of requests: anonymised rows, no personal data, locations rounded.

This is what anybody may see (as in Open311), not a person's scope: it never includes a
description, a contact, a reporter or an exact point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from governance.access import Action, cases_for
from governance.models import Case, Status
from governance.privacy import public_point

RECENT_LIMIT = 200


@dataclass(frozen=True)
class PublicRequest:
    tracking_id: str
    category: str
    category_code: str
    status: str
    status_label: str
    lon: float | None
    lat: float | None
    area: str
    submitted: datetime
    department: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.tracking_id,
            "category": self.category,
            "status": self.status_label,
            "lon": self.lon,
            "lat": self.lat,
        }


def _row(case: Case) -> PublicRequest:
    lon, lat = (None, None) if case.category.private_location else public_point(case)
    return PublicRequest(
        tracking_id=case.tracking_id,
        category=case.category.display_name,
        category_code=case.category.code,
        status=case.status,
        status_label=case.get_status_display(),
        lon=lon,
        lat=lat,
        area=case.grid.name if case.grid else "",
        submitted=case.created_at,
        department=case.assignee_department.display_name if case.assignee_department else "",
    )


def _public_cases() -> QuerySet[Case]:
    """Every case, through the scoped-access path as anyone sees it (anonymised fields only)."""
    return (
        cases_for(AnonymousUser(), Action.PUBLIC)
        .select_related("category", "grid", "assignee_department")
        .defer("grid__boundary")  # never shown with a case; kilobytes to decode per row
    )


def recent_requests(
    *, category_id: int | None = None, status: str | None = None, limit: int = RECENT_LIMIT
) -> list[PublicRequest]:
    """The most recent requests, newest first, optionally of one category and status."""
    cases = _public_cases()
    if category_id:
        cases = cases.filter(category_id=category_id)
    if status in Status.values:
        cases = cases.filter(status=status)
    return [_row(case) for case in cases.order_by("-created_at")[:limit]]


def public_request(tracking_id: str) -> PublicRequest | None:
    case = _public_cases().filter(tracking_id=tracking_id).first()
    return _row(case) if case else None


def public_timeline(tracking_id: str) -> list[tuple[str, datetime]]:
    """The public steps of a request (what happened and when), without notes or actors."""
    case = cases_for(AnonymousUser(), Action.PUBLIC).filter(tracking_id=tracking_id).first()
    if case is None:
        return []
    return [
        (event.get_kind_display(), event.created_at)
        for event in case.events.filter(public=True).exclude(kind="note")
    ]
