"""Categories with their time limits and extra questions."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance.inputs import JSON_FORM_FIELDS
from governance.models import Category, Question


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    formfield_overrides = JSON_FORM_FIELDS
    fields = [
        "order",
        "code",
        "label",
        "label_en",
        "description",
        "description_en",
        "datatype",
        "required",
        "values",
    ]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "name_en",
        "family",
        "limit_unit",
        "general_limit",
        "urgent_limit",
        "default_department",
        "active",
    ]
    list_filter = ["family", "active", "limit_unit", "default_department"]
    search_fields = ["code", "name", "name_en", "keywords", "group"]
    list_select_related = ["default_department"]
    fieldsets = [
        (None, {"fields": ["family", "code", "name", "name_en", "group", "description"]}),
        (
            _("Handling"),
            {"fields": ["keywords", "default_department", "private_location", "active"]},
        ),
        (_("Time limits"), {"fields": ["limit_unit", "general_limit", "urgent_limit"]}),
    ]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORM_FIELDS
    list_display = ["category", "order", "code", "label", "label_en", "datatype", "required"]
    list_filter = ["datatype", "required", "category__family"]
    search_fields = ["code", "label", "label_en", "category__code", "category__name"]
    list_select_related = ["category"]
