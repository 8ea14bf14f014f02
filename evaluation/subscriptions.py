"""Where the evaluation's subscribers to the domain's events are imported (and so registered)."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation import tasks  # noqa: F401  (its tasks are known wherever the outbox runs)
from evaluation.callback.asking import ask_after_closing
from governance.models import CaseEvent
from governance.subscribers import subscriber


@subscriber("callback")
def callback(events: Sequence[CaseEvent]) -> None:
    """回访: ask the reporter of each newly closed case (once per case)."""
    ask_after_closing(events)
