"""The evaluation's tables; each concept in its own module, re-exported here."""

from evaluation.models.facts import Kind, Obligation, Outcome
from evaluation.models.policy import Policy

__all__ = ["Kind", "Obligation", "Outcome", "Policy"]
