"""How long a request line daphne (Twisted) lets through, and what it answers beyond.

Measured: Twisted's HTTP channel reads the request line with a 16 KiB line limit and, past it,
drops the connection without a word (a 30 KB query string: no answer at all); request line and
headers past 16 KiB together get a bare `400` with no body. Here the limits rise to
`MAX_REQUEST_HEAD` so that a long query string reaches Django, where
`governance.web.guard` answers 414 in the usual error body (its limit is 8 KiB); a request
line beyond even this limit gets a plain 414 from the server instead of a dropped connection.

uvicorn (h11) refuses a request head over 16 KiB with "400 Invalid HTTP request received.";
the production worker (`config.serve.Worker`) raises that to `MAX_REQUEST_HEAD` too. A reverse
proxy in front has its own limit (nginx: `large_client_header_buffers`, answering 414 itself).

Applied by `config.asgi` before the server accepts connections (daphne imports the
application first, `manage.py runserver` too).
"""

from __future__ import annotations

MAX_REQUEST_HEAD = 64 * 1024

_TOO_LONG = (
    b"HTTP/1.1 414 URI Too Long\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 26\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"The address is too long.\r\n"
)


def _line_too_long(channel, line: bytes) -> None:
    channel.transport.write(_TOO_LONG)
    channel.transport.loseConnection()


def apply() -> None:
    """Raise Twisted's request-head limits and answer 414 beyond them (no-op without it)."""
    try:
        from twisted.web import http
    except ImportError:  # pragma: no cover - another ASGI server without Twisted
        return
    http.HTTPChannel.MAX_LENGTH = MAX_REQUEST_HEAD
    http.HTTPChannel.totalHeadersSize = MAX_REQUEST_HEAD
    http.HTTPChannel.lineLengthExceeded = _line_too_long
