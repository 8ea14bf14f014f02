"""The registry's API forms: personal fields masked unless the view unmasked the row (and
logged it, `gridwork.disclosure.unmask`)."""

from __future__ import annotations

from rest_framework import serializers

from governance.models import Area, Level
from gridwork.access import RecordAction, records_for
from gridwork.disclosure import masked
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident

MASKED_HELP = "masked (110105********1234, 138****5678) unless ?unmask=1 and you may see it"


class GridField(serializers.SlugRelatedField):
    """The grid by its code: where a record without a point (or outside every grid) goes."""

    def __init__(self, **kwargs):
        super().__init__(
            slug_field="code",
            queryset=Area.objects.active().filter(level=Level.GRID),
            required=False,
            allow_null=True,
            help_text="the grid's code; found from lon/lat when they are given",
            **kwargs,
        )


class ScopedField(serializers.PrimaryKeyRelatedField):
    """A registry record by id, among those the person may see (another's is "not found")."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return records_for(request.user, self.model, RecordAction.VIEW)


POINT = {
    "lon": {"min_value": -180, "max_value": 180},
    "lat": {"min_value": -90, "max_value": 90},
}


class RegistrySerializer(serializers.ModelSerializer):
    grid = GridField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        unmasked = self.context.get("unmasked", {}).get(instance.pk)
        data.update(unmasked or masked(instance))
        return data


class BuildingSerializer(RegistrySerializer):
    class Meta:
        model = Building
        extra_kwargs = POINT
        fields = ["id", "name", "address", "lon", "lat", "footprint", "units", "grid"]


class HouseholdSerializer(RegistrySerializer):
    grid = None
    building = ScopedField(Building)
    head = ScopedField(Resident, required=False, allow_null=True)
    head_name = serializers.CharField(source="head.name", read_only=True, default=None)

    class Meta:
        model = Household
        fields = ["id", "building", "unit", "room", "head", "head_name"]


class ResidentSerializer(RegistrySerializer):
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text=MASKED_HELP
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text=MASKED_HELP
    )
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text=MASKED_HELP + " (YYYY-**-** when masked)"
    )
    building = ScopedField(Building, required=False, allow_null=True)
    household = ScopedField(Household, required=False, allow_null=True)
    masked = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "birth_date",
            "gender",
            "household",
            "building",
            "grid",
            "residence",
            "tags",
            "masked",
        ]

    def get_masked(self, resident: Resident) -> bool:
        return resident.pk not in self.context.get("unmasked", {})


class KeyPlaceSerializer(RegistrySerializer):
    class Meta:
        model = KeyPlace
        extra_kwargs = POINT
        fields = ["id", "kind", "name", "address", "lon", "lat", "note", "grid"]


class OrganisationSerializer(RegistrySerializer):
    contact_name = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=MASKED_HELP
    )
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=MASKED_HELP
    )

    class Meta:
        model = Organisation
        extra_kwargs = POINT
        fields = [
            "id",
            "kind",
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "lon",
            "lat",
            "grid",
        ]
