"""Cases, their personal data kept apart, their append-only timeline and attachments."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance import clock
from governance.language import join_list
from governance.models.area import Area
from governance.models.category import Category, Urgency
from governance.models.people import Department


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    FILED = "filed", _("filed")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved, awaiting verification")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    MERGED = "merged", _("merged into another case")


# Open311 `status`: closed for these, open for every other state.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


class Channel(models.TextChoices):
    WEB = "web", _("web")
    HOTLINE = "hotline", _("hotline")
    PATROL = "patrol", _("patrol")
    API = "api", _("API")
    SENSOR = "sensor", _("sensor")


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_tracking_id() -> str:
    """A public id that reads well on the phone and does not reveal the case count."""
    stamp = timezone.localtime(clock.now()).strftime("%y%m%d")  # the submission's date
    return f"{stamp}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _person_link(verbose_name: Any = None, *, related_name: str) -> models.ForeignKey:
    """A link to a person's account that the record outlives: emptied when the account is
    deleted, never deleting the case, its timeline or its files with it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None) -> CaseQuerySet:
        return self.open().filter(due_at__lt=now or clock.now())


class Case(models.Model):
    """A citizen's request or an officer's report. Only public fields live here."""

    tracking_id = models.CharField(
        _("tracking id"),
        max_length=20,
        unique=True,
        default=new_tracking_id,
        editable=False,
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    description = models.TextField(_("description"), max_length=4000)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("Empty: outside every grid, in the city's queue."),
    )
    area_path = models.CharField(
        _("area path"),
        max_length=80,
        editable=False,
        help_text=_("The routed grid's path (or the city's when unrouted), for scoped queries."),
    )
    reporter = _person_link(_("reporter"), related_name="reported_cases")
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.GENERAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    assignee_department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = _person_link(_("assignee"), related_name="assigned_cases")
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=1000, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    # When the sweep warns: 80 % of the limit, set with due_at (workflow.warning_time). Stored
    # so the sweep finds the cases to warn with a range scan on `case_open_unwarned`.
    warn_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            # Pattern operators: `area_path LIKE '/…/%'` (everything under an area) can use
            # this index whatever the database's collation.
            models.Index(
                fields=["area_path", "status"],
                name="case_area_status",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["due_at"],
                name="case_open_due",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["warn_at"],
                name="case_open_unwarned",
                condition=Q(status__in=sorted(OPEN_STATUSES), warned_at__isnull=True),
            ),
            models.Index(fields=["assignee_department", "status"], name="case_department_status"),
            models.Index(fields=["category", "created_at"], name="case_category_created"),
            models.Index(fields=["updated_at"], name="case_updated"),
            # The newest first (Open311 request lists, the public page): walked in order and
            # stopped at the page's end, instead of sorting every case of the last 90 days.
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90),
                name="case_point_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < clock.now()


class CaseContact(models.Model):
    """The reporter's personal data, one-to-one with the case and never in public fields."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="contact", primary_key=True
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # What the contact is told about the case (a reporter without an account: confirmation and
    # status messages) is written in the language they filed in, and stops when they say so.
    language = models.CharField(_("language"), max_length=10, blank=True, db_default="")
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter's contact")
        verbose_name_plural = _("reporters' contacts")

    def __str__(self) -> str:
        return f"contact of {self.case_id}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    FILED = "filed", _("filed")
    REJECTED = "rejected", _("rejected")
    DISPATCHED = "dispatched", _("dispatched")
    STARTED = "started", _("handling started")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("verified and closed")
    REWORK = "rework", _("sent back for rework")
    ESCALATED = "escalated", _("escalated")
    WARNED = "warned", _("due soon")
    MERGED = "merged", _("merged")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REOPENED = "reopened", _("reopened")
    RATED = "rated", _("rated")
    NOTE = "note", _("note")
    ROUTED = "routed", _("routed to a grid")
    # 回访: the reporter's answer to the satisfaction callback (`evaluation.callback`), at
    # most one per case (`event_one_callback_per_case`). data: resolved, satisfied (bools),
    # channel (link / phone / app), answered_by (reporter / staff); the comment in `note`.
    CALLBACK = "callback", _("satisfaction callback answered")
    # A supervisor's conclusion on a closed case its reporter says is not resolved, past the
    # reopen window (`workflow.review_case`). data: reopen (bool); the reason in `note`.
    REVIEWED = "reviewed", _("reviewed by a supervisor")


class Audience(models.TextChoices):
    """Who may read a text or a file (see `governance.audience`, which re-exports it)."""

    INTERNAL = "internal", _("staff only")
    REPORTER = "reporter", _("staff and the reporter")
    PUBLIC = "public", _("everyone (public)")


class AppendOnlyError(Exception):
    """The timeline is history: events are never changed or deleted."""


class CaseEvent(models.Model):
    """One entry of a case's append-only timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = _person_link(_("by"), related_name="+")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Who reads this entry's note and files (capped by the case: `audience.event_audience`).
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.REPORTER
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]
        constraints = [
            # One callback answer per case, whoever records it and however often it is sent.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind="callback"),
                name="event_one_callback_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("case events are append-only")

    @property
    def display_note(self) -> str:
        """The note as the reader reads it: the system's own notes (a possible duplicate) are
        worded from their data in the active language; people's notes as they wrote them."""
        duplicates = self.data.get("possible_duplicates") if isinstance(self.data, dict) else None
        if duplicates:
            return gettext("Possible duplicate of %(ids)s.") % {"ids": join_list(duplicates)}
        return self.note


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case.tracking_id}/{secrets.token_hex(8)}{instance.extension}"


class Attachment(models.Model):
    """A photo or document on a case, optionally tied to the event it documents."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=attachment_path, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = _person_link(related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file.name

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
            "application/pdf": ".pdf",
        }.get(self.content_type, "")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
