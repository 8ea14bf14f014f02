"""Where a checked import file waits between its dry run and the import (default storage,
random names), and the purge of those never imported."""

from __future__ import annotations

import datetime

from django.core.files.storage import default_storage

from governance import clock

STORE = "registry-imports/"
KEPT_FOR = datetime.timedelta(hours=6)


def purge_stale_imports(*, older_than: datetime.timedelta = KEPT_FOR) -> int:
    """Delete waiting import files older than `older_than`; the number deleted. Idempotent
    (a file already gone is skipped)."""
    if not default_storage.exists(STORE):
        return 0
    cutoff = clock.now() - older_than
    _dirs, files = default_storage.listdir(STORE)
    deleted = 0
    for name in files:
        path = STORE + name
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted
