"""A person's notifications."""

from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    tracking_id = serializers.CharField(source="case.tracking_id", allow_null=True, default=None)
    read = serializers.SerializerMethodField()
    title = serializers.CharField(
        source="display_title", read_only=True, help_text="In the language of the request."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "tracking_id", "created_at", "read_at", "read"]

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed to read.")


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
