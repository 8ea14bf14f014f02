"""Admin for the registry: personal fields are never shown plain here (masked, read-only; the
id number and phone are written through the import or the API), rows are scoped by
`records_for`, and saving goes through `gridwork.records.record_save` (placed, checked)."""

from __future__ import annotations

import copy

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.errors import WorkflowError
from gridwork.access import RecordAction, records_for
from gridwork.disclosure import masked
from gridwork.models import (
    Building,
    DutyDay,
    DutyRules,
    Household,
    KeyPlace,
    Organisation,
    Resident,
    Visit,
    VisitInterval,
)
from gridwork.records import record_checked, record_save


class RegistryAdmin(admin.ModelAdmin):
    raw_id_fields = ["grid"]
    readonly_fields = ["area_path", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return records_for(request.user, self.model, RecordAction.VIEW)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        base = super().get_form(request, obj, change, **kwargs)

        class CheckedForm(base):  # type: ignore[misc, valid-type]
            def clean(self):
                cleaned = super().clean()
                record = construct_instance(self, copy.copy(self.instance))
                try:
                    record_checked(by=request.user, record=record, grid=cleaned.get("grid"))
                except WorkflowError as error:
                    raise ValidationError(error.message) from None
                return cleaned

        return CheckedForm

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        record_save(by=request.user, record=obj, grid=getattr(obj, "grid", None))


def _masked(field: str, label: str):
    def shown(_admin: admin.ModelAdmin, obj: Model) -> str:
        return masked(obj).get(field, "") if obj.pk else ""

    shown.short_description = label  # type: ignore[attr-defined]
    return shown


@admin.register(Building)
class BuildingAdmin(RegistryAdmin):
    list_display = ["address", "name", "grid", "units"]
    search_fields = ["address", "name"]


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    raw_id_fields = ["building", "head"]
    list_display = ["building", "unit", "room"]


@admin.register(Resident)
class ResidentAdmin(RegistryAdmin):
    raw_id_fields = ["grid", "building", "household"]
    exclude = ["id_number", "phone", "birth_date"]
    masked_id = _masked("id_number", _("id number"))
    masked_phone = _masked("phone", _("phone"))
    masked_birth_date = _masked("birth_date", _("birth date"))
    readonly_fields = [
        "masked_id",
        "masked_phone",
        "masked_birth_date",
        "area_path",
        "created_at",
    ]
    list_display = ["name", "masked_id", "masked_phone", "grid"]
    search_fields = ["name"]


@admin.register(KeyPlace)
class KeyPlaceAdmin(RegistryAdmin):
    list_display = ["name", "kind", "grid"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(RegistryAdmin):
    exclude = ["contact_name", "contact_phone"]
    masked_contact = _masked("contact_name", _("contact name"))
    masked_contact_phone = _masked("contact_phone", _("contact phone"))
    readonly_fields = ["masked_contact", "masked_contact_phone", "area_path", "created_at"]
    list_display = ["name", "kind", "grid", "masked_contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]


# Visits and duty: the intervals and minimums are an administrator's data; visits and duty
# days are read here (recorded through the pages and API, computed by the daily job).


@admin.register(VisitInterval)
class VisitIntervalAdmin(admin.ModelAdmin):
    list_display = ["tag", "every_days", "remind_days_before", "active"]
    list_editable = ["every_days", "remind_days_before", "active"]


@admin.register(DutyRules)
class DutyRulesAdmin(admin.ModelAdmin):
    fields = ["minutes_per_day", "reports_per_month", "visits_per_month", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and not DutyRules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: DutyRules | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """One row: the list opens it (created with the defaults on first visit)."""
        rules = DutyRules.current()
        if rules._state.adding:
            rules.save()
        return HttpResponseRedirect(reverse("admin:gridwork_dutyrules_change", args=[rules.pk]))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_at", "household", "visitor", "follow_up", "case"]
    list_select_related = ["household__building", "visitor", "case"]
    date_hierarchy = "visited_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return records_for(request.user, Visit, RecordAction.VIEW)


@admin.register(DutyDay)
class DutyDayAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "officer",
        "patrol_seconds",
        "distance_m",
        "check_ins",
        "reports",
        "visits",
    ]
    list_select_related = ["officer"]
    date_hierarchy = "day"
