"""A real daphne on PostgreSQL: a burst of concurrent requests shares a bounded pool.

Under ASGI each request does its database work in a thread of its own. With persistent
connections (`CONN_MAX_AGE`) every such thread kept a connection open, and a busy server ran
PostgreSQL out of client slots (`FATAL: sorry, too many clients already`): the requests after
that failed. The server now draws from a psycopg pool of `DATABASE_POOL_SIZE` connections.
"""

from __future__ import annotations

import os
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.realtime.redis_server import free_port
from tests.realtime.stack import Stack, database_url, requirements, stop

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.django_db(transaction=True),
]

POOL_SIZE = 4
BURST = 48


def _server_connections(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


def test_a_burst_of_requests_never_holds_more_connections_than_the_pool(city, tmp_path):
    application_name = f"pool-{uuid.uuid4().hex[:8]}"  # tells this server's connections apart
    stack = Stack(port=free_port(), queue="unused", log_dir=tmp_path)
    stack.env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{database_url()}?application_name={application_name}",
        "DATABASE_POOL_SIZE": str(POOL_SIZE),
    }

    def fetch(_: int) -> int:
        with urllib.request.urlopen(stack.http + "/open311/v2/services.json", timeout=30) as r:
            return r.status

    try:
        stack.start_web()
        with ThreadPoolExecutor(max_workers=16) as clients:
            statuses = list(clients.map(fetch, range(BURST)))
        held = _server_connections(application_name)
    finally:
        stop(stack.web)

    assert statuses == [200] * BURST
    # Every request was served; the server holds no more than its pool, not one per thread.
    assert 1 <= held <= POOL_SIZE
