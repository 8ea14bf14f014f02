"""Patrols (巡查): an officer's walk, its track, its check-ins at key places, and the cases
reported from it.

Storage of the track: 20,000 officers × 240 points a day is 4.8 million points a day. A row per
point (id, patrol, time, two coordinates, accuracy, plus a unique index on (patrol, time)) costs
about 120 bytes a point, over half a gigabyte a day. Points come in batches (the phone sends
what it has kept), so a batch is stored as ONE `PatrolSegment` row whose points are packed
(`gridwork.track_codec`: 14 bytes a point — milliseconds from the segment's first point,
longitude and latitude in 10⁻⁷ degrees, accuracy in metres): one insert per batch, about 40
bytes a point with the row's own overhead, and a track is read back with one indexed query.
What duty sheets and the live map need (distance, time inside the grids, last position) is
summed on the `Patrol` row as each batch is accepted, so nothing has to decode tracks to count.

Idempotency: a batch carries the phone's id, unique per patrol, and a resent batch answers what
it answered the first time; accepted points strictly follow each other in time, so a point at
or before the last accepted one (sent again under another batch id) is refused as already
received, never stored twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Area, Case
from gridwork.models.organisations import KeyPlace


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", _("on patrol")
    ENDED = "ended", _("ended")


class Patrol(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="patrols",
        db_index=False,  # led by the (officer, started_at) index
    )
    # The grid the officer patrols for (theirs when they started); its path scopes who sees it.
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = models.CharField(_("area path"), max_length=80, editable=False, default="")
    # Every grid the officer held when they started (time inside any of them is duty time).
    grids = models.ManyToManyField(Area, verbose_name=_("grids"), blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Summaries, added to as each batch of points is accepted.
    point_count = models.PositiveIntegerField(_("points"), default=0)
    refused_count = models.PositiveIntegerField(_("refused points"), default=0)
    distance_m = models.FloatField(_("distance (m)"), default=0.0)
    seconds_in_grid = models.PositiveIntegerField(_("time inside the grids (s)"), default=0)
    # {"<area id>": seconds} for each of `grids` the officer was inside.
    grid_seconds = models.JSONField(_("time per grid (s)"), default=dict, blank=True)
    # {"<local date>": {"s": seconds inside the grids, "m": metres}}: the same figures per day,
    # so a patrol past midnight counts on each day it ran (the duty sheet's days).
    day_figures = models.JSONField(_("figures per day"), default=dict, blank=True)
    last_t = models.DateTimeField(_("last position at"), null=True, blank=True)
    last_lon = models.FloatField(null=True, blank=True)
    last_lat = models.FloatField(null=True, blank=True)
    last_accuracy = models.PositiveIntegerField(null=True, blank=True)
    last_inside = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["officer", "started_at"], name="patrol_officer_started"),
            models.Index(
                fields=["area_path", "started_at"],
                name="patrol_area_started",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(
                fields=["area_path"],
                name="patrol_active_area",
                opclasses=["varchar_pattern_ops"],
                condition=Q(status="active"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["officer"], condition=Q(status="active"), name="patrol_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == PatrolStatus.ACTIVE

    @property
    def duration_seconds(self) -> int:
        end = self.ended_at or self.last_t or self.started_at
        return max(0, int((end - self.started_at).total_seconds()))


class PatrolSegment(models.Model):
    """One batch of track points, packed (see the module's note and `gridwork.track_codec`)."""

    # The (patrol, batch) unique index serves "this patrol's segments".
    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="segments", db_index=False
    )
    batch = models.CharField(_("batch id"), max_length=64)
    first_t = models.DateTimeField(null=True, blank=True)
    last_t = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    points = models.BinaryField(default=b"")
    # What was refused in this batch ([{"t": …, "reason": code}]), answered again on a resend.
    refused = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("track segment")
        verbose_name_plural = _("track segments")
        ordering = ["patrol", "first_t", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "batch"], name="patrolsegment_unique_batch")
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}/{self.batch}"


class CheckIn(models.Model):
    """An officer at a key place (within the configured radius), with a note and photos."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="check_ins"
    )
    key_place = models.ForeignKey(
        KeyPlace,
        verbose_name=_("key place"),
        on_delete=models.PROTECT,
        related_name="check_ins",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    distance_m = models.FloatField(_("distance from the place (m)"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["key_place", "at"], name="checkin_place_at")]

    def __str__(self) -> str:
        return f"{self.key_place} {self.at:%Y-%m-%d %H:%M}"


def check_in_photo_path(instance: CheckInPhoto, filename: str) -> str:
    return f"patrols/{instance.check_in.patrol_id}/{secrets.token_hex(8)}{instance.extension}"


class CheckInPhoto(models.Model):
    """A photo of a check-in, cleaned like a case's (`governance.attachments.clean_upload`)."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=check_in_photo_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=check_in_photo_path, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-in photo")
        verbose_name_plural = _("check-in photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file.name

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
            self.content_type, ""
        )


class PatrolReport(models.Model):
    """A case reported from a patrol ("report from here"); the case itself is governance's."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="reports"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The phone's id for this tap: a repeated tap (or a resend) files nothing twice.
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("patrol report")
        verbose_name_plural = _("patrol reports")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patrol", "request_id"],
                condition=~Q(request_id=""),
                name="patrolreport_unique_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id} → {self.case_id}"
