"""What a web worker loads before its first request: this process's copies of the reference
data (`governance.versioned`). The grid index above all: at city scale (20,000 grids) it takes
seconds to build, and without this the first filings after every start or deploy waited for
it (8 s under load in the benchmark, BENCHMARKS.md). Called by the production server's worker
(`config.serve.Worker`) once the site is loaded; a failure (the database not reachable yet) is
logged and the copies load on first use, as before.
"""

from __future__ import annotations

import logging
import time

from django.utils import timezone

from governance import reference, routing
from governance.working_time import calendar_around

logger = logging.getLogger(__name__)


def warm_up() -> float | None:
    """Load the grid index, the categories with their questions and the working calendar;
    returns the seconds it took, None if it could not."""
    tick = time.perf_counter()
    try:
        index = routing.grid_index()
        reference.categories()
        reference.questions_copy.get()
        calendar_around(timezone.localdate())
    except Exception:
        logger.warning("warm-up failed; the copies load on first use", exc_info=True)
        return None
    took = time.perf_counter() - tick
    logger.info("warmed up in %.1f s (%d grids)", took, len(index.ids))
    return took
