"""What citizens report: categories with time limits and their extra questions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    COMPONENT = "component", _("component (部件)")
    EVENT = "event", _("event (事件)")
    SERVICE = "service", _("public service")
    CONSULTATION = "consultation", _("consultation")
    COMPLAINT = "complaint", _("complaint")
    SUGGESTION = "suggestion", _("suggestion")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class Urgency(models.TextChoices):
    GENERAL = "general", _("general")
    URGENT = "urgent", _("urgent")


class Category(models.Model):
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("As configured locally, e.g. event-0102; codes are data, not constants."),
    )
    name = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    default_department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_categories",
    )
    limit_unit = models.CharField(
        _("time limit unit"),
        max_length=20,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKING_HOURS,
    )
    general_limit = models.PositiveIntegerField(_("time limit, general"))
    urgent_limit = models.PositiveIntegerField(
        _("time limit, urgent"),
        null=True,
        blank=True,
        help_text=_("Empty: cannot be marked urgent."),
    )
    private_location = models.BooleanField(
        _("location is personal data"),
        default=False,
        help_text=_("E.g. a service application at a home address: exact location is redacted."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name

    @property
    def allows_urgent(self) -> bool:
        return self.urgent_limit is not None

    def limit_for(self, urgency: str) -> int:
        if urgency == Urgency.URGENT and self.urgent_limit is not None:
            return self.urgent_limit
        return self.general_limit

    def clean(self) -> None:
        if self.general_limit is not None and self.general_limit <= 0:
            raise ValidationError({"general_limit": _("A time limit must be positive.")})
        if (
            self.urgent_limit is not None
            and self.general_limit is not None
            and (self.urgent_limit <= 0 or self.urgent_limit > self.general_limit)
        ):
            raise ValidationError(
                {
                    "urgent_limit": _(
                        "The urgent limit must be positive and no longer than the general one."
                    )
                }
            )


class Datatype(models.TextChoices):
    STRING = "string", _("short text")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("long text")
    SINGLE = "singlevaluelist", _("one choice")
    MULTI = "multivaluelist", _("several choices")


class Question(models.Model):
    """An extra question of a category: the Open311 attribute model."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("Chinese label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200)
    description = models.CharField(_("Chinese help text"), max_length=300, blank=True)
    description_en = models.CharField(_("English help text"), max_length=300, blank=True)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("values"),
        default=list,
        blank=True,
        help_text=_('For list types: [{"key": "k", "name": "名称", "name_en": "Name"}, …]'),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="question_code_unique"),
            models.UniqueConstraint(fields=["category", "order"], name="question_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    @property
    def display_label(self) -> str:
        language = get_language() or "zh-hans"
        return self.label_en if language.startswith("en") and self.label_en else self.label

    @property
    def display_description(self) -> str:
        """The help text in the active language (the Chinese one where no English is given)."""
        language = get_language() or "zh-hans"
        english = language.startswith("en") and self.description_en
        return self.description_en if english else self.description

    @property
    def value_names(self) -> dict[str, str]:
        """A list question's values, key → name in the active language (Chinese, or the key,
        where no English name is given): the one place that names them."""
        english = (get_language() or "").startswith("en")
        return {
            str(v["key"]): str((english and v.get("name_en")) or v.get("name") or v["key"])
            for v in self.values
            if isinstance(v, dict) and "key" in v
        }

    @property
    def is_list(self) -> bool:
        return self.datatype in (Datatype.SINGLE, Datatype.MULTI)

    def clean(self) -> None:
        if self.is_list:
            keys = [v.get("key") for v in self.values if isinstance(v, dict)]
            if (
                not keys
                or len(keys) != len(self.values)
                or len(set(keys)) != len(keys)
                or not all(isinstance(k, str) and k for k in keys)
            ):
                raise ValidationError(
                    {"values": _("A list question needs values, each with a unique key.")}
                )
        elif self.values:
            raise ValidationError({"values": _("Only list questions have values.")})
