"""Admin for sensing. Things and datastreams are scoped by `sensing.access` and saved through
`sensing.things` (placed by routing, checked); device tokens are hashed: "new token" shows a
token once. Observations and rollups are read-only here (they come from ingest)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from governance.errors import WorkflowError
from sensing import things as service
from sensing.access import SensingAction, datastreams_for, things_for
from sensing.models import (
    Datastream,
    Device,
    Location,
    Observation,
    ObservedProperty,
    Rollup,
    Sensor,
    Thing,
)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "lon", "lat"]
    search_fields = ["name"]


@admin.register(Thing)
class ThingAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "component", "device", "created_at"]
    list_filter = ["component"]
    search_fields = ["name"]
    raw_id_fields = ["location", "device"]
    readonly_fields = ["area", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return things_for(request.user).select_related("area", "component", "device")

    def save_model(self, request: HttpRequest, obj: Thing, form, change: bool) -> None:
        try:
            service.thing_save(by=request.user, thing=obj)
        except WorkflowError as error:
            raise PermissionDenied(error.message) from None

    def delete_model(self, request: HttpRequest, obj: Thing) -> None:
        try:
            service.thing_remove(by=request.user, thing=obj)
        except WorkflowError as error:
            raise PermissionDenied(error.message) from None


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ["name", "encoding_type"]
    search_fields = ["name"]


@admin.register(ObservedProperty)
class ObservedPropertyAdmin(admin.ModelAdmin):
    list_display = ["name", "definition"]
    search_fields = ["name"]


@admin.register(Datastream)
class DatastreamAdmin(admin.ModelAdmin):
    list_display = ["name", "thing", "observed_property", "unit_symbol", "last_value", "last_time"]
    list_filter = ["observed_property", "observation_type", "active"]
    search_fields = ["name", "thing__name"]
    raw_id_fields = ["thing"]
    readonly_fields = ["last_value", "last_time", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return datastreams_for(request.user).select_related("thing", "observed_property")

    def save_model(self, request: HttpRequest, obj: Datastream, form, change: bool) -> None:
        try:
            service.datastream_save(by=request.user, stream=obj)
        except WorkflowError as error:
            raise PermissionDenied(error.message) from None


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "active",
        "accepted_count",
        "rejected_count",
        "last_rejection",
        "last_seen_at",
    ]
    search_fields = ["name"]
    readonly_fields = ["accepted_count", "rejected_count", "last_rejection", "last_seen_at"]
    actions = ["issue_token"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Device, form, change: bool) -> None:
        if not obj.token_hash:
            token = obj.set_new_token()
            messages.warning(
                request, _("The device's token (shown once, keep it): %(t)s") % {"t": token}
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def issue_token(self, request: HttpRequest, queryset: QuerySet) -> None:
        for device in queryset:
            token = service.device_token(by=request.user, device=device)
            messages.warning(
                request, _("New token of %(d)s (shown once): %(t)s") % {"d": device, "t": token}
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["datastream", "phenomenon_time", "result", "result_time"]
    raw_id_fields = ["datastream"]
    ordering = ["-phenomenon_time"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = datastreams_for(request.user, SensingAction.VIEW).values("pk")
        return Observation.objects.filter(datastream__in=visible)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = ["datastream", "bucket", "start", "count", "min", "max", "last"]
    list_filter = ["bucket"]
    raw_id_fields = ["datastream"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = datastreams_for(request.user, SensingAction.VIEW).values("pk")
        return Rollup.objects.filter(datastream__in=visible)
