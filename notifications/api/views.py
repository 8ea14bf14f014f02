"""The person's notification centre over the API: list, unread count, mark read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import pagination, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from governance.inputs import optional_id
from notifications import centre as notifications
from notifications.api.serializers import (
    MarkReadSerializer,
    NotificationSerializer,
    UnreadSerializer,
)
from notifications.models import Notification


class NotificationPagination(pagination.CursorPagination):
    ordering = ("-created_at", "-pk")
    page_size = 50


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Only the person's own notifications; other people's ids answer 404."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = NotificationPagination
    # Any segment reaches the view, so a malformed id gets the API's JSON 404, not a page.
    lookup_value_regex = r"[^/]+"

    def get_object(self) -> Notification:
        if optional_id(self.kwargs.get("pk")) is None:
            raise NotFound(_("There is no such notification."))
        return super().get_object()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no person
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user, in_app=True).select_related(
            "case"
        )

    @extend_schema(request=None, responses=MarkReadSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        marked = notifications.mark_read(user=request.user, notification_id=notification.pk)
        return Response({"marked": marked})

    @extend_schema(request=None, responses=MarkReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications.mark_read(user=request.user)})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"])
    def unread(self, request: Request) -> Response:
        return Response({"unread": notifications.unread_count(request.user)})
