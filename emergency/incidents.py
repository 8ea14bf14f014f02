"""The incident's own changes: declaring, its status, level, affected areas and notes.

Each function checks who may act through `emergency.access`, changes the incident under a row
lock, writes its `IncidentEvent` in the same transaction, and refuses anything else with a
typed error (`governance.errors`) whose message a person can act on.

    draft ──> reported ──> confirmed ──> responding ──> recovering ──> closed
                 └────────────┴─────────────┴──────────────┴──> closed (any open state)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emergency.access import IncidentAction, Person, may, may_manage_areas
from emergency.models import (
    OPEN_STATUSES,
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentEventKind,
    IncidentKind,
    IncidentLevel,
    IncidentStatus,
)
from governance import clock
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.geometry import parse_boundary
from governance.models import Area, Category

S = IncidentStatus

# The status changes a manager may make; closing is allowed from every open state.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.REPORTED}),
    S.REPORTED: frozenset({S.CONFIRMED, S.CLOSED}),
    S.CONFIRMED: frozenset({S.RESPONDING, S.CLOSED}),
    S.RESPONDING: frozenset({S.RECOVERING, S.CLOSED}),
    S.RECOVERING: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


def next_statuses(incident: Incident) -> list[str]:
    """The statuses the incident may move to now, in lifecycle order."""
    allowed = TRANSITIONS.get(incident.status, frozenset())
    return [status for status in S.values if status in allowed]


# --- shared ---------------------------------------------------------------------------------


def clean_text(value: str | None, field: str, *, required: bool, limit: int = 4000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput({field: [_("This field is required.")]})
    if len(text) > limit:
        raise InvalidInput({field: [_("At most %(n)d characters.") % {"n": limit}]})
    return text


def record(
    incident: Incident,
    kind: str,
    *,
    actor: Person | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    """Append one entry to the incident's timeline (call inside the change's transaction)."""
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        at=at or clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note,
        data=data or {},
    )


def locked(incident_id: int, *, by: Person, action: IncidentAction) -> Incident:
    """The incident under a row lock, if `by` may do `action` on it (else: not permitted)."""
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None or not may(by, action, incident):
        raise NotPermitted(_("You may not do this on this incident."))
    return incident


def _touch(incident: Incident, *fields: str) -> None:
    incident.updated_at = clock.now()
    incident.save(update_fields=["updated_at", *fields])


# --- where ----------------------------------------------------------------------------------


def grids_touching(polygon: Any) -> list[Area]:
    """The active grids a drawn GeoJSON (Multi)Polygon overlaps — sharing an edge is not
    overlapping. Bounding boxes first (one query), then the shapes."""
    from shapely.geometry import shape

    try:
        drawn = parse_boundary(polygon)
    except ValidationError as error:
        raise InvalidInput({"polygon": error.messages}) from None
    min_lon, min_lat, max_lon, max_lat = drawn.bounds
    candidates = (
        Area.objects.active()
        .grids()
        .filter(
            min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
        )
        .order_by("path")
    )
    touched = []
    for grid in candidates:
        outline = shape(grid.boundary)
        if outline.intersects(drawn) and not outline.touches(drawn):
            touched.append(grid)
    return touched


def topmost(areas: Iterable[Area]) -> list[Area]:
    """The areas without any of their ancestors among them (a subtree covers its grids)."""
    unique = {area.pk: area for area in areas}.values()
    paths = [area.path for area in unique]
    return sorted(
        (
            area
            for area in unique
            if not any(area.path != p and area.path.startswith(p) for p in paths)
        ),
        key=lambda area: area.path,
    )


def _resolve_areas(
    areas: Sequence[Area] | None, polygon: Any | None
) -> tuple[list[Area], Any | None]:
    """The affected subtrees: the areas chosen, or the grids a polygon touches."""
    if polygon:
        chosen = grids_touching(polygon)
        if not chosen:
            raise InvalidInput({"polygon": [_("The drawn area touches no grid.")]})
        return topmost(chosen), polygon
    chosen = [area for area in (areas or []) if area.is_active]
    if not chosen:
        raise InvalidInput({"areas": [_("Choose the affected areas or draw them on the map.")]})
    return topmost(chosen), None


def _write_areas(incident: Incident, areas: list[Area]) -> None:
    for area in areas:
        IncidentArea.objects.create(incident=incident, area=area)


def area_codes(areas: Iterable[Area]) -> list[str]:
    return [area.code for area in areas]


# --- declaring ------------------------------------------------------------------------------


def declare_incident(
    *,
    by: Person,
    title: str,
    kind: str,
    level: int,
    areas: Sequence[Area] | None = None,
    polygon: Any | None = None,
    exercise: bool = False,
    occurred_at: datetime | None = None,
    categories: Iterable[Category] = (),
    title_en: str = "",
    description: str = "",
    draft: bool = False,
) -> Incident:
    """Declare an incident on area subtrees (or a drawn polygon, resolved to the grids it
    touches). The declarer must dispatch over every affected area."""
    title = clean_text(title, "title", required=True, limit=200)
    title_en = clean_text(title_en, "title_en", required=False, limit=200)
    description = clean_text(description, "description", required=False)
    if kind not in IncidentKind.values:
        raise InvalidInput({"kind": [_("Choose the kind of incident.")]})
    try:
        level = IncidentLevel(int(level))
    except (TypeError, ValueError):
        raise InvalidInput({"level": [_("Choose a level from I to IV.")]}) from None
    affected, polygon = _resolve_areas(areas, polygon)
    if not may_manage_areas(by, [area.path for area in affected]):
        raise NotPermitted(_("You may declare an incident only on areas you dispatch for."))
    now = clock.now()
    if occurred_at is not None and occurred_at > now:
        raise InvalidInput({"occurred_at": [_("An incident cannot occur in the future.")]})
    categories = list(categories)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            title_en=title_en,
            description=description,
            kind=kind,
            level=level,
            status=S.DRAFT if draft else S.REPORTED,
            exercise=bool(exercise),
            polygon=polygon,
            declared_by=by,
            occurred_at=occurred_at or now,
            created_at=now,
            updated_at=now,
        )
        _write_areas(incident, affected)
        if categories:
            incident.categories.set(categories)
        record(
            incident,
            IncidentEventKind.DECLARED,
            actor=by,
            data={
                "areas": area_codes(affected),
                "drawn": polygon is not None,
                "level": int(level),
                "exercise": incident.exercise,
            },
            at=now,
        )
    return incident


# --- changing -------------------------------------------------------------------------------


def change_status(*, incident_id: int, by: Person, to: str, note: str = "") -> Incident:
    """Move the incident along its lifecycle; anything else is refused with the reason."""
    note = clean_text(note, "note", required=False)
    if to not in S.values:
        raise InvalidInput({"status": [_("There is no such status.")]})
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.MANAGE)
        if to not in TRANSITIONS.get(incident.status, frozenset()):
            raise InvalidTransition(
                _("An incident that is %(now)s cannot become %(to)s.")
                % {"now": S(incident.status).label, "to": S(to).label}
            )
        before = incident.status
        incident.status = to
        fields = ["status"]
        if to == S.CLOSED:
            incident.closed_at = clock.now()
            fields.append("closed_at")
        _touch(incident, *fields)
        record(
            incident,
            IncidentEventKind.CLOSED if to == S.CLOSED else IncidentEventKind.STATUS,
            actor=by,
            note=note,
            data={"from": before, "to": to},
        )
    return incident


def _open_for_change(incident: Incident) -> None:
    if incident.status == S.CLOSED:
        raise InvalidTransition(_("This incident is closed; it can no longer change."))


def change_level(*, incident_id: int, by: Person, level: int, note: str = "") -> Incident:
    note = clean_text(note, "note", required=False)
    try:
        level = IncidentLevel(int(level))
    except (TypeError, ValueError):
        raise InvalidInput({"level": [_("Choose a level from I to IV.")]}) from None
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.MANAGE)
        _open_for_change(incident)
        if incident.level == level:
            raise InvalidInput({"level": [_("The incident is at this level already.")]})
        before = incident.level
        incident.level = level
        _touch(incident, "level")
        record(
            incident,
            IncidentEventKind.LEVEL,
            actor=by,
            note=note,
            data={"from": before, "to": int(level)},
        )
    return incident


def set_areas(
    *,
    incident_id: int,
    by: Person,
    areas: Sequence[Area] | None = None,
    polygon: Any | None = None,
    note: str = "",
) -> Incident:
    """Replace the affected subtrees; the manager must dispatch over the new ones as well."""
    note = clean_text(note, "note", required=False)
    affected, polygon = _resolve_areas(areas, polygon)
    if not may_manage_areas(by, [area.path for area in affected]):
        raise NotPermitted(_("You may declare an incident only on areas you dispatch for."))
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.MANAGE)
        _open_for_change(incident)
        before = list(
            incident.affected.select_related("area")
            .order_by("path")
            .values_list("area__code", flat=True)
        )
        incident.affected.all().delete()
        _write_areas(incident, affected)
        incident.polygon = polygon
        _touch(incident, "polygon")
        record(
            incident,
            IncidentEventKind.AREAS,
            actor=by,
            note=note,
            data={"from": before, "to": area_codes(affected), "drawn": polygon is not None},
        )
    return incident


def add_note(*, incident_id: int, by: Person, text: str) -> IncidentEvent:
    """A note on the timeline: whoever sees the incident may add one (what they see on site)."""
    text = clean_text(text, "text", required=True)
    with transaction.atomic():
        incident = locked(incident_id, by=by, action=IncidentAction.VIEW)
        _touch(incident)
        return record(incident, IncidentEventKind.NOTE, actor=by, note=text)


def affected_areas(incident: Incident) -> list[Area]:
    return [row.area for row in incident.affected.select_related("area").order_by("path")]


def is_open(incident: Incident) -> bool:
    return incident.status in OPEN_STATUSES


def level_label(level: int) -> str:
    return str(IncidentLevel(level).label)
