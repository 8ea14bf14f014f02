"""Personal data: who may see it, and the log of every showing. The one place that shows it.

Personal data is the reporter's name, phone and e-mail (their contact, and their name as the
actor of a timeline entry), and for a case whose category is marked `private_location` its
exact point, its address and its description (which may say where). It is shown only to the
case's reporter and to those `may(SEE_PERSONAL_DATA)` allows; everyone else gets the contact
and the reporter's name left out, the private point rounded, the private address and
description blank. Every showing to someone other than the reporter writes one `AccessLog`
row per case naming the fields shown; a list is logged in one INSERT.

Every page, API answer and admin screen that shows a case's personal data gets it from here:
`reveal` (one case), `listed` (a list), `reporter_shown` (a timeline's actors); the public
forms round through `public_point`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from django.db.models import QuerySet

from governance import clock
from governance.access import Action, Person, may, with_may
from governance.models import AccessLog, Case, CaseContact, CaseEvent

PUBLIC_DECIMALS = 3  # about 100 m
CONTACT_FIELDS = ("name", "phone", "email")
LOCATION_FIELD = "location"
ADDRESS_FIELD = "address"
DESCRIPTION_FIELD = "description"
REPORTER_FIELD = "reporter"  # the reporter's account name, as the actor of timeline entries
# The annotation `listable` adds: whether the person may see the row's personal data.
SEES_PERSONAL_DATA = "sees_personal_data"


@dataclass(frozen=True)
class Revealed:
    """What one person is shown of a case's personal data."""

    contact: CaseContact | None
    lon: float
    lat: float
    exact: bool  # False: the location is rounded
    personal_data: bool  # whether the person may see personal data on the case at all
    address: str = ""  # blank when it is personal data the person may not see
    description: str = ""
    hidden: tuple[str, ...] = ()  # the private-location fields left out (address, description)

    @property
    def point(self) -> tuple[float, float]:
        return self.lon, self.lat


@dataclass(frozen=True)
class Listed:
    """What one person is shown of a case in a list: no contact, private points rounded."""

    lon: float
    lat: float
    address: str
    description: str


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


def private_place_fields(case: Case) -> list[str]:
    """The place fields that are personal data on `case` (none unless its category is private)."""
    if not case.category.private_location:
        return []
    return [f for f in (ADDRESS_FIELD, DESCRIPTION_FIELD) if getattr(case, f)]


def log_showings(user: Person, showings: Iterable[tuple[Case, Sequence[str]]], *, via: str) -> None:
    """One access-log row per case whose personal data `user` (not its reporter) was shown,
    naming the fields; all in one INSERT."""
    now = clock.now()
    user_pk = getattr(user, "pk", None)
    rows = [
        AccessLog(
            user=user if user.is_authenticated else None,
            case=case,
            fields=list(fields),
            via=via,
            at=now,
        )
        for case, fields in showings
        if fields and (case.reporter_id is None or case.reporter_id != user_pk)
    ]
    if rows:
        AccessLog.objects.bulk_create(rows)


def log_access(
    user: Person, cases: Iterable[Case], *, fields: list[str] | tuple[str, ...], via: str
) -> None:
    """`log_showings` of the same fields on every case."""
    if fields:
        log_showings(user, ((case, fields) for case in cases), via=via)


def reveal(
    user: Person,
    case: Case,
    *,
    via: str,
    allowed: AbstractSet[Action] | None = None,
    written: bool = False,
) -> Revealed:
    """What `user` may see of `case`'s personal data; logs what was shown.

    `allowed`: what `user` may do on `case` (`access.permitted`, covering SEE_PERSONAL_DATA
    and VIEW) when the caller has it already; otherwise it is asked here.
    `written`: `case` is the instance the caller has just created, so its contact is the one
    written with it (or none), not read again.
    """
    if allowed is not None:
        sees_personal_data = Action.SEE_PERSONAL_DATA in allowed
        views = Action.VIEW in allowed
    else:
        sees_personal_data = may(user, Action.SEE_PERSONAL_DATA, case)
        views = not sees_personal_data and may(user, Action.VIEW, case)
    private = case.category.private_location
    if not sees_personal_data:
        lon, lat = listed_point(case) if views else public_point(case)
        exact = (lon, lat) == (case.lon, case.lat)
        return Revealed(
            None,
            lon,
            lat,
            exact=exact,
            personal_data=False,
            address="" if private else case.address,
            description="" if private else case.description,
            hidden=tuple(private_place_fields(case)),
        )
    contact = written_contact(case) if written else CaseContact.objects.filter(case=case).first()
    fields = [f for f in CONTACT_FIELDS if contact is not None and getattr(contact, f)]
    if private:
        fields += [LOCATION_FIELD, *private_place_fields(case)]
    log_access(user, [case], fields=fields, via=via)
    return Revealed(
        contact,
        case.lon,
        case.lat,
        exact=True,
        personal_data=True,
        address=case.address,
        description=case.description,
    )


def written_contact(case: Case) -> CaseContact | None:
    """The contact created with `case` in this process, or None if none was: creating a
    one-to-one row caches it on the case (`CaseContact(case=case)`), so nothing is read."""
    relation = Case._meta.get_field("contact")
    return relation.get_cached_value(case) if relation.is_cached(case) else None


def contact_for(user: Person, case: Case, *, via: str) -> CaseContact | None:
    """The reporter's contact when `user` may see personal data on `case`, else None.

    `via` names where it is shown (page, api, export) for the access log, which gets a row.
    """
    return reveal(user, case, via=via).contact


def listable(cases: QuerySet[Case], user: Person) -> QuerySet[Case]:
    """`cases` read with what `listed` needs: whether `user` may see each one's personal data
    (a column of the same query, not a query per row)."""
    return with_may(cases, user, Action.SEE_PERSONAL_DATA, name=SEES_PERSONAL_DATA)


def listed(user: Person, cases: Sequence[Case], *, via: str) -> dict[int, Listed]:
    """What `user` is shown of each case of a list (read through `listable`), by case id.

    No contact in a list; private points rounded for everyone; a private case's address and
    description only for who may see its personal data, each such showing logged (one INSERT).
    """
    shown: dict[int, Listed] = {}
    showings: list[tuple[Case, list[str]]] = []
    for case in cases:
        lon, lat = listed_point(case)
        private = private_place_fields(case)
        if private and not getattr(case, SEES_PERSONAL_DATA):
            shown[case.pk] = Listed(lon, lat, "", "")
            continue
        shown[case.pk] = Listed(lon, lat, case.address, case.description)
        if private:
            showings.append((case, private))
    log_showings(user, showings, via=via)
    return shown


def reporter_shown(user: Person, case: Case, events: Sequence[CaseEvent], *, via: str) -> bool:
    """Whether `events` may name the reporter's account as their actor (else "the reporter").

    Their name is personal data: shown to the reporter and to who may see the case's personal
    data; a showing to the latter is logged.
    """
    if case.reporter_id is None or case.reporter_id == getattr(user, "pk", None):
        return True
    if not any(event.actor_id == case.reporter_id for event in events):
        return False  # nothing to name
    if not may(user, Action.SEE_PERSONAL_DATA, case):
        return False
    log_access(user, [case], fields=[REPORTER_FIELD], via=via)
    return True
