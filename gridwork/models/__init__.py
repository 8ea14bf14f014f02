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

__all__ = [
    "Building",
    "CheckIn",
    "CheckInPhoto",
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
]
