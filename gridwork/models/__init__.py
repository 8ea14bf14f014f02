from gridwork.models.duty import DutyDay, DutyRules
from gridwork.models.organisations import KeyPlace, Organisation
from gridwork.models.patrols import (
    CheckIn,
    CheckInPhoto,
    Patrol,
    PatrolReport,
    PatrolSegment,
    PatrolStatus,
)
from gridwork.models.people import Gender, Residence, Resident, Tag
from gridwork.models.places import Building, Household, Placed
from gridwork.models.visits import DEFAULT_INTERVALS, Visit, VisitInterval, VisitReminder

__all__ = [
    "DEFAULT_INTERVALS",
    "Building",
    "CheckIn",
    "CheckInPhoto",
    "DutyDay",
    "DutyRules",
    "Gender",
    "Household",
    "KeyPlace",
    "Organisation",
    "Patrol",
    "PatrolReport",
    "PatrolSegment",
    "PatrolStatus",
    "Placed",
    "Residence",
    "Resident",
    "Tag",
    "Visit",
    "VisitInterval",
    "VisitReminder",
]
