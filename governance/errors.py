"""Typed, human-readable refusals of the workflow."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class WorkflowError(Exception):
    """Base: a workflow action was refused; `message` says why in words a person understands."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(WorkflowError):
    """The person may not take this action on this case."""

    code = "not_permitted"


class InvalidTransition(WorkflowError):
    """The action is not possible from the case's current state."""

    code = "invalid_transition"


class InvalidInput(WorkflowError):
    """The action's input is wrong: `errors` maps field names to messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | ValidationError) -> None:
        if isinstance(errors, ValidationError):
            errors = (
                errors.message_dict
                if hasattr(errors, "error_dict")
                else {"__all__": errors.messages}
            )
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
