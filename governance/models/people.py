"""Departments, officer assignments and the area permissions they grant."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from governance.models.area import Area


class AreaUserObjectPermission(UserObjectPermissionBase):
    """A person's permission on one area (direct foreign key, so scoped queries can join)."""

    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("area permission of a person")
        verbose_name_plural = _("area permissions of people")


class AreaGroupObjectPermission(GroupObjectPermissionBase):
    """A group's (department's) permission on one area."""

    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("area permission of a group")
        verbose_name_plural = _("area permissions of groups")


class Department(models.Model):
    """A unit that handles dispatched cases (城管, 环保, 水务 …), backed by a group."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="department")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _created = Group.objects.get_or_create(name=f"department:{self.code}")
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name in the current language (English when chosen and known)."""
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("grid officer")
    LEAD_OFFICER = "lead_officer", _("lead grid officer")
    DISPATCHER = "dispatcher", _("dispatcher")
    LEADER = "leader", _("leader")
    SUPERVISOR = "supervisor", _("supervisor")


# What each role may do on its area and everything beneath it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.OFFICER: ("see_cases", "report_cases", "verify_cases"),
    Role.LEAD_OFFICER: (
        "see_cases",
        "report_cases",
        "verify_cases",
        "intake_cases",
        "see_personal_data",
    ),
    Role.DISPATCHER: (
        "see_cases",
        "report_cases",
        "intake_cases",
        "dispatch_cases",
        "see_personal_data",
    ),
    Role.LEADER: (
        "see_cases",
        "report_cases",
        "intake_cases",
        "dispatch_cases",
        "escalate_cases",
        "see_personal_data",
    ),
    Role.SUPERVISOR: ("see_cases", "escalate_cases"),
}


class Assignment(models.Model):
    """A person's role on an area. Saving or deleting one re-grants the person's permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "area", "role"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"
