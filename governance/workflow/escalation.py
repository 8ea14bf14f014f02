"""督办: raising a case a level up the area tree, by hand or by the sweep when overdue."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.access import Person
from governance.errors import InvalidTransition
from governance.models import Area, Audience, Case, EventKind, Level
from governance.workflow.deadlines import needs_escalation
from governance.workflow.recording import _Contended, _locked, _move, _record_system_events, _text


def escalation_target(case: Case, level: int) -> Area | None:
    """The area whose leaders an escalation of `level` reaches: one level up per escalation."""
    code = _target_code(case, level)
    return None if code is None else Area.objects.active().filter(code=code).first()


def _target_code(case: Case, level: int) -> str | None:
    """The code `level` areas above the case's own on its path; None above the top."""
    codes = [code for code in case.area_path.strip("/").split("/") if code]
    index = len(codes) - 1 - level
    return codes[index] if index >= 0 else None


def escalate_case(
    *, case_id: int, actor: Person | None, reason: str, overdue: bool = False
) -> Case:
    """督办: raise the case a level up the tree, by hand or (actor None) because it is overdue."""
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        case, rule = _locked(case_id, name="escalate", actor=actor)
        target = escalation_target(case, case.escalation_level + 1)
        if target is None or target.level < Level.CITY:
            raise InvalidTransition(_("This case is already at the top of the tree."))
        case.escalation_level += 1
        case.escalated_at = clock.now()
        _move(
            case,
            rule,
            actor=actor,
            note=reason,
            audience=Audience.INTERNAL,
            data={"level": case.escalation_level, "to": target.code, "overdue": overdue},
            update=["escalation_level", "escalated_at"],
        )
    return case


def escalate_overdue_cases(seen: dict[int, int]) -> list[Case]:
    """The sweep's 督办: escalate many overdue cases a level up in one transaction.

    `seen` maps case ids to the escalation level the sweep read. Each case is locked (SKIP
    LOCKED: one another sweep holds is left to it), re-checked, and claimed by an update
    conditional on the level seen, so however many sweeps run, a case goes up once. A case
    whose next level has no area (the top of the tree) is left as it is. The timeline
    entries, notifications and realtime messages are those `escalate_case` writes, done for
    the whole batch at once; returns the cases escalated.
    """
    now = clock.now()
    reason = str(_("Overdue: escalated automatically."))
    try:
        with transaction.atomic():
            cases = [
                case
                for case in Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .filter(pk__in=list(seen))
                .order_by("pk")
                if case.escalation_level == seen[case.pk] and needs_escalation(case, now)
            ]
            targets = _escalation_targets(cases)
            cases = [case for case in cases if targets.get(case.pk) is not None]
            by_level: dict[int, list[int]] = {}
            for case in cases:
                by_level.setdefault(case.escalation_level, []).append(case.pk)
            for level, ids in by_level.items():
                claimed = Case.objects.filter(pk__in=ids, escalation_level=level).update(
                    escalation_level=level + 1, escalated_at=now, updated_at=now
                )
                if claimed != len(ids):
                    raise _Contended
            for case in cases:
                case.escalation_level += 1
                case.escalated_at = case.updated_at = now
            _record_system_events(
                cases,
                kind=EventKind.ESCALATED,
                at=now,
                note=reason,
                data=lambda case: {
                    "level": case.escalation_level,
                    "to": targets[case.pk].code,
                    "overdue": True,
                },
            )
    except _Contended:  # only where rows cannot be locked (SQLite): the next sweep retries
        return []
    return cases


def _escalation_targets(cases: Sequence[Case]) -> dict[int, Area | None]:
    """`escalation_target` of each case's next level, the areas read in one query."""
    wanted = {case.pk: _target_code(case, case.escalation_level + 1) for case in cases}
    areas: dict[str, Area] = {}
    for area in Area.objects.active().filter(code__in={c for c in wanted.values() if c}):
        areas.setdefault(area.code, area)  # as `.first()`: the first by path
    return {pk: areas.get(code) if code else None for pk, code in wanted.items()}
