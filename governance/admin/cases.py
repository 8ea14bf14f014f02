"""Cases, read-mostly: a case changes only through the workflow functions, never here.

Every case query starts from `governance.access.cases_for`, as everywhere else; the
administrator (a superuser) sees them all through it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from governance.access import Action, cases_for
from governance.models import Attachment, Case, CaseContact, CaseEvent


class ReadOnlyMixin:
    """Shown, never added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseContactInline(ReadOnlyMixin, admin.StackedInline):
    model = CaseContact
    fields = ["name", "phone", "email"]
    can_delete = False

    def get_queryset(self, request):
        visible = cases_for(request.user, Action.SEE_PERSONAL_DATA)
        return super().get_queryset(request).filter(case__in=visible)


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note", "audience", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "pk"]
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.display(description=_("file"))
def opened_file(attachment: Attachment) -> str:
    """A link to the one serving view (which applies the file's audience again), never to
    the stored name under MEDIA_URL, which nothing serves."""
    url = reverse("governance:attachment", args=[attachment.pk])
    return format_html('<a href="{}">{}</a>', url, attachment.content_type)


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    fields = [opened_file, "content_type", "size", "event", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue"))]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "tracking_id",
        "category",
        "status",
        "grid",
        "channel",
        "urgency",
        "escalation_level",
        "due_at",
        "created_at",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        "channel",
        "urgency",
        "category__family",
        "escalation_level",
        "assignee_department",
    ]
    search_fields = ["tracking_id", "description", "address"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "grid"]
    inlines = [CaseContactInline, CaseEventInline, AttachmentInline]
    fieldsets = [
        (None, {"fields": ["tracking_id", "status", "category", "description", "answers"]}),
        (_("Place"), {"fields": ["lon", "lat", "address", "grid", "area_path"]}),
        (
            _("Handling"),
            {
                "fields": [
                    "reporter",
                    "channel",
                    "urgency",
                    "assignee_department",
                    "assignee",
                    "merged_into",
                    "escalation_level",
                    "rework_count",
                    "rating",
                    "rating_comment",
                ]
            },
        ),
        (
            _("Times"),
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    "dispatched_at",
                    "due_at",
                    "warned_at",
                    "escalated_at",
                    "resolved_at",
                    "closed_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return (
            cases_for(request.user, Action.VIEW)
            .select_related("category", "grid")
            .defer("grid__boundary")  # a list of cases never shows the grid's polygon
        )


def _visible_cases(request: HttpRequest) -> QuerySet[Case]:
    return cases_for(request.user, Action.VIEW)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "kind", "from_status", "to_status", "actor", "audience"]
    list_filter = ["kind", "audience"]
    search_fields = ["case__tracking_id", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "actor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).filter(case__in=_visible_cases(request))


@admin.register(CaseContact)
class CaseContactAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "name", "phone", "email"]
    search_fields = ["case__tracking_id", "name", "phone", "email"]
    list_select_related = ["case"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseContact]:
        visible = cases_for(request.user, Action.SEE_PERSONAL_DATA)
        return super().get_queryset(request).filter(case__in=visible)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", opened_file, "content_type", "size", "uploaded_by"]
    fields = ["case", "event", opened_file, "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    list_filter = ["content_type"]
    search_fields = ["case__tracking_id"]
    list_select_related = ["case", "uploaded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).filter(case__in=_visible_cases(request))
