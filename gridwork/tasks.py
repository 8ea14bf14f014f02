"""Celery tasks of the registry and grid work: thin, idempotent."""

from __future__ import annotations

from governance.tasks import durable_task
from gridwork.duty import compute_recent_duty
from gridwork.import_store import purge_stale_imports
from gridwork.visits import remind_due_visits as remind


@durable_task(retry_backoff=30, max_retries=3)
def purge_import_files() -> int:
    """Delete import files whose dry run was never followed by the import."""
    return purge_stale_imports()


@durable_task(retry_backoff=60, max_retries=3)
def remind_due_visits() -> int:
    """Tell the grids' officers of residents due a visit (each due date once)."""
    return remind()


@durable_task(retry_backoff=60, max_retries=3)
def compute_duty() -> int:
    """Recompute yesterday's and today's duty rows (idempotent: one row per officer and day)."""
    return compute_recent_duty()
