"""WebSocket routes."""

from django.urls import path

from governance.realtime.consumers import (
    CaseConsumer,
    NotificationsConsumer,
    PublicFeedConsumer,
    QueueConsumer,
)

websocket_urlpatterns = [
    path("ws/live/", PublicFeedConsumer.as_asgi()),
    path("ws/queue/", QueueConsumer.as_asgi()),
    path("ws/cases/<str:tracking_id>/", CaseConsumer.as_asgi()),
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]
