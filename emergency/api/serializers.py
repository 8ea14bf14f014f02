"""What the incidents API reads and writes."""

from __future__ import annotations

from rest_framework import serializers

from emergency.models import (
    Incident,
    IncidentEvent,
    IncidentKind,
    IncidentLevel,
    IncidentStatus,
    Plan,
    PlanStep,
    PlanTeam,
    Task,
)


class AffectedAreaSerializer(serializers.Serializer):
    code = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.display_name")
    path = serializers.CharField()


class IncidentSerializer(serializers.ModelSerializer):
    areas = AffectedAreaSerializer(source="affected", many=True, read_only=True)
    warning_colour = serializers.CharField(read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cases = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "title_en",
            "description",
            "kind",
            "level",
            "warning_colour",
            "status",
            "exercise",
            "areas",
            "polygon",
            "categories",
            "cases",
            "occurred_at",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_cases(self, incident: Incident) -> list[str]:
        """The tracking ids of the linked cases the caller may see."""
        visible = self.context.get("visible_cases")
        ids = [link.case.tracking_id for link in incident.links.all()]
        return [i for i in ids if visible is None or i in visible]


class IncidentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = IncidentEvent
        fields = ["kind", "at", "actor", "note", "data"]


class DeclareInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, default="")
    description = serializers.CharField(required=False, default="")
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    level = serializers.ChoiceField(choices=IncidentLevel.choices)
    exercise = serializers.BooleanField(required=False, default=False)
    occurred_at = serializers.DateTimeField(required=False, default=None)
    areas = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="area codes"
    )
    polygon = serializers.JSONField(
        required=False, default=None, help_text="GeoJSON Polygon or MultiPolygon"
    )
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="category codes"
    )


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class LinkInput(serializers.Serializer):
    cases = serializers.ListField(child=serializers.CharField(), help_text="tracking ids")


class PlanTeamSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", default=None)

    class Meta:
        model = PlanTeam
        fields = ["department", "role", "duty"]


class PlanStepSerializer(serializers.ModelSerializer):
    owner_department = serializers.CharField(source="owner_department.code", default=None)

    class Meta:
        model = PlanStep
        fields = [
            "order",
            "title",
            "title_en",
            "owner_department",
            "owner_role",
            "limit",
            "limit_unit",
            "feedback_expected",
        ]


class PlanSerializer(serializers.ModelSerializer):
    teams = PlanTeamSerializer(many=True, read_only=True)
    steps = PlanStepSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "min_level",
            "max_level",
            "command_group",
            "termination",
            "teams",
            "steps",
        ]


class TaskSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="activation.incident_id")
    plan = serializers.IntegerField(source="activation.plan_id")
    owner_department = serializers.CharField(source="owner_department.code", default=None)

    class Meta:
        model = Task
        fields = [
            "id",
            "incident",
            "plan",
            "order",
            "title",
            "title_en",
            "feedback_expected",
            "owner_department",
            "due_at",
            "feedback",
            "feedback_at",
            "late",
        ]


class FeedbackInput(serializers.Serializer):
    feedback = serializers.CharField(max_length=4000)
