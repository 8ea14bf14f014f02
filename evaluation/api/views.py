"""GET /api/v1/evaluation/…: the figures of an area, a department, a person, and the ranking
of an area's children. Thin: read the period, find the scope, check it, call the indicators."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluation import access
from evaluation.indicators import (
    COUNT_NAMES,
    RATE_NAMES,
    Period,
    PeriodError,
    Scope,
    evaluate,
    parse_period,
    rank_children,
)
from governance import clock
from governance.api.errors import Refused
from governance.models import Area, Department

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        description="2026-11-03 (day), 2026-W47 (week), 2026-11 (month), 2026-Q4, 2026 "
        "(default: this month)",
    ),
    OpenApiParameter("start", str, description="with end: a range of dates, both included"),
    OpenApiParameter("end", str),
]


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class CountsSerializer(serializers.Serializer):
    locals().update({name: serializers.IntegerField() for name in COUNT_NAMES})


class RatesSerializer(serializers.Serializer):
    locals().update({name: serializers.FloatField(allow_null=True) for name in RATE_NAMES})
    # A person's rate contributed by grid work (`evaluation.contributed`); absent elsewhere.
    patrol_duty_met = serializers.FloatField(
        allow_null=True, required=False, help_text="a person's patrol duty met (0–1)"
    )


class FiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    counts = CountsSerializer()
    rates = RatesSerializer()
    score = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_null=True, help_text="A–E; null: not graded")
    graded = serializers.BooleanField()
    sample = serializers.IntegerField(help_text="obligations counted (the grading sample)")


class EvaluationSerializer(FiguresSerializer):
    scope = serializers.DictField()
    as_of = serializers.DateTimeField()
    how_counted = serializers.DictField(child=serializers.CharField())
    previous = FiguresSerializer(allow_null=True, help_text="the period before (环比)")
    last_year = FiguresSerializer(allow_null=True, help_text="the same period last year (同比)")


class RankedSerializer(FiguresSerializer):
    rank = serializers.IntegerField(allow_null=True)
    scope = serializers.DictField()


class RankingSerializer(serializers.Serializer):
    scope = serializers.DictField()
    period = PeriodSerializer()
    as_of = serializers.DateTimeField()
    children = RankedSerializer(many=True)


def period_from(request: Request) -> Period:
    params = request.query_params
    try:
        return parse_period(
            params.get("period") or None, start=params.get("start"), end=params.get("end")
        )
    except PeriodError as error:
        raise Refused(
            str(error), "invalid", status.HTTP_400_BAD_REQUEST, {"period": [str(error)]}
        ) from None


def _refuse() -> Refused:
    return Refused(
        _("You may not see the figures of this scope."),
        "permission_denied",
        status.HTTP_403_FORBIDDEN,
    )


def _area(code: str) -> Area:
    area = Area.objects.active().filter(code=code).first()
    if area is None:
        raise NotFound(_("There is no such area."))
    return area


class EvaluationView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def scope(self, request: Request, key: str) -> Scope:
        raise NotImplementedError

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=EvaluationSerializer)
    def get(self, request: Request, **kwargs: str) -> Response:
        period = period_from(request)
        scope = self.scope(request, next(iter(kwargs.values())))
        if not access.may_see(request.user, scope):
            raise _refuse()
        return Response(evaluate(scope, period).as_dict())


class AreaEvaluationView(EvaluationView):
    def scope(self, request: Request, key: str) -> Scope:
        return Scope.for_area(_area(key))


class DepartmentEvaluationView(EvaluationView):
    def scope(self, request: Request, key: str) -> Scope:
        department = Department.objects.filter(code=key).first()
        if department is None:
            raise NotFound(_("There is no such department."))
        return Scope.for_department(department)


class PersonEvaluationView(EvaluationView):
    def scope(self, request: Request, key: str) -> Scope:
        person = get_user_model().objects.filter(username=key, is_active=True).first()
        # Whether a username exists is itself private: the same answer as not permitted.
        if person is None or not access.may_see_person(request.user, person):
            raise NotFound(_("There is no such person, or you may not see their figures."))
        return Scope.for_person(person)


class AreaChildrenView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=RankingSerializer)
    def get(self, request: Request, area_code: str) -> Response:
        period = period_from(request)
        area = _area(area_code)
        if not access.may_see_area(request.user, area):
            raise _refuse()
        as_of = clock.now()
        return Response(
            {
                "scope": Scope.for_area(area).as_dict(),
                "period": period.as_dict(),
                "as_of": as_of.isoformat(timespec="seconds"),
                "children": [r.as_dict() for r in rank_children(area, period, as_of=as_of)],
            }
        )
