"""Alarms: raised, tripped again, cleared, acknowledged — and the one case an alarm opens.

`apply(change)` is called by the rules (`sensing.rules`) inside the ingest's transaction for
each trip or clearing. An alarm is unique while active per (thing, rule): the row is read under
a lock, and a concurrent raise that loses the race to the partial unique constraint trips the
winner's alarm again instead. Becoming active opens exactly one case through the workflow's
`submit_case` (channel sensor, the rule's category and urgency, routed by the thing's place);
an earlier alarm's case of the same (thing, rule) that is still open is taken up again instead.
Trips while active and the clearing are internal notes on that case (`add_system_note`); a
clearing resolves the case through `resolve_case` when the rule says so and the case is being
handled. A case that cannot be filed (the category retired…) never loses the reading: the
alarm stays, without a case, and the failure is logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from governance import clock, workflow
from governance.errors import WorkflowError
from governance.models import Case, Channel, Status, Urgency
from governance.models.case import OPEN_STATUSES
from sensing.changes import TRIP, Change
from sensing.models import Alarm, Rule, Thing

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "sensing"
# Trips while active noted on the case: each of the first ones, then every tenth (a flapping
# sensor must not bury the case's timeline).
NOTE_EVERY_TRIP_UNTIL = 10
NOTE_EVERY = 10


def system_account() -> AbstractUser:
    """The platform's own account that files sensors' cases (no password, never signs in)."""
    users = get_user_model().objects
    user = users.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():  # another process may be making it this very moment
            user = users.create(username=SYSTEM_USERNAME, is_active=False, first_name="物联感知")
            user.set_unusable_password()
            user.save(update_fields=["password"])
    except IntegrityError:
        user = users.get(username=SYSTEM_USERNAME)
    return user


def apply(change: Change) -> Alarm | None:
    if change.what == TRIP:
        return trip(change)
    return clear(change)


def _active(rule: Rule, thing_id: int) -> Alarm | None:
    return (
        Alarm.objects.select_for_update().filter(rule=rule, thing_id=thing_id, active=True).first()
    )


def trip(change: Change) -> Alarm:
    """Raise the (thing, rule)'s alarm, or trip the active one again."""
    with transaction.atomic():
        alarm = _active(change.rule, change.thing_id)
        if alarm is not None:
            _again(alarm, change)
            return alarm
        thing = Thing.objects.select_related("area", "location", "component").get(
            pk=change.thing_id
        )
        try:
            with transaction.atomic():
                alarm = Alarm.objects.create(
                    rule=change.rule,
                    thing=thing,
                    datastream_id=change.datastream_id,
                    area_path=thing.area.path if thing.area_id else "",
                    raised_at=change.at,
                    last_trip_at=change.at,
                    value=change.value,
                )
        except IntegrityError:
            # Raised by another process meanwhile: this is a trip of that alarm.
            alarm = _active(change.rule, change.thing_id)
            if alarm is None:
                raise
            _again(alarm, change)
            return alarm
        if change.rule.opens_case:
            _open_case(alarm, thing, change)
    return alarm


def _again(alarm: Alarm, change: Change) -> None:
    alarm.trip_count += 1
    alarm.last_trip_at = max(alarm.last_trip_at, change.at)
    alarm.save(update_fields=["trip_count", "last_trip_at"])
    n = alarm.trip_count
    if alarm.case_id and (n <= NOTE_EVERY_TRIP_UNTIL or n % NOTE_EVERY == 0):
        with _site_language():
            text = _("The alarm tripped again (%(n)d times): %(value)s at %(time)s.") % {
                "n": n,
                "value": _value_text(change),
                "time": _time_text(change),
            }
        workflow.add_system_note(
            case_id=alarm.case_id,
            text=text,
            data={"sensing": "tripped", "alarm": alarm.pk, "trips": n},
        )


def _open_case(alarm: Alarm, thing: Thing, change: Change) -> None:
    """The alarm's case: an earlier alarm's open case of the same (thing, rule), or a new one."""
    earlier = (
        Alarm.objects.filter(rule=alarm.rule, thing=thing, case__status__in=OPEN_STATUSES)
        .exclude(pk=alarm.pk)
        .order_by("-raised_at")
        .values_list("case_id", flat=True)
        .first()
    )
    if earlier:
        alarm.case_id = earlier
        alarm.save(update_fields=["case"])
        with _site_language():
            text = _("The alarm was raised again: %(value)s at %(time)s.") % {
                "value": _value_text(change),
                "time": _time_text(change),
            }
        workflow.add_system_note(
            case_id=earlier, text=text, data={"sensing": "raised", "alarm": alarm.pk}
        )
        return
    category = change.rule.category or thing.component
    if category is None:
        logger.warning("alarm %s: rule %s names no category; no case", alarm.pk, alarm.rule_id)
        return
    urgency = change.rule.urgency
    if urgency == Urgency.URGENT and not category.allows_urgent:
        urgency = Urgency.GENERAL
    location = thing.location
    with _site_language():
        description = _("Sensor alarm “%(rule)s” on %(thing)s: %(value)s at %(time)s.") % {
            "rule": change.rule.name,
            "thing": thing.name,
            "value": _value_text(change),
            "time": _time_text(change),
        }
    try:
        with transaction.atomic():
            case = workflow.submit_case(
                actor=system_account(),
                category=category,
                description=description,
                lon=location.lon if location else 0.0,
                lat=location.lat if location else 0.0,
                address=location.name if location else "",
                channel=Channel.SENSOR,
                urgency=urgency,
                answers=change.rule.answers or None,
                locate=location is not None,
            )
    except WorkflowError:
        logger.exception("alarm %s: the case could not be filed", alarm.pk)
        return
    alarm.case = case
    alarm.save(update_fields=["case"])


def clear(change: Change) -> Alarm | None:
    """Clear the (thing, rule)'s active alarm (when this datastream raised it), noting it on
    its case, and resolve the case if the rule says so and it is being handled."""
    with transaction.atomic():
        alarm = _active(change.rule, change.thing_id)
        if alarm is None or alarm.datastream_id not in (None, change.datastream_id):
            return None
        alarm.active = False
        alarm.cleared_at = change.at
        alarm.clear_value = change.value
        alarm.save(update_fields=["active", "cleared_at", "clear_value"])
        if alarm.case_id:
            _cleared_on_case(alarm, change)
    return alarm


def _cleared_on_case(alarm: Alarm, change: Change) -> None:
    with _site_language():
        text = _("The alarm cleared: %(value)s at %(time)s.") % {
            "value": _value_text(change) if change.value is not None else _("a reading"),
            "time": _time_text(change),
        }
    case = Case.objects.filter(pk=alarm.case_id).only("status").first()
    if case is None:
        return
    if change.rule.resolve_on_clear and case.status == Status.IN_PROGRESS:
        try:
            with transaction.atomic():
                workflow.resolve_case(case_id=alarm.case_id, actor=None, note=text)  # type: ignore[arg-type]
            return
        except WorkflowError:
            logger.exception("alarm %s: the case could not be resolved", alarm.pk)
    workflow.add_system_note(
        case_id=alarm.case_id, text=text, data={"sensing": "cleared", "alarm": alarm.pk}
    )


def acknowledge(*, alarm: Alarm, actor: AbstractUser) -> Alarm:
    """Someone took note of the alarm (once; the first acknowledgement is kept)."""
    with transaction.atomic():
        locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if locked.acknowledged_at is None:
            locked.acknowledged_at = clock.now()
            locked.acknowledged_by = actor
            locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return locked


# --- texts -----------------------------------------------------------------------------------


def _site_language():
    """Case texts are written in the site's language, whichever process writes them."""
    return translation.override(settings.LANGUAGE_CODE)


def _value_text(change: Change) -> str:
    if change.value is None:
        return _("no reading")
    from sensing.models import Datastream

    unit = (
        Datastream.objects.filter(pk=change.datastream_id)
        .values_list("unit_symbol", flat=True)
        .first()
        or ""
    )
    return f"{change.value:g}{unit}"


def _time_text(change: Change) -> str:
    return formats.date_format(timezone.localtime(change.at), "Y-m-d H:i:s")


__all__ = ["acknowledge", "apply", "clear", "system_account", "trip"]
