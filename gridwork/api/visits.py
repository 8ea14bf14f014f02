"""/api/v1/gridwork/visits/ and /api/v1/gridwork/duty/: household visits (read through
`gridwork.access.records_for`, recorded through `gridwork.visits.visit_record`) and the monthly
duty sheet (`gridwork.duty`: officer names and counts, no personal data)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from governance import clock
from governance.api.errors import SafeLookupMixin, run
from governance.models import Area, Category
from gridwork.access import RecordAction, records_for
from gridwork.api.serializers import ScopedField
from gridwork.api.views import RegistryPagination
from gridwork.duty import duty_of, may_read_officer, month_bounds, officers_under, parse_month
from gridwork.models import Household, Resident, Visit
from gridwork.search import within
from gridwork.visits import correct_visit, due_visits, may_correct, visit_record

AREA = OpenApiParameter("area", str, description="only records beneath this area code")
MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: this month)")
# What a correction leaves as the visit recorded it.
FIXED_ON_CORRECTION = {"household", "follow_up", "follow_up_category", "follow_up_description"}
WITHIN = OpenApiParameter(
    "within_days", int, description="only visits due within this many days (overdue included)"
)


def _area(request: Request) -> Area | None:
    code = request.query_params.get("area")
    if not code:
        return None
    return Area.objects.filter(code=code[:15]).defer("boundary").first() or Area(path="/-/")


class VisitSerializer(serializers.ModelSerializer):
    household = ScopedField(Household, required=False, allow_null=True)
    residents = ScopedField(Resident, many=True, required=False, source="residents_seen")
    visitor = serializers.SerializerMethodField()
    case = serializers.SlugRelatedField(slug_field="tracking_id", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    follow_up_category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(active=True),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="with follow_up: the category of the case filed (channel patrol)",
    )
    follow_up_description = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, write_only=True
    )
    visited_at = serializers.DateTimeField(required=False, help_text="default: now")

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "residents",
            "visitor",
            "visited_at",
            "minutes",
            "notes",
            "follow_up",
            "follow_up_category",
            "follow_up_description",
            "case",
            "grid",
            "corrected_at",
        ]
        read_only_fields = ["corrected_at"]

    def get_visitor(self, visit: Visit) -> str:
        return visit.visitor.get_full_name() or visit.visitor.get_username()


class DueVisitSerializer(serializers.Serializer):
    resident = serializers.IntegerField(source="resident.pk")
    name = serializers.CharField(source="resident.name")
    household = serializers.IntegerField(source="resident.household_id", allow_null=True)
    grid = serializers.CharField(source="resident.grid.code", default=None)
    tags = serializers.ListField(child=serializers.CharField(), source="resident.tags")
    every_days = serializers.IntegerField()
    last_visit = serializers.DateField(allow_null=True)
    due_on = serializers.DateField()
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, due) -> bool:
        return due.overdue(self.context["today"])


@extend_schema_view(
    list=extend_schema(parameters=[AREA]),
    due=extend_schema(parameters=[AREA, WITHIN], responses=DueVisitSerializer(many=True)),
)
class VisitViewSet(
    SafeLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Household visits (走访): who visited, when, the residents seen, notes, and the
    follow-up case filed from it. Recorded by the grid's officers; read where the person may
    see the registry; corrected (PATCH: residents, visited_at, minutes, notes) by the officer
    who made the visit, within a month of it."""

    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]  # no PUT: a correction
    pagination_class = RegistryPagination
    serializer_class = VisitSerializer
    queryset = Visit.objects.none()

    def get_queryset(self) -> QuerySet:
        visits = within(
            records_for(self.request.user, Visit, RecordAction.VIEW), _area(self.request)
        )
        return (
            visits.select_related("visitor", "case", "grid")
            .defer("grid__boundary")
            .prefetch_related("residents_seen")
            .order_by("-visited_at", "-pk")
        )

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = run(
            visit_record,
            by=self.request.user,
            household=data.get("household"),
            residents=data.get("residents_seen", []),
            visited_at=data.get("visited_at"),
            minutes=data.get("minutes"),
            notes=data.get("notes", ""),
            follow_up=data.get("follow_up", False),
            follow_up_category=data.get("follow_up_category"),
            follow_up_description=data.get("follow_up_description", ""),
        )

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        if not may_correct(request.user, self.get_object()):
            raise PermissionDenied(
                _("Only the officer who made a visit corrects it, within a month of it.")
            )
        fixed = FIXED_ON_CORRECTION & set(request.data)
        if fixed:
            raise serializers.ValidationError(
                {name: [_("Kept as recorded: record another visit instead.")] for name in fixed}
            )
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        visit, data = serializer.instance, serializer.validated_data
        serializer.instance = run(
            correct_visit,
            by=self.request.user,
            visit_id=visit.pk,
            residents=data.get("residents_seen", list(visit.residents_seen.all())),
            visited_at=data.get("visited_at", visit.visited_at),
            minutes=data.get("minutes", visit.minutes),
            notes=data.get("notes", visit.notes),
        )

    @action(detail=False, methods=["get"], pagination_class=None)
    def due(self, request: Request) -> Response:
        """The residents tagged for regular visits whose visit falls due, soonest first."""
        today = timezone.localdate(clock.now())
        within_days = request.query_params.get("within_days", "")
        found = due_visits(
            user=request.user,
            area=_area(request),
            today=today,
            within_days=min(int(within_days), 3660) if within_days.isdigit() else None,
        )[:500]
        return Response(DueVisitSerializer(found, many=True, context={"today": today}).data)


class DutyDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    patrol_minutes = serializers.IntegerField()
    distance_m = serializers.IntegerField()
    patrols = serializers.IntegerField()
    check_ins = serializers.IntegerField()
    reports = serializers.IntegerField()
    visits = serializers.IntegerField()


class OfficerDutySerializer(serializers.Serializer):
    officer = serializers.DictField(child=serializers.CharField())
    grids = serializers.ListField(child=serializers.CharField())
    first = serializers.DateField()
    last = serializers.DateField()
    patrol_hours = serializers.FloatField()
    distance_km = serializers.FloatField()
    patrols = serializers.IntegerField()
    check_ins = serializers.IntegerField()
    reports = serializers.IntegerField()
    visits = serializers.IntegerField()
    working_days = serializers.IntegerField()
    days_met = serializers.IntegerField()
    reports_expected = serializers.FloatField()
    visits_expected = serializers.FloatField()
    rate = serializers.FloatField(allow_null=True, help_text="patrol duty met (0–1)")
    met = serializers.BooleanField(allow_null=True)
    days = DutyDaySerializer(many=True)


class DutyViewSet(viewsets.ViewSet):
    """The monthly duty sheet: each grid officer the person may read (their own; those of the
    areas they manage) with time on patrol inside the grids, distance, check-ins, reports and
    visits, against the minimums."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OfficerDutySerializer
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[AREA, MONTH], responses=OfficerDutySerializer(many=True))
    def list(self, request: Request) -> Response:
        first, last = month_bounds(parse_month(request.query_params.get("month")))
        rows = duty_of(officers_under(request.user, _area(request)), first, last)
        return Response([row.as_dict() for row in rows])

    @extend_schema(
        parameters=[MONTH, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=OfficerDutySerializer,
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        if not (pk or "").isdigit():
            raise Http404
        officer = get_user_model().objects.filter(pk=int(pk), is_active=True).first()
        if officer is None or not may_read_officer(request.user, officer):
            raise Http404
        first, last = month_bounds(parse_month(request.query_params.get("month")))
        return Response(duty_of([officer], first, last)[0].as_dict())
