"""The resources layer of an incident's map: shelters, supplies and teams in its affected areas,
as GeoJSON Features the incidents map draws beside the areas and the linked cases.

Only what the person may see; contact phones only where they may edit (manage) the resource.
A resource without a point of its own is drawn at its grid's representative point.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from emergency.access import Person
from emergency.models import Incident, Shelter, Supply, Team
from emergency.resources import may_edit, resources_for
from governance.geometry import parse_boundary

Feature = dict[str, Any]
PLURAL = {"shelter": "shelters", "supply": "supplies", "team": "teams"}


def _point(resource) -> list[float] | None:
    if resource.lon is not None and resource.lat is not None:
        return [resource.lon, resource.lat]
    if resource.grid and resource.grid.boundary:
        point = parse_boundary(resource.grid.boundary).representative_point()
        return [round(point.x, 6), round(point.y, 6)]
    return None


def _details(resource) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(kind, what everyone permitted sees, what only an editor sees)."""
    if isinstance(resource, Shelter):
        return (
            "shelter",
            {
                "capacity": resource.capacity,
                "occupancy": resource.occupancy,
                "open": resource.open,
                "address": resource.address,
            },
            {"contact_name": resource.contact_name, "contact_phone": resource.contact_phone},
        )
    if isinstance(resource, Supply):
        return (
            "supply",
            {
                "type": resource.kind,
                "type_label": resource.get_kind_display(),
                "quantity": str(resource.quantity.normalize()),
                "unit": resource.unit,
                "custodian": resource.custodian,
                "storage_place": resource.storage_place,
                "state": resource.state,
            },
            {"custodian_phone": resource.custodian_phone},
        )
    return (
        "team",
        {
            "team_kind": resource.kind,
            "team_kind_label": resource.get_kind_display(),
            "leader_name": resource.leader_name,
            "members": resource.members,
        },
        {"leader_phone": resource.leader_phone},
    )


def _edit_url(kind: str, pk: int) -> str | None:
    try:
        return reverse("emergency:resource-edit", args=[kind, pk])
    except NoReverseMatch:
        return None


def resource_feature(resource, user: Person) -> Feature | None:
    point = _point(resource)
    if point is None:
        return None
    kind, shown, personal = _details(resource)
    editable = may_edit(user, resource)
    properties: dict[str, Any] = {
        "layer": "resources",
        "kind": kind,
        "id": resource.pk,
        "name": resource.name,
        "grid": resource.grid.code,
        "grid_name": resource.grid.display_name,
        **shown,
        "editable": editable,
    }
    if editable:
        properties.update(personal)
        properties["edit_url"] = _edit_url(PLURAL[kind], resource.pk)
    return {
        "type": "Feature",
        "id": f"{kind}-{resource.pk}",
        "geometry": {"type": "Point", "coordinates": point},
        "properties": properties,
    }


def resource_features(incident: Incident, user: Person) -> list[Feature]:
    """The resources in the incident's affected areas that the person may see."""
    paths = list(incident.affected.values_list("path", flat=True))
    if not paths:
        return []
    within = Q(pk__in=[])
    for path in paths:
        within |= Q(path__startswith=path)
    features = []
    for model in (Shelter, Supply, Team):
        for resource in resources_for(user, model).filter(within):
            feature = resource_feature(resource, user)
            if feature is not None:
                features.append(feature)
    return features
