"""Residents opting in (and out) of emergency notices where they live.

`enrol` routes the home point to its grid (`governance.routing.route_point`: the same spatial
index as a case's point); a point outside every grid is refused, since no area's notice could
reach it. `leave` deletes the row: nothing about the home is kept once the person says no.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emergency.models import ResidentEnrolment
from governance import clock
from governance.errors import InvalidInput
from governance.routing import route_point


def enrolment_of(user: AbstractUser) -> ResidentEnrolment | None:
    if not user.is_authenticated:
        return None
    return ResidentEnrolment.objects.select_related("grid").filter(user=user).first()


def enrol(*, user: AbstractUser, address: str, lon: float, lat: float) -> ResidentEnrolment:
    """Opt in with the home's address and point (again: the new home replaces the old)."""
    address = (address or "").strip()
    if not address:
        raise InvalidInput({"address": [_("Give your home address.")]})
    try:
        grid = route_point(lon, lat)
    except ValidationError as error:
        raise InvalidInput(error) from None
    if grid is None:
        raise InvalidInput({"lon": [_("This point is outside every grid of the city.")]})
    with transaction.atomic():
        enrolment, _created = ResidentEnrolment.objects.update_or_create(
            user=user,
            defaults={
                "grid": grid,
                "address": address[:200],
                "lon": lon,
                "lat": lat,
                "opted_in_at": clock.now(),
            },
        )
    return enrolment


def leave(*, user: AbstractUser) -> bool:
    """Opt out; returns whether the person had opted in."""
    deleted, _rows = ResidentEnrolment.objects.filter(user=user).delete()
    return bool(deleted)
