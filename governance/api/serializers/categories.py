"""Categories with their extra questions (the Open311 attribute model)."""

from __future__ import annotations

from rest_framework import serializers

from governance.models import Category, Question


class QuestionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="display_label")

    class Meta:
        model = Question
        fields = ["code", "label", "description", "datatype", "required", "order", "values"]


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    default_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    allows_urgent = serializers.BooleanField(read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "family",
            "name",
            "description",
            "group",
            "keywords",
            "default_department",
            "limit_unit",
            "general_limit",
            "urgent_limit",
            "allows_urgent",
            "private_location",
            "questions",
        ]
