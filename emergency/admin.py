from django.contrib import admin

from emergency.models import (
    Incident,
    IncidentArea,
    IncidentCase,
    IncidentEvent,
    Plan,
    PlanStep,
    PlanTeam,
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
