"""Admin for sharing grants, the personal-data access log (read-only) and Open311 API keys."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from governance.inputs import JSON_FORM_FIELDS
from governance.models import AccessLog, ApiKey, SharingGrant
from governance.models.sharing import hash_key


@admin.register(SharingGrant)
class SharingGrantAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORM_FIELDS
    list_display = ["department", "area", "with_personal_data", "expires_at", "created_at"]
    list_filter = ["department", "with_personal_data"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["area"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "case", "record_type", "record_id", "fields", "via"]
    list_filter = ["via", "record_type"]
    search_fields = ["case__tracking_id", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "active", "created"]
    list_filter = ["active"]
    fields = ["name", "active"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if not change:
            import secrets

            key = secrets.token_urlsafe(32)
            obj.key_hash, obj.prefix = hash_key(key), key[:8]
            messages.warning(
                request,
                _("The new key is %(key)s — copy it now, it is not shown again.") % {"key": key},
            )
        super().save_model(request, obj, form, change)
