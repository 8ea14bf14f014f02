"""Celery tasks of the registry: thin, idempotent."""

from __future__ import annotations

from governance.tasks import durable_task
from gridwork.import_store import purge_stale_imports


@durable_task(retry_backoff=30, max_retries=3)
def purge_import_files() -> int:
    """Delete import files whose dry run was never followed by the import."""
    return purge_stale_imports()
