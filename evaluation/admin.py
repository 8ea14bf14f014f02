"""Administrators edit the evaluation's settings (one row) and read the obligations."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from evaluation.models import Obligation, Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    fields = [
        "weights",
        "cutoffs",
        "minimum_sample",
        "intake_limit_hours",
        "verification_limit_hours",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and not Policy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """One row: the list opens it (created with the defaults on first visit)."""
        policy = Policy.current()
        if policy._state.adding:
            policy.save()
        return HttpResponseRedirect(reverse("admin:evaluation_policy_change", args=[policy.pk]))


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "area_path", "department", "starts_at", "deadline", "outcome"]
    list_filter = ["kind", "outcome", "on_time", "reworked"]
    search_fields = ["case__tracking_id", "area_path"]
    raw_id_fields = ["case", "person", "fulfilled_by", "reporter", "category", "department"]
    list_select_related = ["case", "department"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Obligation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Obligation | None = None) -> bool:
        return False
