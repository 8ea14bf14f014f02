"""Cases, read-mostly: a case changes only through the workflow functions, never here.

Every case query starts from `governance.access.cases_for`, as everywhere else; the
administrator (a superuser) sees them all through it. Personal data (the contact, a private
case's point, address and description) is shown through `governance.privacy` as on the pages:
only to who may see it, each showing logged (via "admin"); timelines name the reporter's
account "the reporter"; searching by a private address or description, or by a contact's
phone or e-mail, finds only cases whose personal data the person may see.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.access import Action, cases_for
from governance.models import AccessLog, Attachment, Case, CaseContact, CaseEvent
from governance.privacy import CONTACT_FIELDS, Revealed, log_showings, reveal

VIA = AccessLog.Via.ADMIN


def _uploader(attachment: Attachment) -> str:
    """Who uploaded it: the reporter's account is "the reporter" (its name is personal data)."""
    if attachment.uploaded_by_id is None:
        return "—"
    if attachment.uploaded_by_id == attachment.case.reporter_id:
        return gettext("the reporter")
    return str(attachment.uploaded_by)


def _on_change_page(request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
    """Whether the request is for the object's change page (which shows its fields), not its
    history or delete page."""
    opts = model_admin.model._meta
    match = request.resolver_match
    return match is not None and match.url_name == f"{opts.app_label}_{opts.model_name}_change"


def _actor(event: CaseEvent) -> str:
    """Who acted: the reporter's account is "the reporter" (its name is personal data)."""
    if event.actor_id is None:
        return "—"
    if event.actor_id == event.case.reporter_id:
        return gettext("the reporter")
    return str(event.actor)


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
    fields = ["created_at", "kind", "from_status", "to_status", "who", "note", "audience", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "pk"]
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "case")

    @admin.display(description=_("by"))
    def who(self, event: CaseEvent) -> str:
        return _actor(event)


@admin.display(description=_("file"))
def opened_file(attachment: Attachment) -> str:
    """A link to the one serving view (which applies the file's audience again), never to
    the stored name under MEDIA_URL, which nothing serves."""
    url = reverse("governance:attachment", args=[attachment.pk])
    return format_html('<a href="{}">{}</a>', url, attachment.content_type)


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    fields = [opened_file, "content_type", "size", "event", "uploader", "created_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "case")

    @admin.display(description=_("by"))
    def uploader(self, attachment: Attachment) -> str:
        return _uploader(attachment)


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
    readonly_fields = ["shown_description", "shown_lon", "shown_lat", "shown_address"]
    fieldsets = [
        (None, {"fields": ["tracking_id", "status", "category", "shown_description", "answers"]}),
        (_("Place"), {"fields": ["shown_lon", "shown_lat", "shown_address", "grid", "area_path"]}),
        (
            _("Handling"),
            {
                "fields": [
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

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Case], search_term: str):
        """A private case is found by its address or description only by who may see them
        (else the search would tell where someone lives); by its tracking id by all."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term and not request.user.is_superuser:
            found = found.filter(
                Q(category__private_location=False)
                | Q(tracking_id__iexact=search_term.strip())
                | Q(pk__in=cases_for(request.user, Action.SEE_PERSONAL_DATA).values("pk"))
            )
        return found, duplicates

    def get_object(self, request: HttpRequest, object_id: str, from_field=None) -> Case | None:
        """The case, on its change page with what the person is shown of its personal data
        (logged once)."""
        case = super().get_object(request, object_id, from_field)
        if case is not None and _on_change_page(request, self):
            case.revealed = reveal(request.user, case, via=VIA)
        return case

    @staticmethod
    def _shown(case: Case) -> Revealed:
        return case.revealed

    @admin.display(description=_("description"))
    def shown_description(self, case: Case) -> str:
        if "description" in self._shown(case).hidden:
            return gettext(
                "Hidden: in this category the description is personal data (it may say where)."
            )
        return self._shown(case).description

    @admin.display(description=_("longitude"))
    def shown_lon(self, case: Case) -> float:
        return self._shown(case).lon

    @admin.display(description=_("latitude"))
    def shown_lat(self, case: Case) -> float:
        return self._shown(case).lat

    @admin.display(description=_("address"))
    def shown_address(self, case: Case) -> str:
        if "address" in self._shown(case).hidden:
            return gettext("Hidden: this category's location is personal data")
        return self._shown(case).address


def _visible_cases(request: HttpRequest) -> QuerySet[Case]:
    return cases_for(request.user, Action.VIEW)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "kind", "from_status", "to_status", "who", "audience"]
    list_filter = ["kind", "audience"]
    search_fields = ["case__tracking_id", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "actor"]
    exclude = ["actor"]
    readonly_fields = ["who"]

    @admin.display(description=_("by"))
    def who(self, event: CaseEvent) -> str:
        return _actor(event)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).filter(case__in=_visible_cases(request))


@admin.register(CaseContact)
class CaseContactAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Only the contacts of cases whose personal data the person may see: listing, searching
    (by phone or e-mail) and opening them finds nothing else, and every showing is logged."""

    list_display = ["case", "name", "phone", "email"]
    search_fields = ["case__tracking_id", "name", "phone", "email"]
    list_select_related = ["case"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseContact]:
        visible = cases_for(request.user, Action.SEE_PERSONAL_DATA)
        return super().get_queryset(request).filter(case__in=visible)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if isinstance(response, TemplateResponse) and changelist is not None:
            _log_contacts(request, changelist.result_list)
        return response

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        contact = super().get_object(request, object_id, from_field)
        if contact is not None and _on_change_page(request, self):
            _log_contacts(request, [contact])
        return contact


def _log_contacts(request: HttpRequest, contacts) -> None:
    """One access-log row per contact shown (its non-empty fields), in one INSERT."""
    log_showings(
        request.user,
        ((c.case, [f for f in CONTACT_FIELDS if getattr(c, f)]) for c in contacts),
        via=VIA,
    )


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", opened_file, "content_type", "size", "uploader"]
    fields = ["case", "event", opened_file, "content_type", "size", "uploader", "created_at"]
    readonly_fields = fields
    list_filter = ["content_type"]
    search_fields = ["case__tracking_id"]
    list_select_related = ["case", "uploaded_by"]
    exclude = ["uploaded_by"]
    readonly_fields = ["uploader"]

    @admin.display(description=_("by"))
    def uploader(self, attachment: Attachment) -> str:
        return _uploader(attachment)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).filter(case__in=_visible_cases(request))
