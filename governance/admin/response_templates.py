"""Response templates, kept by administrators (`governance.response_templates`)."""

from __future__ import annotations

from django.contrib import admin

from governance.models import ResponseTemplate


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "action", "audience", "active", "updated_at"]
    list_filter = ["audience", "action", "active", "category"]
    search_fields = ["title", "text", "text_en"]
    autocomplete_fields = ["category"]
    fields = ["title", "category", "action", "audience", "text", "text_en", "active"]
