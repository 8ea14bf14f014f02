"""Every API refusal as one JSON shape: {"detail", "code", "errors"?: {field: [messages]}}.

Workflow refusals map to HTTP: a case the person may not see → 404 (nothing leaks), an action
they may not take → 403, an impossible transition or bad input → 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from governance.errors import InvalidInput, InvalidTransition, NotPermitted, WorkflowError

T = TypeVar("T")


class Refused(exceptions.APIException):
    def __init__(self, detail: str, code: str, http_status: int, errors: dict | None = None):
        super().__init__(detail=detail, code=code)
        self.status_code = http_status
        self.errors = errors


def workflow_refusal(error: WorkflowError) -> Refused:
    if isinstance(error, InvalidInput):
        return Refused(error.message, error.code, status.HTTP_400_BAD_REQUEST, error.errors)
    if isinstance(error, NotPermitted):
        no_such = error.message == _("There is no such case.")
        return Refused(
            error.message,
            "not_found" if no_such else error.code,
            status.HTTP_404_NOT_FOUND if no_such else status.HTTP_403_FORBIDDEN,
        )
    if isinstance(error, InvalidTransition):
        return Refused(error.message, error.code, status.HTTP_400_BAD_REQUEST)
    return Refused(error.message, error.code, status.HTTP_400_BAD_REQUEST)


def run(function: Callable[..., T], **kwargs: Any) -> T:
    """Call a workflow function; its refusal becomes the matching API error."""
    try:
        return function(**kwargs)
    except WorkflowError as error:
        raise workflow_refusal(error) from None


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(data, list) and data and all(not isinstance(v, dict | list) for v in data):
        return {prefix or "__all__": [str(v) for v in data]}
    if isinstance(data, list):
        out = {}
        for index, value in enumerate(data):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "__all__": [str(data)]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, WorkflowError):
        exc = workflow_refusal(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = Refused(_("The request body is too large."), "too_large", 413)
    elif isinstance(exc, SuspiciousOperation):
        exc = Refused(_("The request was refused."), "bad_request", 400)
    if isinstance(exc, Http404):
        exc = Refused(_("Not found."), "not_found", 404)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Refused):
        body: dict[str, Any] = {"detail": str(exc.detail), "code": exc.detail.code}
        if exc.errors:
            body["errors"] = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = {
            "detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        body = {"detail": str(detail), "code": getattr(detail, "code", exc.default_code)}
    else:
        body = {"detail": str(response.data), "code": "error"}
    response.data = body
    return response


class SafeLookupMixin:
    """A path id with a NUL character (which PostgreSQL cannot compare) is simply not found."""

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if any("\x00" in str(value) for value in kwargs.values()):
            raise Refused(_("Not found."), "not_found", 404)
