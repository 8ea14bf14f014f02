"""What the citizens app keeps for support, read-mostly: messages to reporters' contacts, their
one-time links, subscriptions and alerts."""

from django.contrib import admin

from citizens.models import Alert, ContactMessage, ReporterLink, Subscription


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """What reporters without an account were sent about their cases (no contact data here:
    that stays on the case's contact, shown through the case's admin)."""

    list_display = ["created_at", "case", "kind", "status", "emailed_at", "texted_at"]
    list_filter = ["kind"]
    search_fields = ["case__tracking_id"]
    raw_id_fields = ["case"]
    readonly_fields = ["case", "kind", "status", "note", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReporterLink)
class ReporterLinkAdmin(admin.ModelAdmin):
    """The one-time links sent to reporters' contacts: when sent, until when, when used."""

    list_display = ["created_at", "case", "channel", "expires_at", "used_at"]
    search_fields = ["case__tracking_id"]
    raw_id_fields = ["case"]
    exclude = ["token_hash"]
    readonly_fields = ["case", "channel", "created_at", "expires_at", "used_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Who follows what (support: a bounced address, a complaint); made and ended by people
    themselves through the pages and the links in their e-mails, never here."""

    list_display = ["created_at", "target", "case", "area", "radius_m", "confirmed_at", "ended_at"]
    list_filter = ["target", "source"]
    search_fields = ["case__tracking_id", "user__username", "email"]
    raw_id_fields = ["user", "case", "area"]
    readonly_fields = ["token_hash", "confirmation_sent_at", "created_at", "confirmed_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subscription", "event", "sent_at"]
    raw_id_fields = ["subscription", "event"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False
