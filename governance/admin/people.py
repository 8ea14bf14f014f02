"""People: accounts, departments (members through their group), assignments, area permissions."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from governance.models import (
    Area,
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Assignment,
    Department,
)

User = get_user_model()  # the project's accounts, named through settings.AUTH_USER_MODEL


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["area"]
    fields = ["role", "area", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "preferred_language",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "phone",
                    "email",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = [
        "username",
        "display_name",
        "phone",
        "email",
        "preferred_language",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language", "groups"]
    search_fields = ["username", "display_name", "phone", "email", "first_name", "last_name"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "created_at"]
    list_filter = ["role", "area__level"]
    search_fields = [
        "user__username",
        "user__display_name",
        "area__code",
        "area__name",
        "area__name_en",
    ]
    autocomplete_fields = ["user", "area"]
    list_select_related = ["user", "area"]


class DepartmentForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("members"),
        queryset=User.objects.order_by("username"),
        required=False,
        widget=FilteredSelectMultiple(_("members"), is_stacked=False),
        help_text=_("The staff who handle the cases dispatched to this department."),
    )

    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.group.user_set.all())


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["code", "name", "name_en", "member_count"]
    search_fields = ["code", "name", "name_en"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        return super().get_queryset(request).annotate(members_total=Count("group__user"))

    @admin.display(description=_("members"), ordering="members_total")
    def member_count(self, department: Department) -> int:
        return department.members_total

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.group.user_set.set(form.cleaned_data["members"])


@admin.register(AreaUserObjectPermission)
class AreaUserObjectPermissionAdmin(admin.ModelAdmin):
    """Derived from assignments (changing an assignment re-grants them): read only."""

    list_display = ["user", "permission", "content_object"]
    list_filter = ["permission"]
    search_fields = ["user__username", "content_object__code", "content_object__name"]
    list_select_related = ["user", "permission", "content_object"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AreaGroupObjectPermissionForm(forms.ModelForm):
    class Meta:
        model = AreaGroupObjectPermission
        fields = ["group", "permission", "content_object"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permission"].queryset = self.fields["permission"].queryset.filter(
            content_type=ContentType.objects.get_for_model(Area)
        )


@admin.register(AreaGroupObjectPermission)
class AreaGroupObjectPermissionAdmin(admin.ModelAdmin):
    """A department's permission on an area and everything beneath it."""

    form = AreaGroupObjectPermissionForm
    list_display = ["group", "permission", "content_object"]
    list_filter = ["permission", "group"]
    search_fields = ["group__name", "content_object__code", "content_object__name"]
    autocomplete_fields = ["content_object"]
    list_select_related = ["group", "permission", "content_object"]
