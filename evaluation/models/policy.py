"""What administrators set for the evaluation: weights, grade cut-offs, minimum sample, and
the intake and verification limits. One row (pk 1); the reference's defaults until changed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Score terms per family: rate name → weight (reference defaults). `rework_rate` enters as
# (1 − rework_rate); `patrol_duty_met` is contributed by grid work (`evaluation.contributed`,
# filled by `gridwork.duty`): null where nothing registers it or the person has no duty.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "area": {
        "on_time_closing_rate": 50,
        "closing_rate": 30,
        "rework_rate": 10,
        "satisfaction_rate": 10,
    },
    "department": {
        "on_time_handling_rate": 40,
        "closing_rate": 30,
        "rework_rate": 20,
        "satisfaction_rate": 10,
    },
    "person": {
        "valid_report_rate": 40,
        "verified_on_time_rate": 40,
        "patrol_duty_met": 20,
    },
}
INVERTED_TERMS = frozenset({"rework_rate"})
DEFAULT_CUTOFFS: dict[str, float] = {"A": 90, "B": 75, "C": 60, "D": 40}
SCORED_RATES = frozenset(
    {
        "on_time_closing_rate",
        "closing_rate",
        "rework_rate",
        "satisfaction_rate",
        "on_time_handling_rate",
        "valid_report_rate",
        "verified_on_time_rate",
        "patrol_duty_met",
        "handling_rate",
        "filed_on_time_rate",
        "resolution_rate",
    }
)


def _default_weights() -> dict[str, dict[str, float]]:
    return {family: dict(terms) for family, terms in DEFAULT_WEIGHTS.items()}


def _default_cutoffs() -> dict[str, float]:
    return dict(DEFAULT_CUTOFFS)


class Policy(models.Model):
    weights = models.JSONField(
        _("weights"),
        default=_default_weights,
        help_text=_(
            'Per family (area, department, person): rate name → weight, e.g. {"area": '
            '{"on_time_closing_rate": 50, …}}. Weights of rates without data are left out '
            "and the rest scaled to 100."
        ),
    )
    cutoffs = models.JSONField(
        _("grade cut-offs"),
        default=_default_cutoffs,
        help_text=_("Lowest score of each grade: A, B, C, D; below D's is E."),
    )
    minimum_sample = models.PositiveIntegerField(
        _("minimum sample"),
        default=10,
        help_text=_("Fewer obligations than this in a scope and period: not graded."),
    )
    intake_limit_hours = models.FloatField(
        _("intake limit (working hours)"),
        default=1,
        help_text=_("Changing it applies to facts derived from now on; rebuild for the past."),
    )
    verification_limit_hours = models.FloatField(_("verification limit (working hours)"), default=4)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")

    def __str__(self) -> str:
        return str(_("evaluation settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        weights = self.weights
        if not isinstance(weights, dict) or set(weights) - set(DEFAULT_WEIGHTS):
            errors["weights"] = _("Weights are given per family: area, department, person.")
        else:
            for terms in weights.values():
                if not isinstance(terms, dict) or not terms:
                    errors["weights"] = _("Each family needs at least one weighted rate.")
                    break
                for name, weight in terms.items():
                    if name not in SCORED_RATES:
                        errors["weights"] = _("%(name)s is not a rate that can be weighted.") % {
                            "name": name
                        }
                    elif not isinstance(weight, int | float) or isinstance(weight, bool):
                        errors["weights"] = _("A weight is a number.")
                    elif weight < 0:
                        errors["weights"] = _("A weight may not be negative.")
        cutoffs = self.cutoffs
        if not isinstance(cutoffs, dict) or set(cutoffs) != set(DEFAULT_CUTOFFS):
            errors["cutoffs"] = _("Give the lowest score of A, B, C and D.")
        elif not all(
            isinstance(cutoffs[g], int | float) and not isinstance(cutoffs[g], bool)
            for g in DEFAULT_CUTOFFS
        ):
            errors["cutoffs"] = _("A cut-off is a number.")
        elif not 100 >= cutoffs["A"] > cutoffs["B"] > cutoffs["C"] > cutoffs["D"] >= 0:
            errors["cutoffs"] = _("Cut-offs fall from A to D, between 100 and 0.")
        if self.intake_limit_hours is not None and self.intake_limit_hours <= 0:
            errors["intake_limit_hours"] = _("A limit is more than zero hours.")
        if self.verification_limit_hours is not None and self.verification_limit_hours <= 0:
            errors["verification_limit_hours"] = _("A limit is more than zero hours.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> Policy:
        """The settings in force (the defaults, unsaved, when nobody has changed them)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def weights_for(self, family: str) -> dict[str, float]:
        terms = (self.weights or {}).get(family)
        return dict(terms) if isinstance(terms, dict) else dict(DEFAULT_WEIGHTS[family])
