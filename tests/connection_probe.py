"""The site's ASGI application plus one path, for tests only: how the server set up the very
connection that asks.

`GET /__probe__/connection/` answers `{"nodelay": 0|1|null}`: `TCP_NODELAY` of the accepted
socket this request came in on, read in the worker process that accepted it. The socket is
found among the process's open descriptors by its peer address (the ASGI scope's `client`),
so the answer does not depend on the event loop, the HTTP implementation or the server: any
server can be started with `tests.connection_probe:application` in place of
`config.asgi:application` and nothing else changed. Every other request goes to the site.
Never part of the production command: only the tests name this module.
"""

from __future__ import annotations

import json
import os
import socket
import stat
from typing import Any

from config.asgi import application as site

PATH = "/__probe__/connection/"


def accepted_nodelay(peer: tuple[str, int]) -> int | None:
    """`TCP_NODELAY` of this process's TCP socket connected to `peer`; None if there is none."""
    for name in os.listdir("/proc/self/fd"):
        try:
            descriptor = int(name)
            if not stat.S_ISSOCK(os.fstat(descriptor).st_mode):
                continue
            duplicate = os.dup(descriptor)  # the same socket; ours to close
        except (ValueError, OSError):
            continue
        try:
            sock = socket.socket(fileno=duplicate)
        except OSError:
            os.close(duplicate)
            continue
        with sock:
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            if sock.type != socket.SOCK_STREAM:
                continue
            try:
                if tuple(sock.getpeername()[:2]) != tuple(peer):
                    continue
                return 1 if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) else 0
            except OSError:  # a listening socket has no peer
                continue
    return None


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http" or scope["path"] != PATH:
        await site(scope, receive, send)
        return
    body = json.dumps({"nodelay": accepted_nodelay(scope["client"])}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
