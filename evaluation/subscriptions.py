"""Where the evaluation's subscribers to the domain's events are imported (and so registered)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db.models.signals import post_delete, post_save

from evaluation import tasks  # noqa: F401  (its tasks are known wherever the outbox runs)
from evaluation.callback.asking import ask_after_closing
from evaluation.models import Policy
from governance.models import CalendarDay, CaseEvent, Department
from governance.seed_cases import history_replayed, stories_told
from governance.subscribers import subscriber, sweeper


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


def _answer_some_callbacks(sender, *, now, **kwargs) -> None:
    """The demo's reporters answer some callbacks (回访), as they would have."""
    from evaluation.seeding import seed_callback_answers

    seed_callback_answers(now=now)


stories_told.connect(_answer_some_callbacks, dispatch_uid="evaluation-callback-answers")


def _forget_kept(sender, **kwargs) -> None:
    from evaluation.facts import forget_kept

    forget_kept()


for _model in (Policy, Department, CalendarDay):
    post_save.connect(
        _forget_kept, sender=_model, dispatch_uid=f"evaluation-kept-{_model.__name__}"
    )
    post_delete.connect(
        _forget_kept, sender=_model, dispatch_uid=f"evaluation-kept-{_model.__name__}"
    )


@subscriber("callback")
def callback(events: Sequence[CaseEvent]) -> None:
    """回访: ask the reporter of each newly closed case (once per case)."""
    ask_after_closing(events)


@sweeper("callback")
def requeue_callbacks(older_than: timedelta) -> int:
    """Callbacks whose e-mail or SMS is still unsent after an outage, queued again by the
    time-limit sweep."""
    from evaluation.callback.asking import requeue_pending

    return requeue_pending(older_than)
