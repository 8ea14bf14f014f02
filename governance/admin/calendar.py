"""The working calendar: public holidays and make-up working days (调休)."""

from __future__ import annotations

from django.contrib import admin

from governance.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
