"""People's notifications and their delivery preferences (read-mostly, for support)."""

from django.contrib import admin

from notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "title", "case__tracking_id"]
    raw_id_fields = ["user", "case", "event"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email", "sms"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
