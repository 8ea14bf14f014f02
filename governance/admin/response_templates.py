"""Response templates, kept by administrators (`governance.response_templates`), and the
staff's saved queue filters."""

from __future__ import annotations

from django.contrib import admin

from governance.models import ResponseTemplate, SavedFilter


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "action", "audience", "active", "updated_at"]
    list_filter = ["audience", "action", "active", "category"]
    search_fields = ["title", "text", "text_en"]
    autocomplete_fields = ["category"]
    fields = ["title", "category", "action", "audience", "text", "text_en", "active"]


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    """Each person's saved queue filters (their own only on the queue): read-only here, for
    support; the person names and deletes them from the queue."""

    list_display = ["name", "owner", "query", "created_at"]
    search_fields = ["name", "owner__username"]
    readonly_fields = ["owner", "name", "query", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
