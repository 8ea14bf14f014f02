"""The emergency app's models, a module per concept; each part adds its own module here."""

from emergency.models.incident import (
    KIND_CLASS,
    OPEN_STATUSES,
    WARNING_COLOUR,
    Incident,
    IncidentArea,
    IncidentCase,
    IncidentEvent,
    IncidentEventKind,
    IncidentKind,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
)
from emergency.models.notice import (
    DEFAULT_OPTIONS,
    Answer,
    Certainty,
    MessageType,
    Notice,
    Recipient,
    Severity,
    Urgency,
)
from emergency.models.residents import ResidentEnrolment

__all__ = [
    "DEFAULT_OPTIONS",
    "KIND_CLASS",
    "OPEN_STATUSES",
    "WARNING_COLOUR",
    "Answer",
    "Certainty",
    "Incident",
    "IncidentArea",
    "IncidentCase",
    "IncidentEvent",
    "IncidentEventKind",
    "IncidentKind",
    "IncidentLevel",
    "IncidentSource",
    "IncidentStatus",
    "MessageType",
    "Notice",
    "Recipient",
    "ResidentEnrolment",
    "Severity",
    "Urgency",
]
