"""回访, the satisfaction callback: the question put to a closed case's reporter and the
one-time links that answer it. The answer itself is the case's timeline entry of kind
`callback` (`governance.models.EventKind.CALLBACK`, one per case by a database constraint).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallbackRequest(models.Model):
    """The callback of one case: asked once, when it first closes (a second delivery of the
    same `closed` entry, or a later close after a reopening, finds this row and asks nothing).

    Its e-mail and SMS are each sent at most once (`citizens.sending`'s claim on the sent-at
    columns); who they go to is read at sending time (the account, or the contact the case was
    filed with), never copied here.
    """

    case = models.OneToOneField(
        "governance.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="callback_request",
    )
    closed_event = models.ForeignKey(
        "governance.CaseEvent",
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    sms_wanted = models.BooleanField(default=False)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction callback")
        verbose_name_plural = _("satisfaction callbacks")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="callback_request_pending",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True)
                | models.Q(sms_wanted=True, texted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"callback of {self.case_id}"


class CallbackLink(models.Model):
    """A one-time link to answer a callback, sent by e-mail or SMS: only the token's SHA-256
    is kept. Answering through it ends it (and the callback: one answer per case); so does
    its expiry (`CALLBACK_LINK_DAYS` after it was sent)."""

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("sent by"), max_length=8)  # email / sms
    created_at = models.DateTimeField(_("at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("callback link")
        verbose_name_plural = _("callback links")

    def __str__(self) -> str:
        return f"callback link {self.pk}"
