"""The current person, their sign-in token, and who saw their requests' personal data."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, pagination, permissions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from governance.api.serializers.people import AccessLogSerializer, MeSerializer
from governance.models import AccessLog


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class AccessLogPagination(pagination.CursorPagination):
    ordering = ("-at", "-pk")
    page_size = 50


class MyAccessLogView(generics.ListAPIView):
    """Every time someone else saw personal data of the person's own requests."""

    serializer_class = AccessLogSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = AccessLogPagination

    def get_queryset(self):
        return AccessLog.objects.filter(case__reporter=self.request.user).select_related(
            "case", "user"
        )


class SignInView(ObtainAuthToken):
    """Exchange a username (or phone, or e-mail) and password for an API token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signin"
