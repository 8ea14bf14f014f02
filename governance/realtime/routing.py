"""WebSocket routes: each consumer behind the session-or-token check (`auth`) in production.

`routes()` alone gives the consumers unwrapped, for tests that set the scope's user
themselves. The check sits inside the router, around each consumer, so that the scope it builds
(with the person) is held by the consumer alone, which drops the person once subscribed.
"""

from collections.abc import Callable
from typing import Any

from django.urls import path

from governance.realtime.consumers import (
    CaseConsumer,
    NotificationsConsumer,
    PublicFeedConsumer,
    QueueConsumer,
)


def routes(wrap: Callable[[Any], Any] = lambda app: app) -> list:
    return [
        path("ws/live/", wrap(PublicFeedConsumer.as_asgi())),
        path("ws/queue/", wrap(QueueConsumer.as_asgi())),
        path("ws/cases/<str:tracking_id>/", wrap(CaseConsumer.as_asgi())),
        path("ws/notifications/", wrap(NotificationsConsumer.as_asgi())),
    ]


websocket_urlpatterns = routes()
