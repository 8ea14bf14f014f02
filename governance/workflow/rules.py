"""The case's state machine: which action starts from which state, where it leads, and
what permission it needs; the actions a person may take on a case now."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy

from governance import clock
from governance.access import Action, Person, permitted
from governance.models import Case, EventKind, Status
from governance.models.case import OPEN_STATUSES

S = Status


@dataclass(frozen=True)
class Rule:
    """Which states an action starts from, where it leads, and what permission it needs."""

    sources: frozenset[str]
    target: str | None  # None: the state does not change
    action: Action
    event: str


RULES: dict[str, Rule] = {
    "file": Rule(frozenset({S.SUBMITTED}), S.FILED, Action.INTAKE, EventKind.FILED),
    "reject": Rule(frozenset({S.SUBMITTED}), S.REJECTED, Action.INTAKE, EventKind.REJECTED),
    "merge": Rule(frozenset({S.SUBMITTED, S.FILED}), S.MERGED, Action.INTAKE, EventKind.MERGED),
    "dispatch": Rule(
        frozenset({S.FILED, S.DISPATCHED}), S.DISPATCHED, Action.DISPATCH, EventKind.DISPATCHED
    ),
    "start": Rule(frozenset({S.DISPATCHED}), S.IN_PROGRESS, Action.HANDLE, EventKind.STARTED),
    "resolve": Rule(frozenset({S.IN_PROGRESS}), S.RESOLVED, Action.HANDLE, EventKind.RESOLVED),
    "close": Rule(frozenset({S.RESOLVED}), S.CLOSED, Action.VERIFY, EventKind.CLOSED),
    "rework": Rule(frozenset({S.RESOLVED}), S.IN_PROGRESS, Action.VERIFY, EventKind.REWORK),
    "escalate": Rule(OPEN_STATUSES, None, Action.ESCALATE, EventKind.ESCALATED),
    "withdraw": Rule(
        frozenset({S.SUBMITTED, S.FILED}), S.WITHDRAWN, Action.OWN, EventKind.WITHDRAWN
    ),
    "reopen": Rule(frozenset({S.CLOSED}), S.FILED, Action.OWN, EventKind.REOPENED),
    "rate": Rule(frozenset({S.CLOSED}), None, Action.OWN, EventKind.RATED),
    "note": Rule(frozenset(S), None, Action.VIEW, EventKind.NOTE),
}
# Actions that are not steps of the case's lifecycle: routing a case outside every grid to a
# grid (only such a case: `available_actions`, `route_case`).
OTHER_RULES: dict[str, Rule] = {
    "route": Rule(OPEN_STATUSES, None, Action.DISPATCH, EventKind.ROUTED),
    # A supervisor's review of a closed case (the callback's "not resolved" past the reopen
    # window): offered where such an answer waits for it, not among the case's actions.
    "review": Rule(frozenset({S.CLOSED}), None, Action.ESCALATE, EventKind.REVIEWED),
}


def rule_for(name: str) -> Rule:
    """The rule of action `name`, a lifecycle step (RULES) or another action (OTHER_RULES)."""
    return RULES[name] if name in RULES else OTHER_RULES[name]


def actions_needed(status: str) -> frozenset[Action]:
    """The permissions the actions that start from `status` need."""
    rules = [*RULES.values(), *OTHER_RULES.values()]
    return frozenset(rule.action for rule in rules if status in rule.sources)


def available_actions(
    user: Person, case: Case, allowed: AbstractSet[Action] | None = None
) -> list[str]:
    """The actions `user` may take on `case` now, in the order of RULES.

    `allowed`: what `user` may do on `case` (`access.permitted`), when the caller has it
    already; it must cover `actions_needed(case.status)`.
    """
    if allowed is None:
        allowed = permitted(user, case, actions_needed(case.status))
    names = []
    for name, rule in (*RULES.items(), *OTHER_RULES.items()):
        if case.status not in rule.sources or rule.action not in allowed:
            continue
        if name == "rate" and case.rating is not None:
            continue
        if name == "reopen" and not within_reopen_window(case):
            continue
        if name == "route" and case.grid_id is not None:
            continue
        if name == "review":
            continue
        names.append(name)
    return names


ACTION_LABELS = {
    "file": gettext_lazy("accept"),
    "reject": gettext_lazy("reject"),
    "merge": gettext_lazy("merge"),
    "dispatch": gettext_lazy("dispatch"),
    "start": gettext_lazy("start handling"),
    "resolve": gettext_lazy("resolve"),
    "close": gettext_lazy("verify and close"),
    "rework": gettext_lazy("send back for rework"),
    "escalate": gettext_lazy("escalate"),
    "withdraw": gettext_lazy("withdraw"),
    "reopen": gettext_lazy("reopen"),
    "rate": gettext_lazy("rate"),
    "note": gettext_lazy("add a note to"),
    "route": gettext_lazy("route to a grid"),
    "review": gettext_lazy("review"),
}
DONE_LABELS = {
    "file": gettext_lazy("accepted"),
    "reject": gettext_lazy("rejected"),
    "merge": gettext_lazy("merged"),
    "dispatch": gettext_lazy("dispatched"),
    "start": gettext_lazy("started"),
    "resolve": gettext_lazy("resolved"),
    "close": gettext_lazy("verified and closed"),
    "rework": gettext_lazy("sent back for rework"),
    "escalate": gettext_lazy("escalated"),
    "withdraw": gettext_lazy("withdrawn"),
    "reopen": gettext_lazy("reopened"),
    "rate": gettext_lazy("rated"),
    "note": gettext_lazy("annotated"),
    "route": gettext_lazy("routed to a grid"),
    "review": gettext_lazy("reviewed"),
}


def within_reopen_window(case: Case) -> bool:
    window = timedelta(days=settings.GOVERNANCE["REOPEN_WINDOW_DAYS"])
    return case.closed_at is not None and clock.now() - case.closed_at <= window
