"""Cases: the public list view, the detail with personal data where permitted, input forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.file_access import attachment_url
from governance.inputs import max_length
from governance.models import Attachment, Audience, Case, CaseContact, CaseEvent, Channel, Urgency
from governance.privacy import Listed, Revealed
from governance.workflow import NOTE_AUDIENCES, PUBLIC_SUMMARY_LIMIT

SUBMIT_CHANNELS = [
    (c.value, c.label) for c in (Channel.API, Channel.WEB, Channel.HOTLINE, Channel.PATROL)
]


class CaseListSerializer(serializers.ModelSerializer):
    """A case in a list: no contact, private locations rounded; a private case's address and
    description only for who may see its personal data (`privacy.listed`, in the context)."""

    id = serializers.CharField(source="tracking_id", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.display_name", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True, allow_null=True, default=None)
    department = serializers.CharField(
        source="assignee_department.code", read_only=True, allow_null=True, default=None
    )
    open311_status = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "category",
            "category_name",
            "description",
            "address",
            "lon",
            "lat",
            "grid",
            "channel",
            "urgency",
            "status",
            "open311_status",
            "department",
            "escalation_level",
            "due_at",
            "is_overdue",
            "created_at",
            "updated_at",
        ]

    def shown(self, case: Case) -> Listed:
        return self.context["listed"][case.pk]

    def get_lon(self, case: Case) -> float:
        return self.shown(case).lon

    def get_lat(self, case: Case) -> float:
        return self.shown(case).lat

    def get_description(self, case: Case) -> str:
        return self.shown(case).description

    def get_address(self, case: Case) -> str:
        return self.shown(case).address


_MOMENT = serializers.DateTimeField()  # DRF's own rendering of a date-time (zone, format)


def list_rows(cases: Iterable[Case], listed: dict[int, Listed]) -> list[dict[str, Any]]:
    """`CaseListSerializer(cases, many=True).data`, built directly: the same keys in the same
    order and the same values (tests/api/test_list_rows.py compares the two on every kind of
    row), without DRF's per-field machinery, which cost more than the list's query.
    The serializer stays the documented shape (OpenAPI) of a listed case."""
    moment = _MOMENT.to_representation
    rows = []
    for case in cases:
        shown = listed[case.pk]
        grid = case.grid
        department = case.assignee_department
        rows.append(
            {
                "id": str(case.tracking_id),
                "category": str(case.category.code),
                "category_name": str(case.category.display_name),
                "description": shown.description,
                "address": shown.address,
                "lon": shown.lon,
                "lat": shown.lat,
                "grid": None if grid is None else str(grid.code),
                "channel": str(case.channel),
                "urgency": str(case.urgency),
                "status": str(case.status),
                "open311_status": case.open311_status,
                "department": None if department is None else str(department.code),
                "escalation_level": int(case.escalation_level),
                "due_at": moment(case.due_at),
                "is_overdue": case.is_overdue,
                "created_at": moment(case.created_at),
                "updated_at": moment(case.updated_at),
            }
        )
    return rows


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(CaseContact, "name")
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(CaseContact, "phone")
    )
    email = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(CaseContact, "email")
    )


class CaseDetailSerializer(CaseListSerializer):
    """One case; `contact` and the exact private location only where permitted (logged)."""

    contact = serializers.SerializerMethodField()
    location_exact = serializers.SerializerMethodField()
    answers = serializers.JSONField(read_only=True)
    rating = serializers.IntegerField(read_only=True, allow_null=True)
    merged_into = serializers.CharField(
        source="merged_into.tracking_id", read_only=True, allow_null=True, default=None
    )
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "answers",
            "rating",
            "merged_into",
            "contact",
            "location_exact",
            "available_actions",
        ]

    @property
    def revealed(self) -> Revealed:
        return self.context["revealed"]

    def get_lon(self, case: Case) -> float:
        return self.revealed.lon

    def get_lat(self, case: Case) -> float:
        return self.revealed.lat

    def get_description(self, case: Case) -> str:
        return self.revealed.description

    def get_address(self, case: Case) -> str:
        return self.revealed.address

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, case: Case) -> dict[str, str] | None:
        contact = self.revealed.contact
        if contact is None:
            return None
        return {"name": contact.name, "phone": contact.phone, "email": contact.email}

    def get_location_exact(self, case: Case) -> bool:
        return self.revealed.exact

    def get_available_actions(self, case: Case) -> list[str]:
        return self.context["available_actions"]


def _has_nul(value: Any) -> bool:
    """PostgreSQL stores no NUL character in text or JSON: refuse it as input."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class CaseCreateSerializer(serializers.Serializer):
    """Input of a new case; the workflow validates the domain rules and names the fields."""

    category = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=4000, allow_blank=True)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(Urgency.choices, default=Urgency.GENERAL)
    channel = serializers.ChoiceField(SUBMIT_CHANNELS, default=Channel.API)
    answers = serializers.DictField(required=False, default=dict)
    contact = ContactSerializer(required=False)

    def validate_answers(self, answers: dict[str, Any]) -> dict[str, Any]:
        if _has_nul(answers):
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return answers


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "kind",
            "from_status",
            "to_status",
            "note",
            "audience",
            "actor",
            "created_at",
            "attachments",
        ]

    def get_actor(self, event: CaseEvent) -> str | None:
        """Who acted; the reporter's name only to those who may see personal data."""
        if event.actor is None:
            return None
        if event.actor_id is not None and event.actor_id == self.context.get("hidden_reporter_id"):
            return _("the reporter")
        return event.actor.display_name or event.actor.get_username()

    def get_attachments(self, event: CaseEvent) -> list[int]:
        return [a.pk for a in event.attachments.all()]


class AttachmentSerializer(serializers.ModelSerializer):
    """A file as its absolute address at the one serving view (`file_access.attachment_url`)."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "url", "thumbnail_url", "content_type", "size", "created_at"]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, attachment: Attachment) -> str:
        return attachment_url(attachment, self.context["request"])

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        if not attachment.thumbnail:
            return None
        return attachment_url(attachment, self.context["request"], thumbnail=True)


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=6)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


# --- transition inputs --------------------------------------------------------------------


class NoteInput(serializers.Serializer):
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The reporter reads this.",
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=4000,
        allow_blank=True,
        help_text="The reporter reads this, except an escalation's reason (staff only).",
    )


class OptionalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class MergeInput(NoteInput):
    into = serializers.CharField(max_length=20)


class DispatchInput(NoteInput):
    department = serializers.CharField(max_length=40, required=False, allow_blank=True)


PUBLIC_SUMMARY_HELP = (
    "Published: everyone reads it (Open311 status_notes, the public page). A short, deliberate "
    "public text; never the reporter's words or personal data. Not published for a "
    "private-location category."
)


class PublicSummaryInput(serializers.Serializer):
    """The optional public summary of the transitions that may publish one."""

    public_summary = serializers.CharField(
        max_length=PUBLIC_SUMMARY_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        help_text=PUBLIC_SUMMARY_HELP,
    )


class ResolveInput(PublicSummaryInput):
    note = serializers.CharField(
        max_length=4000, allow_blank=True, help_text="The reporter reads this."
    )


class RejectInput(PublicSummaryInput):
    reason = serializers.CharField(
        max_length=4000, allow_blank=True, help_text="The reporter reads this."
    )


class CloseInput(ResolveInput):
    note = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The reporter reads this.",
    )


class RateInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AddNoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000, allow_blank=True)
    audience = serializers.ChoiceField(
        choices=[(a.value, a.label) for a in NOTE_AUDIENCES],
        default=Audience.REPORTER,
        help_text="Who reads the note: `internal` (staff only) or `reporter` (the reporter "
        "too). A note is never published; a reporter's own note is always `reporter`.",
    )


class ErrorSerializer(serializers.Serializer):
    """A refusal: `detail` says why; `code` is machine-readable; `errors` names the fields."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
