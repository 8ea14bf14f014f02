from __future__ import annotations

from rest_framework import serializers

from sensing.models import Datastream, Location, ObservedProperty, Sensor, Thing


class ThingSerializer(serializers.ModelSerializer):
    lon = serializers.FloatField(write_only=True, required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(write_only=True, required=False, min_value=-90, max_value=90)
    location = serializers.SerializerMethodField()
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Thing
        fields = [
            "id",
            "name",
            "description",
            "properties",
            "component",
            "device",
            "area",
            "location",
            "lon",
            "lat",
        ]

    def get_location(self, thing: Thing) -> dict | None:
        if not thing.location_id:
            return None
        return {"name": thing.location.name, "lon": thing.location.lon, "lat": thing.location.lat}

    def validate(self, attrs: dict) -> dict:
        if ("lon" in attrs) != ("lat" in attrs):
            raise serializers.ValidationError({"lon": ["Give lon and lat together."]})
        return attrs


class DatastreamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Datastream
        fields = [
            "id",
            "name",
            "description",
            "thing",
            "sensor",
            "observed_property",
            "unit_name",
            "unit_symbol",
            "unit_definition",
            "observation_type",
            "active",
            "last_value",
            "last_time",
        ]
        read_only_fields = ["last_value", "last_time"]


class SensorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sensor
        fields = ["id", "name", "description", "encoding_type", "metadata"]


class ObservedPropertySerializer(serializers.ModelSerializer):
    class Meta:
        model = ObservedProperty
        fields = ["id", "name", "definition", "description"]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "description", "lon", "lat"]
