"""The current person and their access log."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from rest_framework import serializers

from governance.models import AccessLog


class MeSerializer(serializers.ModelSerializer):
    assignments = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "username",
            "display_name",
            "email",
            "phone",
            "preferred_language",
            "is_staff",
            "assignments",
            "departments",
        ]

    def get_assignments(self, user: AbstractUser) -> list[dict[str, str]]:
        return [
            {"area": a.area.code, "role": a.role}
            for a in user.assignments.select_related("area").order_by("area__path")
        ]

    def get_departments(self, user: AbstractUser) -> list[str]:
        return [g.department.code for g in user.groups.filter(department__isnull=False)]


class AccessLogSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.tracking_id")
    who = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = ["case", "who", "fields", "via", "at"]

    def get_who(self, log: AccessLog) -> str | None:
        """The staff member who looked (None once their account is gone)."""
        if log.user is None:
            return None
        return log.user.display_name or log.user.get_username()
