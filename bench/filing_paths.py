"""The two filing paths of the outside world, in process: the REST API's POST and Open311's.

Each request goes through Django's whole stack (middleware, authentication, parsing, the view,
`submit_case`, the answer), one at a time in this process, without a network: the server's own
time and its SQL. `submit_case` alone is `inprocess.filing_figures`; the difference is what the
path adds around it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.city import City
from bench.stats import summary
from citizens.models import User
from governance.models import ApiKey, Category

API_URL = "/api/v1/cases/"
OPEN311_URL = "/open311/v2/requests.json"


def _measure(post: Callable[[int], Any], repeats: int) -> dict[str, Any]:
    post(0)  # warm up (imports, prepared plans, the per-process copies)
    samples = []
    for i in range(1, repeats + 1):
        tick = time.perf_counter()
        response = post(i)
        samples.append(time.perf_counter() - tick)
        if response.status_code >= 300:
            raise RuntimeError(f"{response.status_code}: {response.content[:200]!r}")
    with CaptureQueriesContext(connection) as queries:
        post(repeats + 1)
    return {
        **summary(samples),
        "queries": len(queries),
        "sql": [q["sql"][:120] for q in queries.captured_queries],
    }


def filing_paths_figures(city: City, repeats: int) -> dict[str, Any]:
    """p50/p95 and SQL of `POST /api/v1/cases/` (a citizen's token) and of Open311's POST
    (an API key, a request without an account leaving an e-mail)."""
    from bench.http import api_token
    from bench.inprocess import _points

    points = _points(city, repeats * 2 + 8, 17)
    category = Category.objects.get(pk=city.category_ids[0])
    citizen = User.objects.get(pk=city.citizen_ids[0])
    token = api_token(citizen)
    _api_key, key = ApiKey.objects.issue("bench in process")
    client = Client()

    def api(i: int):
        return client.post(
            API_URL,
            {
                "category": category.code,
                "description": "井盖缺失 — bench",
                "lon": float(points[i, 0]),
                "lat": float(points[i, 1]),
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )

    def open311(i: int):
        return client.post(
            OPEN311_URL,
            {
                "api_key": key,
                "service_code": category.code,
                "description": "井盖缺失 — bench",
                "long": f"{points[repeats + i, 0]:.6f}",
                "lat": f"{points[repeats + i, 1]:.6f}",
                "email": f"bench{i}@example.org",
            },
        )

    with override_settings(RATE_LIMITS_ENABLED=False):  # as the benchmark's server
        return {"api_post": _measure(api, repeats), "open311_post": _measure(open311, repeats)}
