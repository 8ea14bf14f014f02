"""The Celery application: broker on Redis in production, tasks in-process when embedded.

Beat runs the time-limit sweep every minute, the outbox relay (what a Redis outage held back)
every 30 seconds, the emergency plans' lateness sweep and the notices' resend to who did not
answer every minute, and the
statistics nightly. Embedded (no
REDIS_URL), `governance.scheduler` runs the same sweep and relay in a thread of the web process.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "sweep-time-limits": {
        "task": "governance.tasks.sweep_time_limits",
        "schedule": 60.0,
        "options": {"expires": 55},  # a sweep that waited past the next one is pointless
    },
    "relay-outbox": {
        "task": "governance.tasks.relay_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "emergency-late-tasks": {
        "task": "emergency.tasks.sweep_late_tasks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "resend-unanswered-notices": {
        "task": "emergency.tasks.resend_unanswered",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "daily-statistics": {
        "task": "governance.tasks.daily_statistics",
        "schedule": crontab(hour=0, minute=15),
    },
    "sensing-no-signal": {
        "task": "sensing.tasks.sweep_silent",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "sensing-carbon-days": {
        "task": "sensing.tasks.carbon_days",
        "schedule": crontab(minute="*/15"),
    },
    "purge-registry-import-files": {
        "task": "gridwork.tasks.purge_import_files",
        "schedule": crontab(minute=40),
    },
    "sensing-partitions": {
        "task": "sensing.tasks.maintain_partitions",
        "schedule": crontab(minute=5),
    },
    "remind-due-visits": {
        "task": "gridwork.tasks.remind_due_visits",
        "schedule": crontab(minute=5),
    },
    "compute-duty-days": {
        "task": "gridwork.tasks.compute_duty",
        "schedule": crontab(minute="*/10"),
    },
}
