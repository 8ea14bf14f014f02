"""An incident (突发事件): what happened, how serious, where, and everything done about it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    """The four classes of the Emergency Response Law, with the kinds a city meets most."""

    FLOOD = "flood", _("flood and rainstorm")
    TYPHOON = "typhoon", _("typhoon and gale")
    EARTHQUAKE = "earthquake", _("earthquake and geological hazard")
    FIRE = "fire", _("fire")
    GAS = "gas", _("gas leak or explosion")
    HAZARDOUS_CHEMICALS = "chemicals", _("hazardous chemicals")
    UTILITIES = "utilities", _("water, power or heating failure")
    TRAFFIC = "traffic", _("traffic accident")
    PUBLIC_HEALTH = "health", _("public health")
    SOCIAL_SECURITY = "security", _("social security")
    OTHER = "other", _("other")


# The class (Emergency Response Law, art. 3) of each kind: natural disasters, accidents,
# public health incidents, social security incidents.
KIND_CLASS = {
    IncidentKind.FLOOD: "natural",
    IncidentKind.TYPHOON: "natural",
    IncidentKind.EARTHQUAKE: "natural",
    IncidentKind.FIRE: "accident",
    IncidentKind.GAS: "accident",
    IncidentKind.HAZARDOUS_CHEMICALS: "accident",
    IncidentKind.UTILITIES: "accident",
    IncidentKind.TRAFFIC: "accident",
    IncidentKind.PUBLIC_HEALTH: "health",
    IncidentKind.SOCIAL_SECURITY: "security",
    IncidentKind.OTHER: "accident",
}


class IncidentLevel(models.IntegerChoices):
    """Severity (突发事件分级): I is the most serious. The warning colour goes with it."""

    I = 1, _("I · extraordinarily serious")  # noqa: E741 - the level's own name
    II = 2, _("II · serious")
    III = 3, _("III · relatively serious")
    IV = 4, _("IV · ordinary")


WARNING_COLOUR = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")  # e.g. taken from an upstream CAP alert, not yet confirmed
    REPORTED = "reported", _("reported")
    CONFIRMED = "confirmed", _("confirmed")
    RESPONDING = "responding", _("responding")
    RECOVERING = "recovering", _("recovering")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (
    IncidentStatus.REPORTED,
    IncidentStatus.CONFIRMED,
    IncidentStatus.RESPONDING,
    IncidentStatus.RECOVERING,
)


class IncidentSource(models.TextChoices):
    STAFF = "staff", _("declared by staff")
    CAP = "cap", _("an upstream CAP alert")


class Incident(models.Model):
    """One incident. Its affected areas are a set of area subtrees (`IncidentArea`); a drawn
    polygon, when there is one, is kept as drawn and resolved to the grids it touches."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=IncidentLevel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    exercise = models.BooleanField(
        _("exercise (drill)"),
        default=False,
        help_text=_("A drill runs the same machinery and is marked as an exercise everywhere."),
    )
    polygon = models.JSONField(_("drawn area (GeoJSON)"), null=True, blank=True)
    areas = models.ManyToManyField(
        "governance.Area",
        through="IncidentArea",
        verbose_name=_("affected areas"),
        related_name="incidents",
    )
    source = models.CharField(
        _("source"), max_length=8, choices=IncidentSource.choices, default=IncidentSource.STAFF
    )
    # For an incident taken from an upstream CAP alert: "sender,identifier,sent".
    source_reference = models.CharField(_("source reference"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    categories = models.ManyToManyField(
        "governance.Category",
        verbose_name=_("case categories"),
        blank=True,
        related_name="+",
        help_text=_(
            "Citizens' reports of these categories in the affected areas are suggested for linking."
        ),
    )
    cases = models.ManyToManyField(
        "governance.Case",
        through="IncidentCase",
        verbose_name=_("linked cases"),
        related_name="incidents",
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="incident_status")]
        constraints = [
            # One incident per upstream CAP alert, however often (or concurrently) it is sent.
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=models.Q(source="cap"),
                name="incident_cap_alert_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def warning_colour(self) -> str:
        return WARNING_COLOUR[self.level]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IncidentArea(models.Model):
    """One affected area subtree of an incident (the area and everything beneath it)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    area = models.ForeignKey(
        "governance.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's path, kept here so "incidents touching these paths" is one indexed query.
    path = models.CharField(max_length=80, db_index=True, editable=False)

    class Meta:
        verbose_name = _("affected area")
        verbose_name_plural = _("affected areas")
        constraints = [
            models.UniqueConstraint(fields=["incident", "area"], name="incident_area_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} · {self.area_id}"

    def save(self, *args, **kwargs):
        self.path = self.area.path
        super().save(*args, **kwargs)


class IncidentEventKind(models.TextChoices):
    DECLARED = "declared", _("declared")
    STATUS = "status", _("status changed")
    LEVEL = "level", _("level changed")
    AREAS = "areas", _("affected areas changed")
    NOTE = "note", _("note")
    CASE_LINKED = "case_linked", _("case linked")
    CASE_UNLINKED = "case_unlinked", _("case unlinked")
    PLAN_ACTIVATED = "plan_activated", _("plan activated")
    STEP_FEEDBACK = "step_feedback", _("step feedback")
    STEP_LATE = "step_late", _("step late")
    NOTICE_SENT = "notice_sent", _("notice sent")
    NOTICE_RESENT = "notice_resent", _("notice sent again")
    NOTICE_UPDATED = "notice_updated", _("public notice updated")
    NOTICE_CANCELLED = "notice_cancelled", _("public notice cancelled")
    ALERT_PUBLISHED = "alert_published", _("public alert published")
    CLOSED = "closed", _("closed")


class IncidentEvent(models.Model):
    """The incident's timeline: append-only, like a case's."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentEventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incident timeline entry")
        verbose_name_plural = _("incident timeline entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_event_at")]

    def __str__(self) -> str:
        return f"{self.incident_id} · {self.kind}"


class IncidentCase(models.Model):
    """A case linked to an incident: handled together with it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(
        "governance.Case", on_delete=models.CASCADE, related_name="incident_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        constraints = [
            models.UniqueConstraint(fields=["incident", "case"], name="incident_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} · {self.case_id}"
