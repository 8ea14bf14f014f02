"""The registry's API forms: personal fields masked unless the view unmasked the row (and
logged it, `gridwork.disclosure.unmask`)."""

from __future__ import annotations

from rest_framework import serializers

from gridwork.disclosure import masked
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident

MASKED_HELP = "masked (110105********1234, 138****5678) unless ?unmask=1 and you may see it"


class RegistrySerializer(serializers.ModelSerializer):
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        unmasked = self.context.get("unmasked", {}).get(instance.pk)
        data.update(unmasked or masked(instance))
        return data


class BuildingSerializer(RegistrySerializer):
    class Meta:
        model = Building
        fields = ["id", "name", "address", "lon", "lat", "footprint", "units", "grid"]


class HouseholdSerializer(RegistrySerializer):
    building = serializers.PrimaryKeyRelatedField(read_only=True)
    head = serializers.CharField(source="head.name", read_only=True, default=None)

    class Meta:
        model = Household
        fields = ["id", "building", "unit", "room", "head"]


class ResidentSerializer(RegistrySerializer):
    id_number = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    phone = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    birth_date = serializers.CharField(read_only=True, help_text=MASKED_HELP)
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
        fields = ["id", "kind", "name", "address", "lon", "lat", "note", "grid"]


class OrganisationSerializer(RegistrySerializer):
    contact_name = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    contact_phone = serializers.CharField(read_only=True, help_text=MASKED_HELP)

    class Meta:
        model = Organisation
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
