"""Rules judged per reading from their kept state (`RuleState`), a batch at a time.

`evaluate(readings)` is the observer ingest calls with each stored batch (inside its
transaction): it finds the rules that watch the batch's datastreams, reads and locks their
states in one query, steps each state through the batch's readings in time order, writes the
changed states back in one UPDATE, and hands the trips and clearings to `sensing.alarms`.
Nothing here reads the observation history.

`sweep_silent()` is the no-signal rules' periodic job: a datastream whose latest reading is
older than the rule's window raises its alarm.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from governance import clock
from sensing import alarms
from sensing.changes import CLEAR, TRIP, Change
from sensing.models import Datastream, Direction, Rule, RuleKind, RuleState
from sensing.observers import Reading

logger = logging.getLogger(__name__)

STATE_FIELDS = ["beyond", "since", "trips", "last_value", "last_time", "tripped"]


def _past(rule: Rule, value: float, line: float) -> bool:
    return value >= line if rule.direction == Direction.ABOVE else value <= line


def _back(rule: Rule, value: float) -> bool:
    """Back on the normal side of the clearing value (the hysteresis band's far edge)."""
    line = rule.clear_value
    if line is None:
        return False
    return value < line if rule.direction == Direction.ABOVE else value > line


def step(rule: Rule, state: RuleState, at: datetime, value: float | None) -> str | None:
    """Move `state` by one reading; TRIP (raise, or trip again while active), CLEAR or None.

    The state holds all the rule needs: whether the last reading was past the line and since
    when, the recent trips' times, the last value and time, and whether this datastream holds
    the rule's alarm.
    """
    if state.last_time is not None and at <= state.last_time:
        return None  # out of order, or again: the state has moved past it
    previous_value, previous_time = state.last_value, state.last_time
    state.last_time = at
    if value is not None:
        state.last_value = value
    if rule.kind == RuleKind.NO_SIGNAL:
        if state.tripped:
            state.tripped = False
            return CLEAR
        return None
    if value is None or rule.trip_at is None:
        return None
    if rule.kind == RuleKind.RATE:
        if previous_value is None or previous_time is None:
            return None
        hours = (at - previous_time).total_seconds() / 3600
        value = (value - previous_value) / hours
    was, now = state.beyond, _past(rule, value, rule.trip_at)
    state.beyond = now
    crossed = now and not was
    if rule.kind == RuleKind.DURATION:
        state.since = (state.since or at) if now else None
    if rule.kind == RuleKind.COUNT:
        cutoff = at - timedelta(seconds=rule.window_s)
        kept = [t for t in state.trips if (parse_datetime(t) or cutoff) > cutoff]
        if crossed:
            kept.append(at.isoformat())
        state.trips = kept[-max(rule.count, 1) :]
    if not state.tripped:
        if _trips(rule, state, at, now, crossed):
            state.tripped = True
            return TRIP
        return None
    if _back(rule, value) and not _held_by_count(rule, state):
        state.tripped = False
        return CLEAR
    return TRIP if crossed else None


def _trips(rule: Rule, state: RuleState, at: datetime, now: bool, crossed: bool) -> bool:
    if rule.kind in (RuleKind.THRESHOLD, RuleKind.RATE):
        return now
    if rule.kind == RuleKind.DURATION:
        return (
            now
            and state.since is not None
            and at - state.since >= timedelta(seconds=rule.duration_s)
        )
    if rule.kind == RuleKind.COUNT:
        return crossed and len(state.trips) >= rule.count
    return False


def _held_by_count(rule: Rule, state: RuleState) -> bool:
    """A count rule's alarm holds while its window still has the trips that raised it."""
    return rule.kind == RuleKind.COUNT and len(state.trips) >= rule.count


# --- which rules watch which datastreams ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stream:
    pk: int
    thing_id: int
    observed_property_id: int
    area_path: str


def _streams(ids: set[int]) -> dict[int, Stream]:
    rows = Datastream.objects.filter(pk__in=ids).values_list(
        "pk", "thing_id", "observed_property_id", "thing__area__path"
    )
    return {pk: Stream(pk, thing, prop, path or "") for pk, thing, prop, path in rows}


def watching(streams: dict[int, Stream], *, kinds: set[str] | None = None) -> dict[int, list[Rule]]:
    """The active rules that watch each datastream: its own, and its observed property's under
    an area the thing lies in (or anywhere). One query."""
    properties = {s.observed_property_id for s in streams.values()}
    rules = Rule.objects.filter(active=True).filter(
        Q(datastream_id__in=list(streams)) | Q(observed_property_id__in=list(properties))
    )
    if kinds is not None:
        rules = rules.filter(kind__in=kinds)
    found: dict[int, list[Rule]] = defaultdict(list)
    for rule in rules.select_related("category"):
        if rule.datastream_id is not None:
            if rule.datastream_id in streams:
                found[rule.datastream_id].append(rule)
            continue
        for stream in streams.values():
            if stream.observed_property_id == rule.observed_property_id and (
                stream.area_path.startswith(rule.area_path)
            ):
                found[stream.pk].append(rule)
    return found


def _locked_states(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], RuleState]:
    """The states of (datastream, rule) pairs under a row lock, the missing ones created."""
    stream_ids = sorted({d for d, _r in pairs})
    rule_ids = sorted({r for _d, r in pairs})

    def read() -> dict[tuple[int, int], RuleState]:
        rows = (
            RuleState.objects.select_for_update()
            .filter(datastream_id__in=stream_ids, rule_id__in=rule_ids)
            .order_by("pk")
        )
        return {
            (s.datastream_id, s.rule_id): s for s in rows if (s.datastream_id, s.rule_id) in pairs
        }

    states = read()
    missing = pairs - states.keys()
    if missing:
        RuleState.objects.bulk_create(
            [RuleState(datastream_id=d, rule_id=r) for d, r in sorted(missing)],
            ignore_conflicts=True,
        )
        states = read()
    return states


# --- the observer ----------------------------------------------------------------------------


def evaluate(readings: list[Reading]) -> list[Change]:
    """Judge a stored batch against every rule that watches its datastreams (ingest's
    observer, inside its transaction); returns the trips and clearings it applied."""
    if not readings:
        return []
    streams = _streams({r.datastream_id for r in readings})
    rules_of = watching(streams)
    if not rules_of:
        return []
    pairs = {(ds, rule.pk) for ds, rules in rules_of.items() for rule in rules}
    changes: list[Change] = []
    with transaction.atomic():
        states = _locked_states(pairs)
        changed: dict[int, RuleState] = {}
        for reading in sorted(readings, key=lambda r: (r.datastream_id, r.phenomenon_time)):
            stream = streams.get(reading.datastream_id)
            for rule in rules_of.get(reading.datastream_id, ()):
                state = states[(reading.datastream_id, rule.pk)]
                before = state.last_time
                what = step(rule, state, reading.phenomenon_time, reading.result)
                if state.last_time != before:
                    changed[state.pk] = state
                if what is not None and stream is not None:
                    changes.append(
                        Change(
                            what,
                            rule,
                            stream.pk,
                            stream.thing_id,
                            reading.phenomenon_time,
                            reading.result,
                        )
                    )
        if changed:
            RuleState.objects.bulk_update(list(changed.values()), STATE_FIELDS)
        for change in changes:
            alarms.apply(change)
    return changes


# --- no signal -------------------------------------------------------------------------------


def sweep_silent(now: datetime | None = None) -> int:
    """Raise the alarm of every no-signal rule on each datastream it watches whose latest
    reading is older than the rule's window (or that never sent one in that long). Idempotent:
    a state already tripped is left alone. Returns the number of alarms raised."""
    now = now or clock.now()
    rules = list(Rule.objects.filter(active=True, kind=RuleKind.NO_SIGNAL))
    raised = 0
    for rule in rules:
        cutoff = now - timedelta(seconds=rule.window_s)
        streams = Datastream.objects.filter(active=True)
        if rule.datastream_id is not None:
            streams = streams.filter(pk=rule.datastream_id)
        else:
            streams = streams.filter(observed_property_id=rule.observed_property_id)
            if rule.area_path:
                streams = streams.filter(thing__area__path__startswith=rule.area_path)
        silent = streams.filter(
            Q(last_time__lt=cutoff) | Q(last_time__isnull=True, created_at__lt=cutoff)
        ).exclude(rule_states__rule=rule, rule_states__tripped=True)
        for pk, thing_id in silent.values_list("pk", "thing_id")[:1000]:
            with transaction.atomic():
                state = _locked_states({(pk, rule.pk)})[(pk, rule.pk)]
                if state.tripped:
                    continue
                state.tripped = True
                state.save(update_fields=["tripped"])
                alarms.apply(Change(TRIP, rule, pk, thing_id, now, None))
                raised += 1
    return raised
