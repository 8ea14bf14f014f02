"""Areas as a GeoJSON FeatureCollection, filterable by level, parent and containing point."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from shapely.geometry import Point

from governance.api.serializers.areas import AreaFeatureCollectionSerializer, area_feature
from governance.geometry import parse_boundary
from governance.models import Area, Level


class AreaFilter(serializers.Serializer):
    level = serializers.ChoiceField(
        [str(v) for v in Level.values] + [lv.name.lower() for lv in Level], required=False
    )
    parent = serializers.CharField(max_length=15, required=False)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)

    def validate(self, data: dict) -> dict:
        if ("lon" in data) != ("lat" in data):
            raise serializers.ValidationError(
                {"lat" if "lon" in data else "lon": _("Give both lon and lat.")}
            )
        return data


class AreaCollectionView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, description="1–5 or city/district/street/…"),
            OpenApiParameter("parent", str, description="the parent area's code"),
            OpenApiParameter("lon", float, description="with lat: areas containing the point"),
            OpenApiParameter("lat", float),
        ],
        responses=AreaFeatureCollectionSerializer,
    )
    def get(self, request: Request) -> Response:
        params = AreaFilter(data={k: v for k, v in request.query_params.items() if v != ""})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        areas = Area.objects.active().select_related("parent")
        if "level" in data:
            level = data["level"]
            number = int(level) if level.isdigit() else Level[level.upper()].value
            areas = areas.filter(level=number)
        if "parent" in data:
            areas = areas.filter(parent__code=data["parent"])
        if "lon" in data:
            lon, lat = data["lon"], data["lat"]
            areas = areas.filter(
                min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
            )
            point = Point(lon, lat)
            areas = [a for a in areas if parse_boundary(a.boundary).covers(point)]
        return Response(
            {
                "type": "FeatureCollection",
                "features": [
                    area_feature(a, a.parent.code if a.parent_id else None) for a in areas
                ],
            }
        )
