from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emergency.models import (
    Incident,
    IncidentArea,
    IncidentCase,
    IncidentEvent,
    Plan,
    PlanStep,
    PlanTeam,
    Shelter,
    Supply,
    Team,
)


class AffectedAreaInline(admin.TabularInline):
    model = IncidentArea
    extra = 0
    raw_id_fields = ["area"]
    readonly_fields = ["path"]


class LinkedCaseInline(admin.TabularInline):
    model = IncidentCase
    extra = 0
    raw_id_fields = ["case", "linked_by"]


class TimelineInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "actor", "note", "data"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # append-only: written by the domain's functions


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "level", "status", "exercise", "created_at"]
    list_filter = ["status", "kind", "level", "exercise"]
    search_fields = ["title", "title_en"]
    raw_id_fields = ["declared_by"]
    inlines = [AffectedAreaInline, LinkedCaseInline, TimelineInline]


class ResourceAdmin(admin.ModelAdmin):
    """Resources per grid: the point places them (governance.routing), else the grid chosen."""

    raw_id_fields = ["grid"]
    readonly_fields = ["path", "updated_at"]
    list_select_related = ["grid"]

    def grid_code(self, resource) -> str:
        return resource.grid.code if resource.grid_id else ""

    grid_code.short_description = _("grid")  # type: ignore[attr-defined]


@admin.register(Shelter)
class ShelterAdmin(ResourceAdmin):
    list_display = ["name", "grid_code", "capacity", "occupancy", "open", "updated_at"]
    list_filter = ["open", "grid__parent__parent"]
    search_fields = ["name", "address", "grid__code", "grid__name"]


@admin.register(Supply)
class SupplyAdmin(ResourceAdmin):
    list_display = ["name", "kind", "quantity", "unit", "state", "grid_code", "updated_at"]
    list_filter = ["kind", "state", "grid__parent__parent"]
    search_fields = ["name", "custodian", "storage_place", "grid__code"]


@admin.register(Team)
class TeamAdmin(ResourceAdmin):
    list_display = ["name", "kind", "members", "grid_code", "updated_at"]
    list_filter = ["kind", "grid__parent__parent"]
    search_fields = ["name", "leader_name", "grid__code"]


class PlanTeamInline(admin.TabularInline):
    model = PlanTeam
    extra = 1


class PlanStepInline(admin.StackedInline):
    model = PlanStep
    extra = 1
    fields = [
        ("order", "title", "title_en"),
        ("owner_department", "owner_role"),
        ("limit", "limit_unit"),
        "feedback_expected",
    ]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "min_level", "max_level", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "name_en"]
    inlines = [PlanTeamInline, PlanStepInline]
