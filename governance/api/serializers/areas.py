"""Areas as GeoJSON features."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from governance.models import Area


class AreaFeatureCollectionSerializer(serializers.Serializer):
    """Documents the GeoJSON FeatureCollection the areas endpoint answers."""

    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())


def area_feature(area: Area, parent_code: str | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": area.boundary,
        "properties": {
            "code": area.code,
            "name": area.name,
            "name_en": area.name_en,
            "display_name": area.display_name,
            "level": area.get_level_display(),
            "level_number": area.level,
            "parent": parent_code,
            "path": area.path,
        },
    }
