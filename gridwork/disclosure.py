"""Personal data in the registry: masked by default, unmasked only by `unmask`, which checks
and writes the access log (the same `governance.models.AccessLog` as a case's, naming the
record by its label and id).

Personal data: a resident's id number, phone and birth date; an organisation's contact name
and phone. Every page, API answer and export shows `masked(...)` values unless it called
`unmask` for the rows it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model

from governance import clock
from governance.models import AccessLog
from gridwork.access import Person, RecordAction, records_for
from gridwork.idnumbers import mask_id_number, mask_name, mask_phone
from gridwork.models import Organisation, Resident

PERSONAL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Resident: ("id_number", "phone", "birth_date"),
    Organisation: ("contact_name", "contact_phone"),
}


class Via:
    PAGE = AccessLog.Via.PAGE
    API = AccessLog.Via.API
    EXPORT = AccessLog.Via.EXPORT
    ADMIN = AccessLog.Via.ADMIN


def _masked_value(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if field == "id_number":
        return mask_id_number(str(value))
    if field in ("phone", "contact_phone"):
        return mask_phone(str(value))
    if field == "contact_name":
        return mask_name(str(value))
    if field == "birth_date":
        return f"{value:%Y}-**-**"
    return "***"


def personal_fields(model: type[Model]) -> tuple[str, ...]:
    return PERSONAL_FIELDS.get(model, ())


def masked(record: Model) -> dict[str, str]:
    """The record's personal fields as everyone sees them by default."""
    return {f: _masked_value(f, getattr(record, f)) for f in personal_fields(type(record))}


def plain(record: Model) -> dict[str, str]:
    values = {}
    for f in personal_fields(type(record)):
        value = getattr(record, f)
        values[f] = "" if value in (None, "") else str(value)
    return values


def unmaskable(user: Person, records: Sequence[Model]) -> set[int]:
    """The ids of `records` whose personal data `user` may see (one query)."""
    if not records:
        return set()
    model = type(records[0])
    return set(
        records_for(user, model, RecordAction.UNMASK)
        .filter(pk__in=[r.pk for r in records])
        .values_list("pk", flat=True)
    )


def log_showings(user: Person, records: Iterable[Model], *, via: str) -> int:
    """One access-log row per record whose (non-empty) personal fields were shown to `user`,
    naming them; all in one INSERT. Returns the number of rows."""
    now = clock.now()
    rows = []
    for record in records:
        fields = [f for f, value in plain(record).items() if value]
        if fields:
            rows.append(
                AccessLog(
                    user=user if user.is_authenticated else None,
                    record_type=record._meta.label_lower,
                    record_id=record.pk,
                    fields=fields,
                    via=via,
                    at=now,
                )
            )
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def unmask(user: Person, records: Sequence[Model], *, via: str) -> dict[int, dict[str, str]]:
    """The plain personal fields of those `records` `user` may unmask, by record id; each
    showing logged. Records not permitted are left out (the caller shows them masked)."""
    allowed = unmaskable(user, records)
    shown = [r for r in records if r.pk in allowed]
    log_showings(user, shown, via=via)
    return {r.pk: plain(r) for r in shown}


def shown(record: Model, unmasked: dict[int, dict[str, str]]) -> dict[str, str]:
    """The personal fields of `record` as this answer shows them: plain if unmasked, else
    masked."""
    return unmasked.get(record.pk) or masked(record)
