"""Rules over readings, the state each rule keeps per datastream, and the alarms they raise.

A rule watches one datastream, or every datastream of an observed property under an area (all
of them when no area is named). Its state per datastream (`RuleState`) is all it needs to judge
the next reading: when the condition began, the recent trips, the last value. Readings are
never read back from the observation history to evaluate a rule.

An alarm is one episode of a rule on a thing: raised active, acknowledged by someone, cleared.
At most one alarm of a (thing, rule) is active at a time (a partial unique constraint); the
case it opened stays linked, and a later episode of the same (thing, rule) adds to that case
while it is open.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("threshold with hysteresis")
    DURATION = "duration", _("held for a duration")
    COUNT = "count", _("trips counted in a window")
    RATE = "rate", _("rate of change")
    NO_SIGNAL = "no_signal", _("no signal")


class Direction(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class Rule(models.Model):
    """When readings make an alarm, and what case an alarm opens."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    active = models.BooleanField(_("active"), default=True)
    # What it watches: one datastream, or an observed property (under an area, or anywhere).
    datastream = models.ForeignKey(
        "sensing.Datastream",
        verbose_name=_("datastream"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    observed_property = models.ForeignKey(
        "sensing.ObservedProperty",
        verbose_name=_("observed property"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensing_rules",
        help_text=_("With an observed property: the datastreams of things under this area."),
    )
    area_path = models.CharField(max_length=80, blank=True, default="", editable=False)
    # The condition. Threshold, duration and count: the reading is past `trip_at` (above or
    # below, `direction`); the alarm clears once a reading is back past `clear_at` (the
    # hysteresis band between them keeps a value near the line from flapping). Rate: the
    # change per hour is past `trip_at`; clears when it is back past `clear_at`.
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.ABOVE
    )
    trip_at = models.FloatField(_("trip at"), null=True, blank=True)
    clear_at = models.FloatField(
        _("clear at"), null=True, blank=True, help_text=_("Empty: the same as the trip value.")
    )
    duration_s = models.PositiveIntegerField(
        _("held for (seconds)"), default=0, help_text=_("Duration rules.")
    )
    count = models.PositiveIntegerField(_("trips"), default=0, help_text=_("Count rules."))
    window_s = models.PositiveIntegerField(
        _("window (seconds)"),
        default=0,
        help_text=_("Count rules: the window of the trips; no-signal rules: the silence."),
    )
    # What an alarm does.
    category = models.ForeignKey(
        "governance.Category",
        verbose_name=_("case category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensing_rules",
        help_text=_("Empty: the city component the thing stands for."),
    )
    urgency = models.CharField(
        _("urgency"),
        max_length=10,
        choices=[("general", _("general")), ("urgent", _("urgent"))],
        default="general",
    )
    answers = models.JSONField(
        _("answers to the category's questions"),
        default=dict,
        blank=True,
        help_text=_(
            'What the case tells the category\'s required questions, e.g. {"damage": ["loose"]}.'
        ),
    )
    opens_case = models.BooleanField(_("an alarm opens a case"), default=True)
    resolve_on_clear = models.BooleanField(
        _("clearing resolves the case"),
        default=False,
        help_text=_("When the case is being handled, the alarm's clearing resolves it."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.area_path = self.area.path if self.area_id and self.area else ""
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def clear_value(self) -> float | None:
        return self.clear_at if self.clear_at is not None else self.trip_at

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (self.datastream_id is None) == (self.observed_property_id is None):
            errors["datastream"] = [_("Name one datastream, or an observed property.")]
        if self.datastream_id is not None and self.area_id is not None:
            errors["area"] = [_("An area goes with an observed property, not a datastream.")]
        if self.kind != RuleKind.NO_SIGNAL and self.trip_at is None:
            errors["trip_at"] = [_("Give the value that trips the alarm.")]
        if (
            self.kind != RuleKind.NO_SIGNAL
            and self.trip_at is not None
            and self.clear_at is not None
        ):
            above = self.direction == Direction.ABOVE
            if (above and self.clear_at > self.trip_at) or (
                not above and self.clear_at < self.trip_at
            ):
                errors["clear_at"] = [_("The clearing value lies on the normal side of the trip.")]
        if self.kind == RuleKind.DURATION and not self.duration_s:
            errors["duration_s"] = [_("Give how long the condition must hold.")]
        if self.kind == RuleKind.COUNT and (not self.count or not self.window_s):
            errors["count"] = [_("Give how many trips in how many seconds.")]
        if self.kind == RuleKind.NO_SIGNAL and not self.window_s:
            errors["window_s"] = [_("Give how long a silence raises the alarm.")]
        if errors:
            raise ValidationError(errors)


class RuleState(models.Model):
    """What a rule remembers of one datastream between readings."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    datastream = models.ForeignKey(
        "sensing.Datastream", on_delete=models.CASCADE, related_name="rule_states"
    )
    beyond = models.BooleanField(default=False)  # the last reading was past the trip value
    since = models.DateTimeField(null=True, blank=True)  # when it went past (duration)
    trips = models.JSONField(default=list, blank=True)  # recent trip times, ISO (count)
    last_value = models.FloatField(null=True, blank=True)
    last_time = models.DateTimeField(null=True, blank=True)
    tripped = models.BooleanField(default=False)  # this datastream holds the rule's alarm

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["datastream", "rule"], name="sensing_rulestate_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.datastream_id}"


class Alarm(models.Model):
    """One episode of a rule on a thing: active until cleared; acknowledged by someone."""

    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="alarms"
    )
    thing = models.ForeignKey(
        "sensing.Thing", verbose_name=_("thing"), on_delete=models.CASCADE, related_name="alarms"
    )
    datastream = models.ForeignKey(
        "sensing.Datastream",
        verbose_name=_("datastream"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="alarms",
    )
    area_path = models.CharField(max_length=80, default="", editable=False, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    raised_at = models.DateTimeField(_("raised at"))
    value = models.FloatField(_("value that raised it"), null=True, blank=True)
    trip_count = models.PositiveIntegerField(_("trips"), default=1)
    last_trip_at = models.DateTimeField(_("last trip at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    clear_value = models.FloatField(_("value that cleared it"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alarms",
    )

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["thing", "rule"],
                condition=models.Q(active=True),
                name="sensing_alarm_one_active",
            )
        ]
        indexes = [models.Index(fields=["active", "-raised_at"], name="sensing_alarm_listed")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.thing}"
