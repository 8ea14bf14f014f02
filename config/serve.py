"""The production web server, in one place: gunicorn supervising uvicorn workers.

`python -m config.serve` is what the systemd unit (`deploy/grid-web@.service`) runs, what the
README documents and what the benchmark starts (`bench/http.py` calls `command()`); the tests
start the same list of arguments (`tests/test_production_server.py`).

Why gunicorn in front and not `uvicorn --workers N`: uvicorn's own supervisor (0.54, still
open upstream as Kludex/uvicorn#3149) creates the shared listening socket with protocol 0, and
asyncio sets `TCP_NODELAY` on an accepted connection only when the socket says TCP. Nagle's
algorithm then holds the body of every keep-alive response (uvicorn writes headers and body
separately) until the client's delayed ACK of the headers: ≈ 40 ms per request after the
first. gunicorn sets `TCP_NODELAY` on the listening socket itself, and on Linux accepted
connections inherit it, whatever the event loop does.

The worker pins its protocol implementations instead of "auto", so what is measured and tested
is what runs, whichever optional packages happen to be installed:

- h11 with a 64 KiB request head (`config.http_limits.MAX_REQUEST_HEAD`), so a long query
  string reaches Django and gets its 414 instead of h11's bare 400 at 16 KiB;
- WebSockets without per-message deflate: the live events are a few hundred bytes, and the
  compression state costs ≈ 35 KiB per open socket (BENCHMARKS.md);
- no proxy-header rewriting: Django reads `X-Forwarded-For`/`-Proto` itself, by
  `TRUSTED_PROXY_COUNT` (`governance.limits.client_address`), as it did behind daphne;
- no lifespan: Django's ASGI handler has none; the worker loads the site's reference data
  (the grid index: seconds at city scale) itself before its first request.

Settings come from the environment and a malformed value stops start-up naming the variable:

| variable | default | |
|---|---|---|
| `WEB_BIND` | `127.0.0.1:8000` | address:port (or `unix:/path`) to listen on |
| `WEB_WORKERS` | one per CPU | worker processes |
| `WEB_TIMEOUT` | 30 | seconds a worker may be unresponsive before it is restarted |
| `WEB_GRACEFUL_TIMEOUT` | 30 | seconds to finish requests on restart or stop |
| `WEB_KEEPALIVE` | 5 | seconds an idle keep-alive connection is kept |
| `WEB_BACKLOG` | 1024 | pending connections the kernel queues |
| `WEB_MAX_REQUESTS` | 0 | restart a worker after this many requests (0: never) |
| `WEB_LOG_LEVEL` | `info` | gunicorn's and uvicorn's log level |
| `WEB_ACCESS_LOG` | `false` | one line per request on standard output |
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from uvicorn_worker import UvicornWorker

from config.env import env_bool, env_int, env_str
from config.http_limits import MAX_REQUEST_HEAD

APPLICATION = "config.asgi:application"
WORKER_CLASS = "config.serve.Worker"


class Worker(UvicornWorker):
    """A uvicorn worker with the protocol choices above, the same in every process, that loads
    the site's reference data before it takes its first request (`governance.warm`)."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "asyncio",
        "http": "h11",
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD,
        "proxy_headers": False,
        "lifespan": "off",
    }

    def load_wsgi(self) -> None:
        super().load_wsgi()
        if getattr(self.app, "app_uri", None) == APPLICATION:  # the site, not a test's probe
            from django.db import connections  # Django is set up by now

            from governance.warm import warm_up

            warm_up()
            connections.close_all()  # this thread serves no request: its connection goes back


def arguments(*, app: str = APPLICATION, environ: Mapping[str, str] | None = None) -> list[str]:
    """gunicorn's command-line arguments for `app`, with the settings from the environment."""
    read: dict[str, Any] = {"environ": environ}
    arguments = [
        "--worker-class",
        WORKER_CLASS,
        "--bind",
        env_str("WEB_BIND", "127.0.0.1:8000", **read),
        "--workers",
        str(env_int("WEB_WORKERS", os.cpu_count() or 1, minimum=1, **read)),
        "--timeout",
        str(env_int("WEB_TIMEOUT", 30, minimum=1, **read)),
        "--graceful-timeout",
        str(env_int("WEB_GRACEFUL_TIMEOUT", 30, minimum=1, **read)),
        "--keep-alive",
        str(env_int("WEB_KEEPALIVE", 5, minimum=1, **read)),
        "--backlog",
        str(env_int("WEB_BACKLOG", 1024, minimum=1, **read)),
        "--max-requests",
        str(env_int("WEB_MAX_REQUESTS", 0, minimum=0, **read)),
        "--log-level",
        env_str("WEB_LOG_LEVEL", "info", **read),
        # gunicorn's runtime control socket is one path per user: the instances on one machine
        # (and the tests' servers) would take it from each other; nothing here uses it.
        "--no-control-socket",
    ]
    if env_bool("WEB_ACCESS_LOG", False, **read):
        arguments += ["--access-logfile", "-"]
    return [*arguments, app]


def command(*, app: str = APPLICATION, environ: Mapping[str, str] | None = None) -> list[str]:
    """The whole command line, run with this interpreter (the project's virtualenv)."""
    return [sys.executable, "-m", "gunicorn", *arguments(app=app, environ=environ)]


def main() -> None:
    """Replace this process with gunicorn: systemd supervises and signals the master itself."""
    line = command()
    os.execv(line[0], line)


if __name__ == "__main__":
    main()
