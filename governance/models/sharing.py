"""Sharing grants, the access log of personal data, and Open311 API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models.area import Area
from governance.models.case import Case
from governance.models.category import Category
from governance.models.people import Department


class SharingGrantQuerySet(models.QuerySet["SharingGrant"]):
    def current(self, now=None) -> SharingGrantQuerySet:
        """Grants in force: evaluated at query time, so an expired grant needs no job."""
        return self.filter(expires_at__gt=now or timezone.now())


class RegistryKind(models.TextChoices):
    """The kinds of base-registry records (the `gridwork` app) a sharing grant may cover."""

    BUILDINGS = "buildings", _("buildings")
    HOUSEHOLDS = "households", _("households")
    RESIDENTS = "residents", _("residents")
    KEY_PLACES = "key_places", _("key places")
    ORGANISATIONS = "organisations", _("organisations")


class SharingGrant(models.Model):
    """An administrator lets a department see cases of some categories under an area, and
    registry records of some kinds (`registry_kinds`, none by default) under the same area."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="sharing_grants",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="sharing_grants"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), related_name="sharing_grants", blank=True
    )
    registry_kinds = models.JSONField(
        _("registry records"),
        default=list,
        blank=True,
        help_text=_(
            "Base-registry records shared too, a list of: buildings, households, residents, "
            "key_places, organisations."
        ),
    )
    with_personal_data = models.BooleanField(_("with personal data"), default=False)
    expires_at = models.DateTimeField(_("expires at"))
    note = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SharingGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("sharing grant")
        verbose_name_plural = _("sharing grants")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "expires_at"], name="grant_department")]

    def __str__(self) -> str:
        return f"{self.department} → {self.area} ({self.expires_at:%Y-%m-%d})"

    @property
    def is_current(self) -> bool:
        return self.expires_at > timezone.now()

    def clean(self) -> None:
        kinds = self.registry_kinds
        if not isinstance(kinds, list) or not set(kinds) <= set(RegistryKind.values):
            raise ValidationError(
                {
                    "registry_kinds": _("A list of: %(kinds)s.")
                    % {"kinds": ", ".join(RegistryKind.values)}
                }
            )


class AccessLog(models.Model):
    """One view of personal data: who, which case (or which registry record, named by its
    model label and id), which fields, where, when. One log for every kind of record."""

    class Via(models.TextChoices):
        PAGE = "page", _("page")
        API = "api", _("API")
        EXPORT = "export", _("export")
        OPEN311 = "open311", _("Open311")
        ADMIN = "admin", _("admin")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_logs",
    )
    # A registry record (`gridwork`): "gridwork.resident" and its id; the domain names no
    # model above it, so the reference is by label.
    record_type = models.CharField(_("record type"), max_length=40, blank=True, default="")
    record_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=list)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="accesslog_case_at"),
            models.Index(fields=["record_type", "record_id", "at"], name="accesslog_record_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(record_id__isnull=False),
                name="accesslog_names_a_record",
            )
        ]

    def __str__(self) -> str:
        record = self.case_id or f"{self.record_type}#{self.record_id}"
        return f"{self.user_id} · {record} · {self.at:%Y-%m-%d %H:%M}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyManager(models.Manager["ApiKey"]):
    def issue(self, name: str) -> tuple[ApiKey, str]:
        """A new key: only its hash is stored; the plain key is returned once."""
        key = secrets.token_urlsafe(32)
        return self.create(name=name, key_hash=hash_key(key), prefix=key[:8]), key

    def verify(self, key: str | None) -> ApiKey | None:
        if not key:
            return None
        return self.filter(key_hash=hash_key(key), active=True).first()


class ApiKey(models.Model):
    """A key another system uses to POST Open311 service requests."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = ApiKeyManager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
