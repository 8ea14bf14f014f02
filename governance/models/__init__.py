from governance.models.area import Area, Level
from governance.models.calendar import CalendarDay
from governance.models.case import (
    Attachment,
    Audience,
    Case,
    CaseContact,
    CaseEvent,
    Channel,
    EventKind,
    Status,
)
from governance.models.category import Category, Datatype, Family, LimitUnit, Question, Urgency
from governance.models.outbox import OutboxKind, OutboxMessage
from governance.models.people import (
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Assignment,
    Department,
    Role,
)
from governance.models.sharing import AccessLog, ApiKey, RegistryKind, SharingGrant
from governance.models.staff_tools import ResponseTemplate, SavedFilter, TemplateAction
from governance.models.statistics import AreaDailyStatistics

__all__ = [
    "AccessLog",
    "ApiKey",
    "Area",
    "AreaDailyStatistics",
    "AreaGroupObjectPermission",
    "AreaUserObjectPermission",
    "Assignment",
    "Attachment",
    "Audience",
    "CalendarDay",
    "Case",
    "CaseContact",
    "CaseEvent",
    "Category",
    "Channel",
    "Datatype",
    "Department",
    "EventKind",
    "Family",
    "Level",
    "LimitUnit",
    "OutboxKind",
    "OutboxMessage",
    "Question",
    "RegistryKind",
    "ResponseTemplate",
    "Role",
    "SavedFilter",
    "SharingGrant",
    "Status",
    "TemplateAction",
    "Urgency",
]
