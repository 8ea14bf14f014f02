"""/api/v1/gridwork/…: the registry, read through `gridwork.access.records_for`; written
through `gridwork.records` by whoever may edit there (`report_cases` on the area).

Signed-in staff only; another area's record is simply not found (404). Personal fields are
masked; `?unmask=1` shows them plain for the rows the person may unmask (`see_personal_data`
on the area, or a grant with personal data), each showing written to the access log; asked
on one record they may not unmask, it is refused (403).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import pagination, permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.errors import Refused, SafeLookupMixin, run
from governance.models import Area
from gridwork.access import RecordAction, records_for
from gridwork.api.serializers import (
    BuildingSerializer,
    HouseholdSerializer,
    KeyPlaceSerializer,
    OrganisationSerializer,
    ResidentSerializer,
)
from gridwork.disclosure import Via, personal_fields, unmask, unmaskable
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident
from gridwork.records import record_remove, record_save
from gridwork.search import residents_search, within

UNMASK = OpenApiParameter("unmask", bool, description="show personal fields plain (logged)")
AREA = OpenApiParameter("area", str, description="only records beneath this area code")
SEARCH = OpenApiParameter(
    "q", str, description="name prefix, or a phone or id number (exact match)"
)


class RegistryPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def wants_unmask(request: Request) -> bool:
    return request.query_params.get("unmask", "").lower() in ("1", "true", "yes")


class RegistryViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = RegistryPagination
    model: type = Building
    related: tuple[str, ...] = ("grid",)

    def area(self) -> Area | None:
        code = self.request.query_params.get("area")
        if not code:
            return None
        return Area.objects.filter(code=code[:15]).first() or Area(path="/-/")

    def get_queryset(self) -> QuerySet:
        records = within(records_for(self.request.user, self.model, RecordAction.VIEW), self.area())
        records = records.select_related(*self.related).order_by("area_path", "pk")
        return records.defer("grid__boundary") if "grid" in self.related else records

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "unmasked": getattr(self, "_unmasked", {})}

    def _unmask(self, records: list) -> None:
        self._unmasked = {}
        if personal_fields(self.model) and wants_unmask(self.request):
            self._unmasked = unmask(self.request.user, records, via=Via.API)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._unmask(list(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        record = self.get_object()
        if (
            personal_fields(self.model)
            and wants_unmask(request)
            and not unmaskable(request.user, [record])
        ):
            raise Refused(_("You may not see this record's personal data."), "not_permitted", 403)
        self._unmask([record])
        return Response(self.get_serializer(record).data)

    # Writes: `gridwork.records` (placed, checked where the person may edit, re-checked).

    def perform_create(self, serializer) -> None:
        record = self.model(**serializer.validated_data)
        serializer.instance = run(record_save, by=self.request.user, record=record)

    def perform_update(self, serializer) -> None:
        record = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        serializer.instance = run(record_save, by=self.request.user, record=record)

    def perform_destroy(self, instance) -> None:
        run(record_remove, by=self.request.user, record=instance)


_LIST = extend_schema(parameters=[AREA, UNMASK])
_ONE = extend_schema(parameters=[UNMASK])


@extend_schema_view(list=extend_schema(parameters=[AREA]))
class BuildingViewSet(RegistryViewSet):
    """Buildings (楼栋): address, point or footprint, units, grid."""

    model = Building
    serializer_class = BuildingSerializer
    queryset = Building.objects.none()


@extend_schema_view(list=extend_schema(parameters=[AREA]))
class HouseholdViewSet(RegistryViewSet):
    """Households (户): building, unit and room, head of household (by name)."""

    model = Household
    serializer_class = HouseholdSerializer
    queryset = Household.objects.none()
    related = ("head",)


@extend_schema_view(list=extend_schema(parameters=[AREA, SEARCH, UNMASK]), retrieve=_ONE)
class ResidentViewSet(RegistryViewSet):
    """Residents (人口): id number, phone and birth date masked unless unmasked (logged)."""

    model = Resident
    serializer_class = ResidentSerializer
    queryset = Resident.objects.none()

    def get_queryset(self) -> QuerySet:
        if self.action != "list":
            return super().get_queryset()
        return residents_search(
            user=self.request.user, text=self.request.query_params.get("q", ""), area=self.area()
        )


@extend_schema_view(list=extend_schema(parameters=[AREA]))
class KeyPlaceViewSet(RegistryViewSet):
    """Key places (重点场所): hazards, facilities, components, crowded places."""

    model = KeyPlace
    serializer_class = KeyPlaceSerializer
    queryset = KeyPlace.objects.none()


@extend_schema_view(list=_LIST, retrieve=_ONE)
class OrganisationViewSet(RegistryViewSet):
    """Organisations (组织): contact name and phone masked unless unmasked (logged)."""

    model = Organisation
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()
