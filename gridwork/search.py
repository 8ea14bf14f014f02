"""Finding residents: by name (prefix), phone or id number (exact, by keyed hash), inside
what the person may see (`records_for`)."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from governance.models import Area
from governance.paths import at_or_beneath
from gridwork.access import Person, RecordAction, records_for
from gridwork.idnumbers import ID_PATTERN, id_hash, normalise, normalise_phone, phone_hash
from gridwork.models import Resident

PHONE_LIKE = re.compile(r"^\+?[\d\s-]{11,16}$")


def within(records: QuerySet, area: Area | None) -> QuerySet:
    return records if area is None else records.filter(at_or_beneath(area.path))


def residents_search(
    *, user: Person, text: str = "", area: Area | None = None, limit: int | None = None
) -> QuerySet[Resident]:
    """Residents `user` may see matching `text`: an id number or a phone exactly (their keyed
    hashes, never the plain values), otherwise a name prefix; beneath `area` if given."""
    residents = within(records_for(user, Resident, RecordAction.VIEW), area)
    text = (text or "").strip()
    if text:
        number = normalise(text)
        if ID_PATTERN.match(number):
            residents = residents.filter(id_hash=id_hash(number))
        elif PHONE_LIKE.match(text):
            residents = residents.filter(phone_hash=phone_hash(normalise_phone(text)))
        else:
            residents = residents.filter(name__startswith=text[:50])
    residents = (
        residents.select_related("building", "household", "grid")
        .defer("grid__boundary")  # a grid's outline: large, and never shown here
        .order_by("area_path", "name", "pk")
    )
    return residents[:limit] if limit else residents
