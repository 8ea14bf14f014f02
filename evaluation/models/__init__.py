"""The evaluation's tables; each concept in its own module, re-exported here."""

from evaluation.models.callback import CallbackLink, CallbackRequest
from evaluation.models.facts import Kind, Obligation, Outcome
from evaluation.models.policy import Policy

__all__ = ["CallbackLink", "CallbackRequest", "Kind", "Obligation", "Outcome", "Policy"]
