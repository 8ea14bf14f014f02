"""Personal data: who may see a reporter's contact and exact private locations, and the log.

Personal data is the reporter's name, phone and e-mail, and the exact location of a case whose
category is marked `private_location`. It is shown only to those `may(SEE_PERSONAL_DATA)`
allows; everyone else gets it redacted (contact) or rounded (location). Every showing to
someone other than the reporter writes one `AccessLog` row naming the fields shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from governance import clock
from governance.access import Action, Person, may
from governance.models import AccessLog, Case, CaseContact

PUBLIC_DECIMALS = 3  # about 100 m
CONTACT_FIELDS = ("name", "phone", "email")
LOCATION_FIELD = "location"


@dataclass(frozen=True)
class Revealed:
    """What one person is shown of a case's personal data."""

    contact: CaseContact | None
    lon: float
    lat: float
    exact: bool  # False: the location is rounded
    personal_data: bool  # whether the person may see personal data on the case at all

    @property
    def point(self) -> tuple[float, float]:
        return self.lon, self.lat


def public_point(case: Case) -> tuple[float, float]:
    """The location as the public sees it: rounded to about 100 m."""
    return round(case.lon, PUBLIC_DECIMALS), round(case.lat, PUBLIC_DECIMALS)


def listed_point(case: Case) -> tuple[float, float]:
    """The location in lists shown to staff: exact, unless the category makes it personal."""
    return listed_coordinates(case.lon, case.lat, private_location=case.category.private_location)


def listed_coordinates(lon: float, lat: float, *, private_location: bool) -> tuple[float, float]:
    """`listed_point` for a row read without its model (long lists built from `values()`)."""
    if private_location:
        return round(lon, PUBLIC_DECIMALS), round(lat, PUBLIC_DECIMALS)
    return lon, lat


def log_access(
    user: Person, cases: Iterable[Case], *, fields: list[str] | tuple[str, ...], via: str
) -> None:
    """One access-log row per case whose personal data `user` (not its reporter) was shown."""
    if not fields:
        return
    now = clock.now()
    rows = [
        AccessLog(
            user=user if user.is_authenticated else None,
            case=case,
            fields=list(fields),
            via=via,
            at=now,
        )
        for case in cases
        if case.reporter_id is None or case.reporter_id != getattr(user, "pk", None)
    ]
    AccessLog.objects.bulk_create(rows)


def reveal(
    user: Person, case: Case, *, via: str, allowed: AbstractSet[Action] | None = None
) -> Revealed:
    """What `user` may see of `case`'s personal data; logs what was shown.

    `allowed`: what `user` may do on `case` (`access.permitted`, covering SEE_PERSONAL_DATA
    and VIEW) when the caller has it already; otherwise it is asked here.
    """
    if allowed is not None:
        sees_personal_data = Action.SEE_PERSONAL_DATA in allowed
        views = Action.VIEW in allowed
    else:
        sees_personal_data = may(user, Action.SEE_PERSONAL_DATA, case)
        views = not sees_personal_data and may(user, Action.VIEW, case)
    if not sees_personal_data:
        lon, lat = listed_point(case) if views else public_point(case)
        exact = (lon, lat) == (case.lon, case.lat)
        return Revealed(None, lon, lat, exact=exact, personal_data=False)
    contact = CaseContact.objects.filter(case=case).first()
    fields = [f for f in CONTACT_FIELDS if contact is not None and getattr(contact, f)]
    if case.category.private_location:
        fields.append(LOCATION_FIELD)
    log_access(user, [case], fields=fields, via=via)
    return Revealed(contact, case.lon, case.lat, exact=True, personal_data=True)


def contact_for(user: Person, case: Case, *, via: str) -> CaseContact | None:
    """The reporter's contact when `user` may see personal data on `case`, else None.

    `via` names where it is shown (page, api, export) for the access log, which gets a row.
    """
    return reveal(user, case, via=via).contact
