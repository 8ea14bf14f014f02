"""The incident board's map as GeoJSON: a list of layer functions, each giving its features.

A part of the app that has something to show on the board (resources, shelters…) appends its
own function to `MAP_LAYERS`; each feature says its layer in `properties.layer`, which the
board's script styles and lists in the legend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from emergency.access import Person
from emergency.linking import linked_cases
from emergency.models import Incident
from emergency.resources_map import resource_features
from governance.privacy import listed_point

Feature = dict[str, Any]
MapLayer = Callable[[Incident, Person], list[Feature]]


def affected_areas_layer(incident: Incident, user: Person) -> list[Feature]:
    """The affected areas' boundaries (and the polygon as drawn, when there is one)."""
    features = []
    for row in incident.affected.select_related("area").order_by("path"):
        area = row.area
        if not area.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": area.boundary,
                "properties": {"layer": "areas", "name": area.display_name, "code": area.code},
            }
        )
    if incident.polygon:
        features.append(
            {
                "type": "Feature",
                "geometry": incident.polygon,
                "properties": {"layer": "drawn", "name": ""},
            }
        )
    return features


def linked_cases_layer(incident: Incident, user: Person) -> list[Feature]:
    """The linked cases the person may see, as points (rounded where the category makes the
    location personal, as in every staff list)."""
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(listed_point(case))},
            "properties": {
                "layer": "cases",
                "name": f"{case.tracking_id} · {case.category.display_name}",
                "url": reverse("governance:case", args=[case.tracking_id]),
                "status": case.status,
            },
        }
        for case in linked_cases(incident, user)
    ]


MAP_LAYERS: list[MapLayer] = [affected_areas_layer, linked_cases_layer, resource_features]


def incident_map(incident: Incident, user: Person) -> dict[str, Any]:
    features: list[Feature] = []
    for layer in MAP_LAYERS:
        features += layer(incident, user)
    return {"type": "FeatureCollection", "features": features}
