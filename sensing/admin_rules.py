"""Admin for the rules, the alarms (read-only: they come from the readings), the meters and the
emission factors. Registered from `SensingConfig.ready`, beside `sensing.admin`."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sensing.models import Alarm, EmissionFactor, Meter, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "datastream", "observed_property", "area", "active"]
    list_filter = ["kind", "active", "urgency"]
    search_fields = ["name", "name_en"]
    raw_id_fields = ["datastream", "area"]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["rule", "thing", "active", "raised_at", "trip_count", "cleared_at", "case"]
    list_filter = ["active", "rule"]
    date_hierarchy = "raised_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Alarm | None = None) -> bool:
        return False


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["datastream", "kind", "building", "organisation", "area", "cumulative"]
    list_filter = ["kind"]
    raw_id_fields = ["datastream", "building", "organisation", "area"]


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    list_display = ["kind", "year", "value", "unit", "source"]
    list_filter = ["kind", "year"]
