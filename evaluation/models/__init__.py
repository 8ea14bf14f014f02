"""The evaluation's tables; each concept in its own module, re-exported here."""

from evaluation.models.callback import CallbackLink, CallbackRequest

__all__ = ["CallbackLink", "CallbackRequest"]
