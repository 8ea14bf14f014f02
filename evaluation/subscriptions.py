"""Where the evaluation's subscribers to the domain's events are imported (and so registered)."""

from __future__ import annotations

from collections.abc import Sequence

from governance.models import CaseEvent
from governance.seed_cases import history_replayed
from governance.subscribers import subscriber


@subscriber("evaluation")
def keep_facts_current(events: Sequence[CaseEvent]) -> None:
    """Obligations follow the timeline (idempotent: an upsert keyed by the starting event)."""
    from evaluation.facts import record_facts

    record_facts(events)


def _catch_up_on_replayed_history(sender, *, case_ids: list[int], **kwargs) -> None:
    """The demo seeds replay months of cases muted: derive their facts once they are written."""
    from evaluation.facts import write_cases

    for start in range(0, len(case_ids), 500):
        write_cases(case_ids[start : start + 500])


history_replayed.connect(_catch_up_on_replayed_history, dispatch_uid="evaluation-history")
