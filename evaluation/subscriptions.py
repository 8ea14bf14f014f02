"""Where the evaluation's subscribers to the domain's events are imported (and so registered)."""

from __future__ import annotations

from collections.abc import Sequence

from governance.models import CaseEvent
from governance.subscribers import subscriber


@subscriber("evaluation")
def keep_facts_current(events: Sequence[CaseEvent]) -> None:
    """Obligations follow the timeline (idempotent: an upsert keyed by the starting event)."""
    from evaluation.facts import record_facts

    record_facts(events)
