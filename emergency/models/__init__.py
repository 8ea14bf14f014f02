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

__all__ = [
    "KIND_CLASS",
    "OPEN_STATUSES",
    "WARNING_COLOUR",
    "Incident",
    "IncidentArea",
    "IncidentCase",
    "IncidentEvent",
    "IncidentEventKind",
    "IncidentKind",
    "IncidentLevel",
    "IncidentSource",
    "IncidentStatus",
]
