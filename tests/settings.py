"""The test run's settings: the project's own, with DEBUG allowed next to the services.

With DATABASE_URL / REDIS_URL set, config.settings turns DEBUG off by default and refuses an
explicit DEBUG=true unless ALLOW_DEBUG_WITH_SERVICES says so (a production safeguard). The
test run keeps the development behaviour it always had: pytest-django still runs each test
with DEBUG off, and the servers the tests start (daphne, Celery) inherit these variables.
"""

import os

if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("ALLOW_DEBUG_WITH_SERVICES", "true")

from config.settings import *  # noqa: F403

# Ingest stores on the test's own thread (and transaction), not in a pool thread of its own.
SENSING_INGEST_CONCURRENT = False
