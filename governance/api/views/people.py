"""The current person, their sign-in token, and who saw their requests' personal data."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, pagination, permissions
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.serializers.people import AccessLogSerializer, MeSerializer
from governance.api.throttles import SignInLimit
from governance.limits import lockout_message
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

    throttle_classes = [SignInLimit]

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it was given (this one, not Django's underneath,
            # which its middleware reads) when the account or the address is locked out.
            if getattr(request, "axes_locked_out", False):
                wait = int(get_cool_off(request).total_seconds())
                refusal = exceptions.Throttled(detail=lockout_message(wait))
                refusal.wait = wait  # → Retry-After; the message already says when
                raise refusal
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # What signing in on a page does: axes clears the account's failures, last_login moves.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
