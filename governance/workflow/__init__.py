"""The closed-loop case workflow: every change to a case is one of these named functions.

Each checks who may act (through the scoped-access path) and from which state, under a row
lock; writes its CaseEvent in the same transaction; refuses anything else with a typed error
(`governance.errors`); and sends its side effects only after commit.

    submitted ─┬─> filed ──> dispatched ──> in_progress ──> resolved ──> closed (──> rated)
               ├─> rejected        ^                            │
               ├─> withdrawn       └────────── rework <─────────┘
               └─> merged
    closed ──> filed (reopened by the reporter within the window)
    any open state ──> escalated (a level up; the state itself does not change)

The package, by concept (each name is also importable from `governance.workflow`):

- `rules`: the state machine (`RULES`, `rule_for`, `available_actions`, the action labels);
- `recording`: what every change shares (row lock and state check, the timeline entry, files);
- `submission`: filing a case (`submit_case`, the reporter's contact);
- `transitions`: the lifecycle steps (`file_case` … `rate_case`, `route_case`);
- `notes`: entries that do not move a case (`add_note`, public summaries, duplicates found);
- `deadlines`: a case's time limit and the sweep's warnings (`warning_time`, `warn_cases`);
- `escalation`: 督办, by hand and by the sweep (`escalate_case`, `escalate_overdue_cases`).
"""

from governance.workflow.deadlines import (
    WARN_AT,
    needs_escalation,
    time_limit,
    warn_cases,
    warning_time,
)
from governance.workflow.escalation import escalate_case, escalate_overdue_cases, escalation_target
from governance.workflow.notes import (
    NOTE_AUDIENCES,
    PUBLIC_SUMMARY_LIMIT,
    add_note,
    add_system_note,
    record_possible_duplicates,
)
from governance.workflow.rules import (
    ACTION_LABELS,
    DONE_LABELS,
    OTHER_RULES,
    RULES,
    Rule,
    actions_needed,
    available_actions,
    rule_for,
    within_reopen_window,
)
from governance.workflow.submission import (
    STAFF_CHANNELS,
    clean_contact,
    contact_errors,
    submit_case,
)
from governance.workflow.transitions import (
    dispatch_case,
    file_case,
    merge_case,
    rate_case,
    reject_case,
    reopen_case,
    resolve_case,
    review_case,
    rework_case,
    routable_grids,
    route_case,
    start_case,
    verify_and_close_case,
    withdraw_case,
)

__all__ = [
    "ACTION_LABELS",
    "DONE_LABELS",
    "NOTE_AUDIENCES",
    "OTHER_RULES",
    "PUBLIC_SUMMARY_LIMIT",
    "RULES",
    "STAFF_CHANNELS",
    "WARN_AT",
    "Rule",
    "actions_needed",
    "add_note",
    "add_system_note",
    "available_actions",
    "clean_contact",
    "contact_errors",
    "dispatch_case",
    "escalate_case",
    "escalate_overdue_cases",
    "escalation_target",
    "file_case",
    "merge_case",
    "needs_escalation",
    "rate_case",
    "record_possible_duplicates",
    "reject_case",
    "reopen_case",
    "resolve_case",
    "review_case",
    "rework_case",
    "routable_grids",
    "route_case",
    "rule_for",
    "start_case",
    "submit_case",
    "time_limit",
    "verify_and_close_case",
    "warn_cases",
    "warning_time",
    "withdraw_case",
    "within_reopen_window",
]
