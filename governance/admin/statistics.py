"""Daily statistics per area: written by the nightly task, read here."""

from django.contrib import admin

from governance.models import AreaDailyStatistics


@admin.register(AreaDailyStatistics)
class AreaDailyStatisticsAdmin(admin.ModelAdmin):
    list_display = ["day", "area", "created", "closed", "overdue", "open_total"]
    list_filter = ["day", "area__level"]
    search_fields = ["area__code", "area__name"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
