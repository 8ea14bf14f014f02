"""/api/v1/emergency/: incidents (read for whoever sees them; declare, status, link for their
managers), plans (read) and the caller's plan tasks (with their feedback). Thin: every check
and change is `emergency.access` and the domain functions'."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import pagination, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from emergency import incidents as domain
from emergency import linking, plans
from emergency.access import IncidentAction, incidents_for
from emergency.api import serializers as s
from emergency.models import Incident, Plan, Task
from emergency.web.incidents import may_see_incidents  # the pages' rule, in one place
from governance.access import Action, cases_for
from governance.api.errors import Refused, run
from governance.api.serializers.cases import ErrorSerializer
from governance.models import Area, Category

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class Pages(pagination.PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


def _staff_only(request: Request) -> None:
    if not may_see_incidents(request.user):
        raise Refused(_("Incidents are for staff with areas."), "not_permitted", 403)


class IncidentViewSet(viewsets.GenericViewSet):
    """Incidents the caller may see, open first; declaring and changing them for managers."""

    lookup_value_regex = r"[0-9]+"  # an id that is not a number is no route: 404

    serializer_class = s.IncidentSerializer
    pagination_class = Pages
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Incident]:
        return (
            incidents_for(self.request.user, IncidentAction.VIEW)
            .prefetch_related("affected__area", "categories", "links__case")
            .order_by("-created_at", "-pk")
        )

    def _incident(self) -> Incident:
        incident = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if incident is None:
            raise Refused(_("There is no such incident."), "not_found", 404)
        return incident

    def _context(self, incidents: list[Incident]) -> dict:
        ids = {link.case_id for incident in incidents for link in incident.links.all()}
        visible = set(
            cases_for(self.request.user, Action.VIEW)
            .filter(pk__in=ids)
            .values_list("tracking_id", flat=True)
        )
        return {"request": self.request, "visible_cases": visible}

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        incident = self.get_queryset().get(pk=pk)
        return Response(
            s.IncidentSerializer(incident, context=self._context([incident])).data, status=code
        )

    @extend_schema(responses={200: s.IncidentSerializer(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        data = s.IncidentSerializer(rows, many=True, context=self._context(rows)).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: s.IncidentSerializer, 404: ErrorSerializer})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._incident().pk)

    @extend_schema(request=s.DeclareInput, responses={201: s.IncidentSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        """Declare an incident on area subtrees (codes) or a drawn GeoJSON polygon."""
        data = s.DeclareInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        codes = values.pop("areas")
        areas = list(Area.objects.active().filter(code__in=codes))
        if len(areas) != len(set(codes)):
            raise Refused(
                _("There is no such area."), "invalid", 400, {"areas": [_("No such area.")]}
            )
        categories = list(Category.objects.filter(code__in=values.pop("categories")))
        incident = run(
            domain.declare_incident,
            by=request.user,
            areas=areas,
            categories=categories,
            **values,
        )
        return self._detail(incident.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.StatusInput, responses={200: s.IncidentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str) -> Response:
        """Move the incident along reported → confirmed → responding → recovering → closed."""
        incident = self._incident()
        data = s.StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        run(
            domain.change_status,
            incident_id=incident.pk,
            by=request.user,
            to=data.validated_data["status"],
            note=data.validated_data["note"],
        )
        return self._detail(incident.pk)

    @extend_schema(request=s.LinkInput, responses={200: s.IncidentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        """Link cases (tracking ids the caller sees) to the incident."""
        incident = self._incident()
        data = s.LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["cases"])
        ids = list(
            cases_for(request.user, Action.VIEW)
            .filter(tracking_id__in=wanted)
            .values_list("pk", flat=True)
        )
        if len(ids) != len(wanted):
            raise Refused(
                _("There is no such case among yours."),
                "invalid",
                400,
                {"cases": [_("There is no such case among yours.")]},
            )
        run(linking.link_cases, incident_id=incident.pk, by=request.user, case_ids=ids)
        return self._detail(incident.pk)

    @extend_schema(responses={200: s.IncidentEventSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str) -> Response:
        incident = self._incident()
        events = incident.events.select_related("actor").order_by("at", "pk")
        return Response(s.IncidentEventSerializer(events, many=True).data)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """The active plans (预案), with their teams and steps: for staff who see incidents."""

    lookup_value_regex = r"[0-9]+"  # an id that is not a number is no route: 404

    serializer_class = s.PlanSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pages

    queryset = Plan.objects.none()

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        _staff_only(request)

    def get_queryset(self) -> QuerySet[Plan]:
        return (
            Plan.objects.filter(active=True)
            .prefetch_related("teams__department", "steps__owner_department")
            .order_by("kind", "min_level", "name")
        )


class TaskViewSet(viewsets.GenericViewSet):
    """The caller's own plan tasks (named, or through their department), and their feedback."""

    lookup_value_regex = r"[0-9]+"  # an id that is not a number is no route: 404

    serializer_class = s.TaskSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Task]:
        return plans.tasks_for(self.request.user)

    @extend_schema(responses={200: s.TaskSerializer(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.TaskSerializer(page, many=True).data)

    @extend_schema(request=s.FeedbackInput, responses={200: s.TaskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str) -> Response:
        """Record the feedback a step expects (once)."""
        task = self.get_queryset().filter(pk=pk).first()
        if task is None:
            raise Refused(_("There is no such task among yours."), "not_found", 404)
        data = s.FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        run(
            plans.record_feedback,
            task_id=task.pk,
            by=request.user,
            text=data.validated_data["feedback"],
        )
        task.refresh_from_db()
        return Response(s.TaskSerializer(task).data)
