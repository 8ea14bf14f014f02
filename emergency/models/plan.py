"""Plans (预案): prepared responses per incident kind and level range, and their activation.

A plan names its command group, response teams and ordered steps; activating it on an incident
(启动预案) turns each step into a task with owners and a due time, whose feedback is tracked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emergency.models.incident import Incident, IncidentKind, IncidentLevel
from governance.models import Role


def _localised(text: str, text_en: str) -> str:
    language = get_language() or "zh-hans"
    return text_en if language.startswith("en") and text_en else text


class StepLimitUnit(models.TextChoices):
    """A step's time limit: clock time (an emergency does not wait for office hours) or, as a
    category's, working hours or days."""

    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class Plan(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("incident kind"), max_length=20, choices=IncidentKind.choices)
    min_level = models.PositiveSmallIntegerField(
        _("most serious level"),
        choices=IncidentLevel.choices,
        default=IncidentLevel.I,
        help_text=_("The plan applies from this level …"),
    )
    max_level = models.PositiveSmallIntegerField(
        _("least serious level"),
        choices=IncidentLevel.choices,
        default=IncidentLevel.IV,
        help_text=_("… to this one (I is the most serious)."),
    )
    command_group = models.TextField(_("command group"), blank=True)
    termination = models.TextField(_("termination condition"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["kind", "min_level", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_level and self.max_level and self.min_level > self.max_level:
            raise ValidationError(
                {"max_level": _("The least serious level cannot be more serious than the most.")}
            )

    @property
    def display_name(self) -> str:
        return _localised(self.name, self.name_en)

    def covers(self, level: int) -> bool:
        return self.min_level <= level <= self.max_level


class PlanTeam(models.Model):
    """A response team: a department, or a role at the affected areas."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="teams")
    department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    duty = models.CharField(_("duty"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("response team")
        verbose_name_plural = _("response teams")

    def __str__(self) -> str:
        return str(self.department or self.get_role_display())

    def clean(self) -> None:
        if bool(self.department_id) == bool(self.role):
            raise ValidationError(_("A team is a department or a role, one of the two."))


class PlanStep(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    owner_department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_role = models.CharField(
        _("owner role at the affected areas"), max_length=20, choices=Role.choices, blank=True
    )
    limit = models.PositiveIntegerField(_("time limit"))
    limit_unit = models.CharField(
        _("time limit unit"),
        max_length=20,
        choices=StepLimitUnit.choices,
        default=StepLimitUnit.MINUTES,
    )
    feedback_expected = models.CharField(_("feedback expected"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def clean(self) -> None:
        if bool(self.owner_department_id) == bool(self.owner_role):
            raise ValidationError(_("A step's owner is a department or a role, one of the two."))
        if not self.limit:
            raise ValidationError({"limit": _("A time limit must be positive.")})

    @property
    def display_title(self) -> str:
        return _localised(self.title, self.title_en)


class Activation(models.Model):
    """A plan activated on an incident (启动预案): once per (incident, plan)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="activations")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="activations")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("activated at"))

    class Meta:
        verbose_name = _("plan activation")
        verbose_name_plural = _("plan activations")
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "plan"], name="activation_once")]

    def __str__(self) -> str:
        return f"{self.incident_id} · {self.plan}"


class Task(models.Model):
    """One step of an activated plan: its owners, due time, feedback and lateness."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(PlanStep, on_delete=models.PROTECT, related_name="tasks")
    # Kept from the step, so a later edit of the plan does not rewrite what was asked.
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    feedback_expected = models.CharField(_("feedback expected"), max_length=300, blank=True)
    owner_department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owners"),
        blank=True,
        related_name="emergency_tasks",
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    late = models.BooleanField(_("late"), default=False)
    escalated_at = models.DateTimeField(_("leaders told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["activation", "order", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="task_open_due",
                condition=models.Q(feedback_at__isnull=True, late=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return _localised(self.title, self.title_en)

    @property
    def done(self) -> bool:
        return self.feedback_at is not None

    @property
    def on_time(self) -> bool | None:
        """None while open and not late; then whether feedback came by the due time."""
        if self.feedback_at is not None:
            return self.feedback_at <= self.due_at
        return False if self.late else None
