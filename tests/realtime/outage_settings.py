"""Settings for the worker of the Redis-outage check: the site's own, except that a message a
killed task left unacknowledged is handed out again after 10 s (not the production visibility
timeout), and the worker looks for such messages every second."""

from tests.settings import *  # noqa: F403  (DEBUG allowed next to the test's Redis)

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 10,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
