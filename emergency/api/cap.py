"""POST /api/v1/emergency/cap/: an upstream authority's CAP 1.2 alert → an incident draft.

Thin: read the body (within the size limit), call `emergency.cap.ingest.take_alert`, answer.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emergency.cap.ingest import MAX_ALERT_BYTES, take_alert
from emergency.cap.validation import InvalidAlert
from governance.api.errors import Refused


class CapParser(BaseParser):
    """The raw alert document (bytes), read no further than the size limit."""

    media_type = "application/cap+xml"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        data = stream.read(MAX_ALERT_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_ALERT_BYTES:
            raise Refused(
                _("An alert may be at most %(size)d KiB.") % {"size": MAX_ALERT_BYTES // 1024},
                "too_large",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return data


class XmlParser(CapParser):
    media_type = "application/xml"


class TextXmlParser(CapParser):
    media_type = "text/xml"


class TakenSerializer(serializers.Serializer):
    incident = serializers.IntegerField(help_text="the incident's id")
    status = serializers.CharField()
    source_reference = serializers.CharField(help_text='"sender,identifier,sent" of the alert')
    created = serializers.BooleanField(help_text="a new draft was made from this alert")
    noted = serializers.BooleanField(help_text="an Update or Cancel was noted on its timeline")
    areas = serializers.ListField(child=serializers.CharField(), help_text="affected area codes")


class CapIngestView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [CapParser, XmlParser, TextXmlParser]

    @extend_schema(
        operation_id="emergency_cap_ingest",
        summary="Take in an upstream CAP 1.2 alert as an incident draft",
        description=(
            "The body is a CAP 1.2 `alert` (application/cap+xml or application/xml, at most "
            f"{MAX_ALERT_BYTES // 1024} KiB), validated against the OASIS schema; DTDs and "
            "entities are refused. Its areas are its geocodes that are our area codes, else the "
            "grids its polygons overlap; the caller must manage incidents in all of them. The "
            "same alert twice gives the same incident (200); an Update or Cancel is noted on "
            "the incident of the alert it refers to."
        ),
        request={"application/cap+xml": OpenApiTypes.STR, "application/xml": OpenApiTypes.STR},
        responses={
            201: TakenSerializer,
            200: TakenSerializer,
            400: OpenApiResponse(description="not a valid CAP 1.2 alert, or none of our areas"),
            403: OpenApiResponse(description="not permitted in the alert's areas"),
            413: OpenApiResponse(description="the document is too large"),
        },
        examples=[OpenApiExample("taken", value={"incident": 7, "created": True})],
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, bytes) else b""
        if not data:
            raise Refused(_("Send a CAP 1.2 alert as application/cap+xml."), "invalid_cap", 400)
        try:
            taken = take_alert(data=data, user=request.user)
        except InvalidAlert as error:
            where = f" ({error.where})" if error.where else ""
            raise Refused(
                error.message, "invalid_cap", 400, {"alert": [error.message + where]}
            ) from None
        incident = taken.incident
        return Response(
            {
                "incident": incident.pk,
                "status": incident.status,
                "source_reference": incident.source_reference,
                "created": taken.created,
                "noted": taken.noted,
                "areas": list(incident.affected.values_list("area__code", flat=True)),
            },
            status=status.HTTP_201_CREATED if taken.created else status.HTTP_200_OK,
        )
