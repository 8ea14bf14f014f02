from gridwork.models.organisations import KeyPlace, Organisation
from gridwork.models.people import Gender, Residence, Resident, Tag
from gridwork.models.places import Building, Household, Placed

__all__ = [
    "Building",
    "Gender",
    "Household",
    "KeyPlace",
    "Organisation",
    "Placed",
    "Residence",
    "Resident",
    "Tag",
]
