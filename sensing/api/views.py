"""/api/v1/sensing/…: administering things and datastreams (DRF, in the OpenAPI schema).

Read through `sensing.access` (another area's thing is simply not found); written through
`sensing.things` (placed by routing, checked where the person may administer, re-checked).
Sensors and observed properties are shared vocabularies: every staff member reads them,
administrators write them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import pagination, permissions, viewsets

from governance.api.errors import SafeLookupMixin, run
from sensing import things as service
from sensing.access import datastreams_for, sees_sensing, things_for
from sensing.api.serializers import (
    DatastreamSerializer,
    ObservedPropertySerializer,
    SensorSerializer,
    ThingSerializer,
)
from sensing.models import Datastream, Location, ObservedProperty, Sensor, Thing


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class SeesSensing(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return sees_sensing(request.user)


class AdminWrites(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return sees_sensing(request.user)
        return bool(request.user and request.user.is_superuser)


class ThingViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    """Things (devices or assets), each placed in a grid from its location."""

    permission_classes = [permissions.IsAuthenticated, SeesSensing]
    serializer_class = ThingSerializer
    pagination_class = Pages
    queryset = Thing.objects.none()

    def get_queryset(self) -> QuerySet:
        return things_for(self.request.user).select_related("location", "area").order_by("pk")

    def _located(self, thing: Thing, data: dict) -> None:
        lon, lat = data.pop("lon", None), data.pop("lat", None)
        for name, value in data.items():
            setattr(thing, name, value)
        if lon is not None and lat is not None:
            location = thing.location if thing.location_id else Location(name=thing.name)
            location.lon, location.lat = lon, lat
            thing.location = location

    def perform_create(self, serializer) -> None:
        thing = Thing()
        self._located(thing, dict(serializer.validated_data))
        serializer.instance = run(service.thing_save, by=self.request.user, thing=thing)

    def perform_update(self, serializer) -> None:
        thing = serializer.instance
        self._located(thing, dict(serializer.validated_data))
        serializer.instance = run(service.thing_save, by=self.request.user, thing=thing)

    def perform_destroy(self, instance: Thing) -> None:
        run(service.thing_remove, by=self.request.user, thing=instance)


class DatastreamViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    """Datastreams: one observed property of one thing, with its unit and latest value."""

    permission_classes = [permissions.IsAuthenticated, SeesSensing]
    serializer_class = DatastreamSerializer
    pagination_class = Pages
    queryset = Datastream.objects.none()

    def get_queryset(self) -> QuerySet:
        return datastreams_for(self.request.user).order_by("pk")

    def perform_create(self, serializer) -> None:
        stream = Datastream(**serializer.validated_data)
        serializer.instance = run(service.datastream_save, by=self.request.user, stream=stream)

    def perform_update(self, serializer) -> None:
        stream = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(stream, name, value)
        serializer.instance = run(service.datastream_save, by=self.request.user, stream=stream)

    def perform_destroy(self, instance: Datastream) -> None:
        run(service.datastream_remove, by=self.request.user, stream=instance)


class SensorViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    """Sensors (the kind of instrument)."""

    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    serializer_class = SensorSerializer
    pagination_class = Pages
    queryset = Sensor.objects.order_by("pk")


class ObservedPropertyViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    """Observed properties (what is measured)."""

    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    serializer_class = ObservedPropertySerializer
    pagination_class = Pages
    queryset = ObservedProperty.objects.order_by("pk")
