"""A task for the worker-outage check: sleep, then append its number to a file."""

from __future__ import annotations

import os
import time

from celery import shared_task


@shared_task(acks_late=True)
def slow_mark(number: int, seconds: float) -> None:
    time.sleep(seconds)
    with open(os.environ["OUTAGE_MARKS"], "a") as marks:
        marks.write(f"{number}\n")
