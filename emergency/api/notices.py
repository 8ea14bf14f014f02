"""/api/v1/emergency/notices/ and /answers/: notices for permitted staff, their roll-call and
recipients (names only for whoever may read them), and the answer by personal token (no
sign-in; throttled per address). Thin: check, call the named functions, serialise."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emergency import answering, revising, rollcall
from emergency.models import Certainty, Incident, Notice, Recipient, Severity, Urgency
from emergency.notice_access import Names, may_manage_notice, may_view_notice, notices_for
from emergency.notices import send_notice
from governance.api.errors import workflow_refusal
from governance.api.throttles import Limit
from governance.errors import WorkflowError

PAGE = 100
MAX_RECIPIENTS_PAGE = 1000


class NoticeTargetSerializer(serializers.Serializer):
    areas = serializers.ListField(child=serializers.IntegerField(), required=False)
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    people = serializers.ListField(child=serializers.IntegerField(), required=False)
    residents = serializers.BooleanField(required=False)


class NoticeSerializer(serializers.ModelSerializer):
    target = NoticeTargetSerializer()
    answer_options = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "incident",
            "title",
            "title_en",
            "body",
            "body_en",
            "instruction",
            "instruction_en",
            "target",
            "options",
            "answer_options",
            "public",
            "identifier",
            "msg_type",
            "references",
            "severity",
            "urgency",
            "certainty",
            "expires_at",
            "resend_after",
            "resends",
            "sent_at",
            "recipient_count",
        ]
        read_only_fields = ["identifier", "msg_type", "references", "sent_at", "recipient_count"]


class NoticeCreateSerializer(serializers.Serializer):
    incident = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(max_length=4000)
    body_en = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    instruction_en = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    target = NoticeTargetSerializer()
    options = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=6
    )
    public = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    urgency = serializers.ChoiceField(Urgency.choices, required=False)
    certainty = serializers.ChoiceField(Certainty.choices, required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    resend_after = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    resends = serializers.IntegerField(required=False, min_value=0, max_value=5)


class NoticeUpdateSerializer(serializers.Serializer):
    """What changes in the update; what is left out is kept from the notice updated."""

    title = serializers.CharField(max_length=200, required=False)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(max_length=4000, required=False)
    body_en = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    instruction_en = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    urgency = serializers.ChoiceField(Urgency.choices, required=False)
    certainty = serializers.ChoiceField(Certainty.choices, required=False)
    expires_at = serializers.DateTimeField(required=False)


class NoticeCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RollCallCountsSerializer(serializers.Serializer):
    area = serializers.IntegerField(help_text="0: departments and named people")
    name = serializers.CharField()
    path = serializers.CharField()
    total = serializers.IntegerField()
    reached = serializers.IntegerField()
    answered = serializers.IntegerField()
    answers = serializers.DictField(child=serializers.IntegerField())


class NoticeOptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class RollCallSerializer(serializers.Serializer):
    notice = serializers.IntegerField()
    options = NoticeOptionSerializer(many=True)
    totals = RollCallCountsSerializer()
    areas = RollCallCountsSerializer(many=True)


class NoticeRecipientSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="empty unless you may read this name")
    username = serializers.SerializerMethodField(help_text="empty unless you may read this name")

    class Meta:
        model = Recipient
        fields = [
            "id",
            "name",
            "username",
            "area",
            "area_path",
            "is_resident",
            "reached_at",
            "sent_count",
            "last_sent_at",
            "answer",
            "answer_note",
            "answered_at",
            "leader_told_at",
        ]

    def _may(self, recipient: Recipient) -> bool:
        return self.context["names"].allowed(recipient.area_path)

    def get_name(self, recipient: Recipient) -> str:
        return str(recipient.user) if self._may(recipient) else ""

    def get_username(self, recipient: Recipient) -> str:
        return recipient.user.username if self._may(recipient) else ""

    def to_representation(self, recipient: Recipient) -> dict:
        data = super().to_representation(recipient)
        if not self._may(recipient):
            data["answer_note"] = ""  # the note is as personal as the name
        return data


class NoticeAnswerSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    answer = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class NoticeAnsweredSerializer(serializers.Serializer):
    notice = serializers.IntegerField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField()
    recorded = serializers.BooleanField(help_text="false: answered before; that answer stands")


def _viewable(request: Request, notice_id: int) -> Notice:
    notice = get_object_or_404(Notice.objects.select_related("incident"), pk=notice_id)
    if not may_view_notice(request.user, notice):
        raise NotFound()
    return notice


class PageQuery(serializers.Serializer):
    """`offset` and `limit` of a list: numbers, or a 400 saying which one is not."""

    offset = serializers.IntegerField(min_value=0, required=False, default=0)
    limit = serializers.IntegerField(min_value=1, required=False)


def page_of(request: Request, *, limit: int, most: int) -> tuple[int, int]:
    """(offset, limit) from the query, `limit` by default and never more than `most`."""
    query = PageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["offset"], min(most, query.validated_data.get("limit") or limit)


class NoticeListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="The notices you may follow (sent by you, of incidents you see, to your areas)",
        parameters=[OpenApiParameter("offset", int)],
        responses=NoticeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        offset, _limit = page_of(request, limit=PAGE, most=PAGE)
        rows = notices_for(request.user).order_by("-sent_at", "-pk")[offset : offset + PAGE]
        return Response(NoticeSerializer(rows, many=True).data)

    @extend_schema(
        summary="Send a notice with acknowledgement to a target",
        request=NoticeCreateSerializer,
        responses={201: NoticeSerializer, 400: OpenApiResponse(description="invalid input")},
    )
    def post(self, request: Request) -> Response:
        given = NoticeCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        incident_id = data.pop("incident", None)
        incident = None
        if incident_id is not None:
            incident = Incident.objects.filter(pk=incident_id).first()
            if incident is None:
                raise NotFound()
        try:
            notice = send_notice(sender=request.user, incident=incident, **data)
        except WorkflowError as error:
            raise workflow_refusal(error) from error
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class NoticeDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="A notice and its roll-call counts", responses=RollCallSerializer)
    def get(self, request: Request, notice_id: int) -> Response:
        notice = _viewable(request, notice_id)
        return Response(rollcall.as_json(rollcall.summary(notice)))


class NoticeRecipientsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A notice's recipients; names only where you may read them",
        parameters=[OpenApiParameter("offset", int), OpenApiParameter("limit", int)],
        responses=NoticeRecipientSerializer(many=True),
    )
    def get(self, request: Request, notice_id: int) -> Response:
        notice = _viewable(request, notice_id)
        offset, limit = page_of(request, limit=200, most=MAX_RECIPIENTS_PAGE)
        rows = (
            Recipient.objects.filter(notice=notice)
            .select_related("user")
            .order_by("pk")[offset : offset + limit]
        )
        context = {"names": Names(request.user, notice)}
        return Response(NoticeRecipientSerializer(rows, many=True, context=context).data)


def _revisable(request: Request, notice_id: int) -> Notice:
    notice = _viewable(request, notice_id)
    if not may_manage_notice(request.user, notice):
        raise PermissionDenied()
    return notice


REVISION_RESPONSES = {
    201: NoticeSerializer,
    400: OpenApiResponse(description="not a public notice, or updated or cancelled already"),
    403: OpenApiResponse(description="you may follow this notice but not send it"),
    404: OpenApiResponse(description="no such notice that you may follow"),
}


class NoticeUpdateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Update a public notice (CAP msgType Update, references the notice)",
        description="Sends a new notice to the same target, with what is given changed; the "
        "earlier notice is no longer sent again to who has not answered.",
        request=NoticeUpdateSerializer,
        responses=REVISION_RESPONSES,
    )
    def post(self, request: Request, notice_id: int) -> Response:
        notice = _revisable(request, notice_id)
        given = NoticeUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            sent = revising.update_notice(notice, request.user, **given.validated_data)
        except WorkflowError as error:
            raise workflow_refusal(error) from error
        return Response(NoticeSerializer(sent).data, status=status.HTTP_201_CREATED)


class NoticeCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Cancel a public notice (CAP msgType Cancel, references the notice)",
        description="Tells everybody the notice reached that it is cancelled (and why).",
        request=NoticeCancelSerializer,
        responses=REVISION_RESPONSES,
    )
    def post(self, request: Request, notice_id: int) -> Response:
        notice = _revisable(request, notice_id)
        given = NoticeCancelSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            sent = revising.cancel_notice(
                notice, request.user, given.validated_data.get("reason", "")
            )
        except WorkflowError as error:
            raise workflow_refusal(error) from error
        return Response(NoticeSerializer(sent).data, status=status.HTTP_201_CREATED)


class AnswerLimit(Limit):
    scope = "notice_answer"


class AnswerView(APIView):
    """The one-tap answer by personal token: the token is the key, no sign-in."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnswerLimit]

    @extend_schema(
        summary="Answer a notice with your personal token (once; later answers return the first)",
        request=NoticeAnswerSerializer,
        responses={
            201: NoticeAnsweredSerializer,
            200: NoticeAnsweredSerializer,
            400: OpenApiResponse(description="an answer the notice does not offer"),
            404: OpenApiResponse(description="no such token"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        given = NoticeAnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            result = answering.answer(
                given.validated_data["token"],
                given.validated_data["answer"],
                given.validated_data.get("note", ""),
            )
        except answering.UnknownToken:
            raise NotFound() from None
        except WorkflowError as error:
            raise workflow_refusal(error) from error
        recipient = result.recipient
        body = {
            "notice": recipient.notice_id,
            "answer": recipient.answer,
            "answered_at": recipient.answered_at,
            "recorded": result.recorded,
        }
        code = status.HTTP_201_CREATED if result.recorded else status.HTTP_200_OK
        return Response(NoticeAnsweredSerializer(body).data, status=code)
