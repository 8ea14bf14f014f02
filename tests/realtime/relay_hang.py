"""For the killed-worker check: a subscriber that, in the first worker only, stops the relay
after every real subscriber has written its rows and before the outbox row is marked delivered
(it leaves a mark, then waits to be killed)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from governance import subscribers


@subscribers.subscriber("zz-hang")
def hang(events) -> None:
    mark = os.environ.get("RELAY_HANG_MARK")
    if not mark:
        return
    Path(mark).write_text(",".join(str(event.pk) for event in events))
    time.sleep(600)  # killed long before this ends
