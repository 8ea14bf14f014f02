"""/api/v1/gridwork/patrols/…: start a patrol, send positions in batches, end it, check in at
a key place, report a case from here; list and read patrols.

Read through `gridwork.access.patrols_for` (an officer their own, a leader their subtree's);
another's patrol is simply not found (404). Writes go through `gridwork.patrolling`, and only
the patrol's officer may write to it (403 for a leader reading it).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import pagination, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.errors import Refused, SafeLookupMixin, run
from governance.api.parsers import LimitedJSONParser
from governance.models import Category
from gridwork import patrolling
from gridwork.access import RecordAction, may_patrol, patrols_for, records_for
from gridwork.models import KeyPlace, Patrol, PatrolStatus


class PatrolPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def officer_name(patrol: Patrol) -> str:
    officer = patrol.officer
    if officer is None:
        return ""
    return officer.get_full_name() or officer.username


class PatrolSerializer(serializers.ModelSerializer):
    officer = serializers.SerializerMethodField()
    # A leader patrols their street or community: no grid of their own (null).
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    last_position = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = [
            "id",
            "officer",
            "grid",
            "area_path",
            "status",
            "started_at",
            "ended_at",
            "point_count",
            "refused_count",
            "distance_m",
            "seconds_in_grid",
            "last_position",
        ]
        read_only_fields = fields

    def get_officer(self, patrol: Patrol) -> str:
        return officer_name(patrol)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_last_position(self, patrol: Patrol) -> dict | None:
        if patrol.last_t is None:
            return None
        return {
            "t": patrol.last_t.isoformat(),
            "lon": patrol.last_lon,
            "lat": patrol.last_lat,
            "acc": patrol.last_accuracy,
        }


class PointSerializer(serializers.Serializer):
    t = serializers.CharField(help_text="ISO 8601 time, or epoch milliseconds")
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    acc = serializers.FloatField(help_text="accuracy in metres (the browser's coords.accuracy)")


class BatchSerializer(serializers.Serializer):
    batch = serializers.CharField(
        max_length=64,
        help_text="the phone's id for this batch: sending it again stores nothing twice",
    )
    points = PointSerializer(many=True)


REFUSAL = inline_serializer(
    "PointRefusal",
    {
        "index": serializers.IntegerField(help_text="the point's place in the batch as sent"),
        "t": serializers.CharField(),
        "reason": serializers.ChoiceField(choices=sorted(patrolling.REASONS)),
        "message": serializers.CharField(),
    },
)
BATCH_RESULT = inline_serializer(
    "PointBatchResult",
    {
        "batch": serializers.CharField(),
        "accepted": serializers.IntegerField(),
        "refused": serializers.ListField(child=REFUSAL),
        "repeated": serializers.BooleanField(help_text="this batch was received before"),
        "total_points": serializers.IntegerField(),
        "distance_m": serializers.IntegerField(help_text="the patrol's distance so far"),
    },
)
CHECK_IN_FORM = inline_serializer(
    "CheckInForm",
    {
        "key_place": serializers.IntegerField(),
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
        "note": serializers.CharField(required=False),
        "photos": serializers.ListField(child=serializers.ImageField(), required=False),
    },
)
REPORT_FORM = inline_serializer(
    "PatrolReportForm",
    {
        "category": serializers.CharField(help_text="the category's code"),
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
        "description": serializers.CharField(required=False),
        "answers": serializers.DictField(
            required=False,
            help_text="the category's questions by code (in a form: fields answers.<code>)",
        ),
        "request_id": serializers.CharField(
            required=False, help_text="the phone's id for this tap: a resend files nothing twice"
        ),
        "photos": serializers.ListField(child=serializers.ImageField(), required=False),
    },
)
NEARBY = inline_serializer(
    "NearbyKeyPlace",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "distance_m": serializers.IntegerField(),
    },
)


def track_json(patrol: Patrol) -> list[dict]:
    return [p.as_dict() for p in patrolling.track_of(patrol)]


def detail_json(patrol: Patrol, data: dict) -> dict:
    """A patrol with its track, check-ins and reports."""
    check_ins = patrol.check_ins.select_related("key_place").prefetch_related("photos")
    reports = patrol.reports.select_related("case")
    return {
        **data,
        "track": track_json(patrol),
        "check_ins": [
            {
                "id": c.pk,
                "key_place": c.key_place_id,
                "key_place_name": c.key_place.name,
                "at": c.at.isoformat(),
                "lon": c.lon,
                "lat": c.lat,
                "distance_m": c.distance_m,
                "note": c.note,
                "photos": [
                    reverse("gridwork:patrol_photo", args=[p.pk, "full"]) for p in c.photos.all()
                ],
            }
            for c in check_ins
        ],
        "reports": [
            {
                "id": r.pk,
                "at": r.at.isoformat(),
                "lon": r.lon,
                "lat": r.lat,
                "tracking_id": r.case.tracking_id if r.case else None,
            }
            for r in reports
        ],
    }


class PatrolViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Patrols (巡查): an officer's own, and a leader's subtree's (live and past)."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PatrolPagination
    serializer_class = PatrolSerializer
    queryset = Patrol.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet:
        patrols = patrols_for(self.request.user).select_related("officer", "grid")
        if self.request.query_params.get("status") in PatrolStatus.values:
            patrols = patrols.filter(status=self.request.query_params["status"])
        return patrols.defer("grid__boundary").order_by("-started_at", "-pk")

    def own_patrol(self) -> Patrol:
        """The patrol named in the path, for a write: the officer's own (a leader who may read
        it is refused, 403; anyone else does not find it, 404)."""
        patrol = self.get_object()
        if patrol.officer_id != self.request.user.pk:
            raise Refused(_("Only the officer on this patrol may record it."), "not_permitted", 403)
        return patrol

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=PatrolStatus.values)],
        summary="The patrols you may see, newest first",
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses=inline_serializer(
            "PatrolDetail",
            {
                "track": serializers.ListField(child=serializers.DictField()),
                "check_ins": serializers.ListField(child=serializers.DictField()),
                "reports": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="A patrol with its track, check-ins and reports",
    )
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        patrol = self.get_object()
        return Response(detail_json(patrol, PatrolSerializer(patrol).data))

    @extend_schema(
        request=None,
        responses={201: PatrolSerializer},
        summary="Start a patrol (or resume the one under way)",
    )
    def create(self, request: Request) -> Response:
        patrol = run(patrolling.start_patrol, officer=request.user)
        return Response(PatrolSerializer(patrol).data, status=201)

    @extend_schema(
        request=BatchSerializer,
        responses={200: BATCH_RESULT},
        summary="Send a batch of positions; the answer lists those refused and why",
    )
    @action(detail=True, methods=["post"])
    def points(self, request: Request, pk: str | None = None) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        batch = data.get("batch")
        if batch is not None and not isinstance(batch, str):
            raise Refused("batch: a string", "invalid", 400, {"batch": ["a string"]})
        patrol_id = int(pk or 0)
        try:
            if not 0 < patrol_id < 2**63:
                raise Patrol.DoesNotExist
            # The officer's own patrol, found and locked in one query (the day's hottest write).
            result = run(
                patrolling.record_own_points,
                officer=request.user,
                patrol_id=patrol_id,
                points=data.get("points"),
                batch=batch,
            )
        except Patrol.DoesNotExist:
            self.own_patrol()  # someone else's: 403 to a leader who may read it, else 404
            raise Http404 from None
        return Response(result.as_dict())

    @extend_schema(request=None, responses=PatrolSerializer, summary="End the patrol")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        patrol = run(patrolling.end_patrol, patrol=self.own_patrol(), actor=request.user)
        return Response(PatrolSerializer(patrol).data)

    @extend_schema(
        request={"multipart/form-data": CHECK_IN_FORM},
        responses={201: inline_serializer("CheckInDone", {"id": serializers.IntegerField()})},
        summary="Check in at a key place within the radius, with a note and photos",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="check-ins",
        parser_classes=[MultiPartParser, FormParser, LimitedJSONParser],
    )
    def check_ins(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.own_patrol()
        place = (
            records_for(request.user, KeyPlace, RecordAction.VIEW)
            .filter(pk=_int(request.data.get("key_place")))
            .first()
        )
        if place is None:
            raise Refused("key_place: not found", "invalid", 400, {"key_place": ["not found"]})
        visit = run(
            patrolling.check_in,
            patrol=patrol,
            actor=request.user,
            key_place=place,
            lon=request.data.get("lon"),
            lat=request.data.get("lat"),
            note=str(request.data.get("note") or ""),
            photos=request.FILES.getlist("photos"),
        )
        return Response({"id": visit.pk, "distance_m": visit.distance_m}, status=201)

    @extend_schema(
        request={"multipart/form-data": REPORT_FORM, "application/json": REPORT_FORM},
        responses={
            201: inline_serializer(
                "PatrolReportDone",
                {"id": serializers.IntegerField(), "tracking_id": serializers.CharField()},
            )
        },
        summary="Report a case from here (channel patrol), linked to the patrol",
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser, LimitedJSONParser],
    )
    def reports(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.own_patrol()
        code = str(request.data.get("category") or "")[:40]
        category = Category.objects.filter(code=code, active=True).first()
        if category is None:
            raise Refused("category: not found", "invalid", 400, {"category": ["not found"]})
        report = run(
            patrolling.report_from_here,
            patrol=patrol,
            actor=request.user,
            category=category,
            lon=request.data.get("lon"),
            lat=request.data.get("lat"),
            description=str(request.data.get("description") or ""),
            answers=_answers(request),
            files=request.FILES.getlist("photos"),
            request_id=str(request.data.get("request_id") or ""),
        )
        tracking_id = report.case.tracking_id if report.case else ""
        return Response(
            {
                "id": report.pk,
                "tracking_id": tracking_id,
                "url": reverse("governance:case", args=[tracking_id]) if tracking_id else "",
            },
            status=201,
        )

    @extend_schema(
        parameters=[OpenApiParameter("lon", float), OpenApiParameter("lat", float)],
        responses=serializers.ListSerializer(child=NEARBY),
        summary="The key places near a point where a check-in is possible",
    )
    @action(detail=False, methods=["get"], url_path="nearby-places")
    def nearby_places(self, request: Request) -> Response:
        if not may_patrol(request.user):
            raise Refused(
                _("Only grid staff who may report cases go on patrol."), "not_permitted", 403
            )
        lon = patrolling.number(request.query_params.get("lon"))
        lat = patrolling.number(request.query_params.get("lat"))
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Refused("lon, lat: numbers", "invalid", 400, {"lon": ["a number"]})
        found = patrolling.nearby_key_places(actor=request.user, lon=lon, lat=lat)
        return Response(
            [
                {
                    "id": n.place.pk,
                    "name": n.place.name,
                    "kind": n.place.get_kind_display(),
                    "distance_m": round(n.distance_m),
                }
                for n in found
            ]
        )


def _answers(request: Request) -> dict:
    """The category's answers: a JSON object, or form fields named answers.<code> (a question
    with several choices repeats its field)."""
    data = request.data
    if isinstance(data.get("answers"), dict):
        return data["answers"]
    found: dict = {}
    for name in data:
        if isinstance(name, str) and name.startswith("answers."):
            values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
            found[name[len("answers.") :]] = values if len(values) > 1 else values[0]
    return found


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
