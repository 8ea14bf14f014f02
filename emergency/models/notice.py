"""Notices with acknowledgement (签收): one notice, one row per person it reached, one answer.

A notice meant for the public (`public`) is also a CAP 1.2 alert: its `identifier`, `msg_type`
and `references` are the alert's.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from emergency.models.incident import Incident


class Answer(models.TextChoices):
    """The answers a recipient is offered unless the sender chose their own."""

    RECEIVED = "received", _("received")
    ON_MY_WAY = "on_my_way", _("on my way")
    NEED_HELP = "need_help", _("need help")


DEFAULT_OPTIONS = [Answer.RECEIVED, Answer.ON_MY_WAY, Answer.NEED_HELP]


class MessageType(models.TextChoices):
    """CAP 1.2 `msgType` of a public notice."""

    ALERT = "Alert", _("alert")
    UPDATE = "Update", _("update")
    CANCEL = "Cancel", _("cancellation")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("extreme")
    SEVERE = "Severe", _("severe")
    MODERATE = "Moderate", _("moderate")
    MINOR = "Minor", _("minor")
    UNKNOWN = "Unknown", _("unknown")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("immediate")
    EXPECTED = "Expected", _("expected")
    FUTURE = "Future", _("future")
    PAST = "Past", _("past")
    UNKNOWN = "Unknown", _("unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("observed")
    LIKELY = "Likely", _("likely")
    POSSIBLE = "Possible", _("possible")
    UNLIKELY = "Unlikely", _("unlikely")
    UNKNOWN = "Unknown", _("unknown")


def new_identifier() -> str:
    return "notice-" + secrets.token_hex(8)


class Notice(models.Model):
    """A notice to a target. `target` is what the sender chose (kept as chosen):
    {"areas": [area ids], "roles": [role codes], "departments": [ids], "people": [user ids],
    "residents": bool}; the people it resolved to are its `recipients`."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    body_en = models.TextField(_("English text"), blank=True)
    instruction = models.TextField(_("what to do"), blank=True)
    instruction_en = models.TextField(_("what to do (English)"), blank=True)
    target = models.JSONField(_("target"), default=dict)
    options = models.JSONField(
        _("answers offered"),
        default=list,
        blank=True,
        help_text=_("Empty: received / on my way / need help."),
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Also published as a CAP 1.2 alert.")
    )
    # CAP 1.2: the alert this public notice is.
    identifier = models.CharField(
        _("alert identifier"), max_length=100, unique=True, default=new_identifier
    )
    msg_type = models.CharField(
        _("message type"), max_length=8, choices=MessageType.choices, default=MessageType.ALERT
    )
    references = models.ForeignKey(
        "self",
        verbose_name=_("updates or cancels"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.UNKNOWN
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.UNKNOWN
    )
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.UNKNOWN
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Roll-call: who has not answered after `resend_after` minutes is sent it again, up to
    # `resends` times; then their leader is told.
    resend_after = models.PositiveIntegerField(_("send again after (minutes)"), default=10)
    resends = models.PositiveSmallIntegerField(_("times to send again"), default=1)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["-sent_at"], name="notice_public", condition=models.Q(public=True))
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def exercise(self) -> bool:
        return bool(self.incident_id and self.incident.exercise)

    def answer_options(self) -> list[str]:
        return list(self.options) or [str(option) for option in DEFAULT_OPTIONS]


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Recipient(models.Model):
    """One person a notice reached: their personal answer token, and their answer.

    Exactly one row per person per notice; the answer is recorded once (a second tap changes
    nothing)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notices_received",
    )
    # The area through which the target reached them (their assignment's, or their home's),
    # for the roll-call per area; none for departments and named people.
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area_path = models.CharField(max_length=80, blank=True, db_index=True)
    is_resident = models.BooleanField(_("resident"), default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    reached_at = models.DateTimeField(_("reached at"), null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    last_sent_at = models.DateTimeField(_("last sent at"))
    answer = models.CharField(_("answer"), max_length=40, blank=True)
    answer_note = models.CharField(_("note"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    leader_told_at = models.DateTimeField(_("leader told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_recipient_once")
        ]
        indexes = [
            models.Index(
                fields=["notice", "last_sent_at"],
                name="notice_unanswered",
                condition=models.Q(answered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.user_id}"
