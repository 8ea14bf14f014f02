"""ASGI entry point: HTTP through Django, WebSocket through Channels.

WebSockets authenticate by session (from an allowed origin only) or by API token; see
`governance.realtime.auth`. Embedded (no REDIS_URL), the time-limit sweep runs in a thread of
this process (`governance.scheduler`).
"""

import os

from django.core.asgi import get_asgi_application

from config import http_limits

http_limits.apply()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from emergency import realtime as emergency_realtime  # noqa: E402
from governance import scheduler  # noqa: E402
from governance.realtime.auth import SessionOrTokenAuth  # noqa: E402
from governance.realtime.routing import routes  # noqa: E402
from gridwork import patrol_live  # noqa: E402
from sensing import live as sensing_live  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(
            routes(SessionOrTokenAuth)
            + emergency_realtime.routes(SessionOrTokenAuth)
            + patrol_live.routes(SessionOrTokenAuth)
            + sensing_live.routes(SessionOrTokenAuth)
        ),
    }
)

scheduler.start_if_embedded()
