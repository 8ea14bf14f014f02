"""The names of the figures as people read them (the reference's Chinese names, and English),
and how a figure's value is written."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COUNT_LABELS = {
    "reported": _("Reported"),
    "filed": _("Filed"),
    "dispatched": _("To handle"),
    "resolved": _("Handled"),
    "resolved_on_time": _("Handled on time"),
    "to_close": _("To close"),
    "closed": _("Closed"),
    "closed_on_time": _("Closed on time"),
    "reworked": _("Reworked"),
    "overdue_open": _("Overdue, not handled"),
    "rated": _("Rated"),
    "satisfied": _("Satisfied"),
}
RATE_LABELS = {
    "filed_on_time_rate": _("Filed on time"),
    "handling_rate": _("Handling rate"),
    "on_time_handling_rate": _("Handled on time rate"),
    "closing_rate": _("Closing rate"),
    "on_time_closing_rate": _("Closed on time rate"),
    "rework_rate": _("Rework rate"),
    "verified_on_time_rate": _("Verified on time"),
    "valid_report_rate": _("Valid report rate"),
    "satisfaction_rate": _("Satisfaction rate"),
    "resolution_rate": _("Resolution rate (callback)"),
}
# Rates where a rise is bad news (the arrow of a change is coloured the other way).
LOWER_IS_BETTER = frozenset({"rework_rate"})


def percent(value: float | None) -> str:
    """A rate (0–1) as a percentage with one decimal; "—" for no data (never 0 %)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f} %"


def score_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
