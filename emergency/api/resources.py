"""/api/v1/emergency/shelters|supplies|teams/: resources per grid, scoped like the pages.

Listed and read by whoever may see the cases of their grid; added, changed and removed by
whoever dispatches there (`emergency.resources`). Contact phones (and a shelter's contact
name) are null for those who may only see. Another area's resource is simply not found (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import pagination, permissions, serializers, viewsets

from emergency.access import IncidentAction
from emergency.models import Shelter, Supply, Team
from emergency.resources import (
    delete_resource,
    may_add_anywhere,
    public_form,
    resources_for,
    save_resource,
)
from governance.api.errors import Refused, SafeLookupMixin, run
from governance.models import Area, Level

COMMON = ["id", "grid", "grid_name", "lon", "lat", "updated_at"]


class GridField(serializers.SlugRelatedField):
    """The grid by its code (optional when a point inside one of our grids is given)."""

    def __init__(self, **kwargs):
        super().__init__(
            slug_field="code",
            queryset=Area.objects.active().filter(level=Level.GRID),
            required=False,
            allow_null=True,
            help_text="the grid's code; found from lon/lat when they are given",
            **kwargs,
        )


class ResourceSerializer(serializers.ModelSerializer):
    grid = GridField()
    grid_name = serializers.CharField(source="grid.display_name", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return public_form(self.context["request"].user, instance, data)


class ShelterSerializer(ResourceSerializer):
    class Meta:
        model = Shelter
        fields = [
            *COMMON,
            "name",
            "address",
            "capacity",
            "occupancy",
            "open",
            "contact_name",
            "contact_phone",
        ]
        extra_kwargs = {
            "contact_name": {"help_text": "null unless you may edit the shelter"},
            "contact_phone": {"help_text": "null unless you may edit the shelter"},
        }


class SupplySerializer(ResourceSerializer):
    class Meta:
        model = Supply
        fields = [
            *COMMON,
            "kind",
            "name",
            "quantity",
            "unit",
            "custodian",
            "custodian_phone",
            "storage_place",
            "state",
        ]
        extra_kwargs = {"custodian_phone": {"help_text": "null unless you may edit the supply"}}


class TeamSerializer(ResourceSerializer):
    class Meta:
        model = Team
        fields = [*COMMON, "name", "kind", "leader_name", "leader_phone", "members"]
        extra_kwargs = {"leader_phone": {"help_text": "null unless you may edit the team"}}


class ResourcePagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


GRID_FILTER = OpenApiParameter("area", str, description="only resources beneath this area code")


class ResourceViewSet(SafeLookupMixin, viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = ResourcePagination
    model: type = Shelter

    def get_queryset(self) -> QuerySet:
        resources = resources_for(self.request.user, self.model, IncidentAction.VIEW)
        code = self.request.query_params.get("area")
        if code:
            area = Area.objects.active().filter(code=code).first()
            resources = resources.filter(path__startswith=area.path) if area else resources.none()
        return resources.defer("grid__boundary").order_by("path", "pk")

    def perform_create(self, serializer) -> None:
        if not may_add_anywhere(self.request.user):
            raise Refused(_("You may not add resources."), "not_permitted", 403)
        instance = self.model(**serializer.validated_data)
        serializer.instance = run(save_resource, user=self.request.user, resource=instance)

    def perform_update(self, serializer) -> None:
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = run(save_resource, user=self.request.user, resource=instance)

    def perform_destroy(self, instance) -> None:
        run(delete_resource, user=self.request.user, resource=instance)


_LIST = extend_schema(parameters=[GRID_FILTER])


@extend_schema_view(list=_LIST)
class ShelterViewSet(ResourceViewSet):
    """Shelters (避难场所): capacity, people sheltered now, open or not."""

    model = Shelter
    serializer_class = ShelterSerializer
    queryset = Shelter.objects.none()


@extend_schema_view(list=_LIST)
class SupplyViewSet(ResourceViewSet):
    """Emergency supplies (应急物资): type, quantity, custodian, storage place, state."""

    model = Supply
    serializer_class = SupplySerializer
    queryset = Supply.objects.none()


@extend_schema_view(list=_LIST)
class TeamViewSet(ResourceViewSet):
    """Response teams (救援队伍): kind, leader, members."""

    model = Team
    serializer_class = TeamSerializer
    queryset = Team.objects.none()
