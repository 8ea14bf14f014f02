"""Personal data: who may see a reporter's contact and exact private locations, and the log.

Personal data is the reporter's name, phone and e-mail, and the exact location of a case whose
category is marked `private_location`. It is shown only to those `may(SEE_PERSONAL_DATA)`
allows; everyone else gets it redacted (contact) or rounded (location). Every showing to
someone other than the reporter writes one `AccessLog` row naming the fields shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

    @property
    def point(self) -> tuple[float, float]:
        return self.lon, self.lat


def public_point(case: Case) -> tuple[float, float]:
    """The location as the public sees it: rounded to about 100 m."""
    return round(case.lon, PUBLIC_DECIMALS), round(case.lat, PUBLIC_DECIMALS)


def listed_point(case: Case) -> tuple[float, float]:
    """The location in lists shown to staff: exact, unless the category makes it personal."""
    if case.category.private_location:
        return public_point(case)
    return case.lon, case.lat


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
    user: Person, case: Case, *, via: str, permitted: Mapping[Action, bool] | None = None
) -> Revealed:
    """What `user` may see of `case`'s personal data; logs what was shown.

    `permitted`: the person's `access.permits` on the case, when the caller has them already.
    """

    def allowed(action: Action) -> bool:
        if permitted is not None and action in permitted:
            return permitted[action]
        return may(user, action, case)

    if not allowed(Action.SEE_PERSONAL_DATA):
        lon, lat = listed_point(case) if allowed(Action.VIEW) else public_point(case)
        return Revealed(None, lon, lat, exact=(lon, lat) == (case.lon, case.lat))
    contact = CaseContact.objects.filter(case=case).first()
    fields = [f for f in CONTACT_FIELDS if contact is not None and getattr(contact, f)]
    if case.category.private_location:
        fields.append(LOCATION_FIELD)
    log_access(user, [case], fields=fields, via=via)
    return Revealed(contact, case.lon, case.lat, exact=True)


def contact_for(user: Person, case: Case, *, via: str) -> CaseContact | None:
    """The reporter's contact when `user` may see personal data on `case`, else None.

    `via` names where it is shown (page, api, export) for the access log, which gets a row.
    """
    return reveal(user, case, via=via).contact
